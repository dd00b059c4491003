#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An output path written through a temporary file in the same directory and renamed over
/// the final name only on `commit()`: a failed or interrupted run leaves no half-written
/// output (and an existing file of that name stays intact until the new one is complete).
///
/// Invariant: after `commit()` the final path holds the complete file and the temporary is
/// gone; after `discard()` the temporary is gone and the final path is untouched.
public final class AtomicOutputFile: @unchecked Sendable {
    public let finalPath: String
    public let temporaryPath: String
    private var done = false

    /// Checks that the output directory exists and is writable, and picks a temporary name.
    public init(finalPath: String) throws {
        self.finalPath = finalPath
        let dir = AtomicOutputFile.directory(of: finalPath)
        var st = stat()
        if stat(dir, &st) != 0 || (st.st_mode & S_IFMT) != S_IFDIR {
            throw MediaError(.outputDirectoryMissing, path: finalPath, "output directory \(dir) does not exist")
        }
        if access(dir, W_OK) != 0 {
            throw MediaError(.permissionDenied, path: finalPath, "output directory \(dir) is not writable")
        }
        if stat(finalPath, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw MediaError(.writeFailed, path: finalPath, "is a directory")
        }
        let base = String(finalPath.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        let ext = AtomicOutputFile.fileExtension(of: base)
        let tag = String(UInt32.random(in: 0...UInt32.max), radix: 16)
        let name = ".\(base).sharpcam-\(getpid())-\(tag).partial" + (ext.isEmpty ? "" : ".\(ext)")
        temporaryPath = dir == "." && !finalPath.hasPrefix("./") ? name : "\(dir)/\(name)"
    }

    deinit { if !done { unlink(temporaryPath) } }

    /// Renames the temporary file over the final path.
    public func commit() throws {
        precondition(!done, "AtomicOutputFile committed or discarded twice")
        if rename(temporaryPath, finalPath) != 0 {
            let err = String(cString: strerror(errno))
            unlink(temporaryPath)
            done = true
            throw MediaError(.writeFailed, path: finalPath, "cannot move the finished output into place: \(err)")
        }
        done = true
    }

    /// Removes the temporary file.
    public func discard() {
        guard !done else { return }
        unlink(temporaryPath)
        done = true
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let dir = String(path[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    /// Lower-cased extension without the dot ("" if none).
    public static func fileExtension(of path: String) -> String {
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        guard let dot = base.lastIndex(of: "."), dot != base.startIndex else { return "" }
        return base[base.index(after: dot)...].lowercased()
    }
}
