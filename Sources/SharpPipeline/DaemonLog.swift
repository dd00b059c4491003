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

    /// Whether stderr goes to the journal.
    public static var toJournal: Bool { ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil }

    /// Runs once (a static's initialiser is thread-safe and lazy).
    private static let bootstrap: Void = LoggingSystem.bootstrap { label -> any LogHandler in
        toJournal ? JournalLogHandler(label: label) : StreamLogHandler.standardError(label: label)
    }

    /// The sd-daemon priority of a level (`<3>` error … `<7>` debug).
    public static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
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
