import Logging

/// The daemon's log: swift-log with one handler on stderr, set up once per process.
public enum DaemonLog {
    /// Bootstraps swift-log (first call only) and returns a logger at `level`.
    public static func makeLogger(label: String, level: Logger.Level) -> Logger {
        _ = bootstrap
        var logger = Logger(label: label)
        logger.logLevel = level
        return logger
    }

    /// Runs once (a static's initialiser is thread-safe and lazy).
    private static let bootstrap: Void = LoggingSystem.bootstrap { label in
        StreamLogHandler.standardError(label: label)
    }
}
