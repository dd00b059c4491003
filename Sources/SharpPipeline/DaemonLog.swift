import Foundation
import Logging
import SharpSupport

/// The daemon's log: swift-log with one handler on stderr, set up once per process. Under
/// systemd (`$JOURNAL_STREAM` set) lines carry sd-daemon `<N>` priority prefixes and no
/// timestamp (journald adds its own), so `journalctl -p warning` filters them.
public enum DaemonLog {
    /// Bootstraps swift-log (first call only) and returns a logger at `level`.
    public static func makeLogger(label: String, level: Logger.Level) -> Logger {
        _ = bootstrap
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// Runs once (a static's initialiser is thread-safe and lazy).
    private static let bootstrap: Void = LoggingSystem.bootstrap { label -> any LogHandler in
        Journal.isTarget ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
    }

    /// The sd-daemon priority of a level (`<3>` error … `<7>` debug).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return Journal.debug
        case .info: return Journal.info
        case .notice: return Journal.notice
        case .warning: return Journal.warning
        case .error: return Journal.error
        case .critical: return Journal.critical
        }
    }
}

/// One line per message on stderr: "<N>[label] message", no timestamp.
struct JournalLogHandler: LogHandler {
    let label: String
    var logLevel: Logger.Level = .info
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        StandardError.write("<\(DaemonLog.priority(event.level))>[\(event.source)] \(event.message)\n")
    }
}
