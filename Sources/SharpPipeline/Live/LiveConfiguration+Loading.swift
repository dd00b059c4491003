import Foundation

/// One `key = value` setting and where it came from (`file:line`, or a flag such as `--fps`).
public struct ConfigurationSetting: Sendable, Equatable {
    public var key: String
    public var value: String
    public var origin: String

    public init(_ key: String, _ value: String, origin: String) {
        self.key = key
        self.value = value
        self.origin = origin
    }
}

extension LiveConfiguration {
    /// The system-wide configuration file.
    public static let systemFile = "/etc/sharpcam/sharpcamd.conf"

    /// The user's configuration file: `$XDG_CONFIG_HOME/sharpcam/sharpcamd.conf`, or
    /// `~/.config/sharpcam/sharpcamd.conf`.
    public static func userFile(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        let config = environment["XDG_CONFIG_HOME"] ?? ((environment["HOME"] ?? "/") + "/.config")
        return config + "/sharpcam/sharpcamd.conf"
    }

    /// The configuration files to read, in order, each overriding the one before: the system
    /// file and the user's file when they exist, then `explicit` (`--config`, must exist).
    public static func filesToRead(
        explicit: String?, systemFile: String = LiveConfiguration.systemFile,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> [String] {
        let candidates: [String] = [systemFile, userFile(environment: environment)]
        var files = candidates.filter { access($0, R_OK) == 0 }
        if let explicit { files.append(explicit) }
        return files
    }

    /// Reads a configuration file's settings.
    public static func settings(inFile path: String) throws -> [ConfigurationSetting] {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read the configuration file (\(error.localizedDescription))", origin: path)
        }
        return try parse(text, path: path).map { ConfigurationSetting($0.key, $0.value, origin: $0.origin) }
    }

    /// The configuration the daemon runs: defaults (the network on `threads` threads), then the
    /// settings of each of `files` in order, then `overrides` (command-line flags); validated.
    public static func load(
        files: [String], overrides: [ConfigurationSetting], threads: Int
    ) throws
        -> LiveConfiguration
    {
        var c = LiveConfiguration()
        c.processing.threads = threads
        let fromFiles = try files.flatMap(settings(inFile:))
        for s in fromFiles + overrides { try c.apply(s.key, s.value, origin: s.origin) }
        if let problem = c.validationError { throw ConfigurationError(problem) }
        return c
    }
}
