import Foundation
import SharpMedia

extension LiveConfiguration {
    /// `text` (a configuration file) with `key = value`: the last active line for `key` is
    /// replaced (comments and other lines kept as they are), or the line is appended.
    public static func updating(_ text: String, key: String, value: String) -> String {
        var lines = text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" }).map(String.init)
        if lines.last == "" { lines.removeLast() }
        let index = lines.lastIndex { line in
            var l = Substring(line)
            if let hash = l.firstIndex(of: "#") { l = l[..<hash] }
            guard let eq = l.firstIndex(of: "=") else { return false }
            return l[..<eq].trimmingCharacters(in: " \t") == key
        }
        let newLine = "\(key) = \(value)"
        if let index { lines[index] = newLine } else { lines.append(newLine) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `key = value` into the configuration file at `path` (created with its directory
    /// when missing), atomically: a reader sees the old file or the new one, never half of it.
    public static func save(key: String, value: String, toFile path: String) throws {
        var old = ""
        if access(path, F_OK) == 0 {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
                throw ConfigurationError("cannot read the configuration file to update it", origin: path)
            }
            old = text
        } else {
            let dir = AtomicOutputFile.directory(of: path)
            do {
                try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            } catch {
                throw ConfigurationError("cannot create \(dir): \(error.localizedDescription)", origin: path)
            }
        }
        // The new text must still be a valid configuration (it is what the next start reads).
        let new = updating(old, key: key, value: value)
        var check = LiveConfiguration()
        for s in try parse(new, path: path) { try check.apply(s.key, s.value, origin: s.origin) }
        let file = try AtomicOutputFile(finalPath: path)
        let fd = open(file.writePath, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            file.discard()
            throw ConfigurationError("cannot write: \(String(cString: strerror(errno)))", origin: path)
        }
        let bytes = Array(new.utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress!, $0.count) }
        close(fd)
        guard written == bytes.count else {
            file.discard()
            throw ConfigurationError("cannot write the configuration file", origin: path)
        }
        try file.commit()
    }
}
