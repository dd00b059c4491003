#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An output path written through an unnamed temporary file in the same directory (Linux
/// `O_TMPFILE`), given its final name only on `commit()`: a failed, interrupted or crashed run
/// leaves nothing behind (the kernel frees an unnamed file), an existing file of that name
/// stays intact until the new one is complete, and no other user can plant a file or link
/// where the output is written. Where the file system has no `O_TMPFILE`, a hidden name is
/// created exclusively (`O_EXCL | O_NOFOLLOW`, mode 0600) and removed on failure.
///
/// Writers open `writePath` (`/proc/self/fd/N` for the unnamed file) and name `finalPath` in
/// their errors, never the temporary.
///
/// Invariant: after `commit()` the final path holds the complete file and no temporary exists;
/// after `discard()` (or deinit without commit) no temporary exists and the final path is
/// untouched.
public final class AtomicOutputFile: @unchecked Sendable {
    public let finalPath: String
    /// Where writers open the file (`/proc/self/fd/N`, or the hidden name).
    public let writePath: String
    private let directory: String
    private var fd: Int32
    /// The hidden name while the file has one (fallback), else nil.
    private var hiddenName: String?
    private var done = false

    /// Checks that the output directory exists and is writable, and creates the temporary.
    /// - Parameter unnamed: try `O_TMPFILE` first (false: the hidden-name fallback at once).
    public init(finalPath: String, unnamed tryUnnamed: Bool = true) throws {
        self.finalPath = finalPath
        let dir = AtomicOutputFile.directory(of: finalPath)
        directory = dir
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
        #if os(Linux)
            // O_TMPFILE is a C macro Swift does not import: __O_TMPFILE (020000000 on x86-64 and
            // aarch64) | O_DIRECTORY.
            let oTmpfile: Int32 = 0o20_000_000 | O_DIRECTORY
            let unnamed = tryUnnamed ? open(dir, oTmpfile | O_WRONLY | O_CLOEXEC, 0o644) : -1
        #else
            let unnamed: Int32 = -1
        #endif
        if unnamed >= 0 {
            fd = unnamed
            writePath = "/proc/self/fd/\(unnamed)"
            hiddenName = nil
            return
        }
        // No O_TMPFILE here: an exclusive hidden name that cannot be a pre-planted file or link.
        for _ in 0..<8 {
            let name = AtomicOutputFile.hiddenName(for: finalPath, directory: dir)
            let created = open(name, O_CREAT | O_EXCL | O_NOFOLLOW | O_WRONLY | O_CLOEXEC, 0o600)
            if created >= 0 {
                fd = created
                writePath = name
                hiddenName = name
                return
            }
            if errno != EEXIST { break }
        }
        throw MediaError(
            .writeFailed, path: finalPath, "cannot create the output file: \(String(cString: strerror(errno)))")
    }

    deinit { discard() }

    static func hiddenName(for finalPath: String, directory dir: String) -> String {
        let base = String(finalPath.split(separator: "/", omittingEmptySubsequences: false).last ?? "")
        let ext = AtomicOutputFile.fileExtension(of: base)
        let tag = String(UInt64.random(in: 0...UInt64.max), radix: 16)
        let name = ".\(base).sharpcam-\(getpid())-\(tag).partial" + (ext.isEmpty ? "" : ".\(ext)")
        return dir == "." && !finalPath.hasPrefix("./") ? name : "\(dir)/\(name)"
    }

    /// Gives the finished file its final name (replacing any file of that name at once).
    public func commit() throws {
        precondition(!done, "AtomicOutputFile committed or discarded twice")
        defer { done = true }
        var name = hiddenName
        if name == nil {
            // Link the unnamed file to a fresh hidden name (link never replaces), then rename.
            for _ in 0..<8 where name == nil {
                let candidate = AtomicOutputFile.hiddenName(for: finalPath, directory: directory)
                if linkat(AT_FDCWD, writePath, AT_FDCWD, candidate, AT_SYMLINK_FOLLOW) == 0 {
                    name = candidate
                } else if errno != EEXIST {
                    break
                }
            }
        }
        let err = errno
        close(fd)
        fd = -1
        guard let name else {
            throw MediaError(
                .writeFailed, path: finalPath,
                "cannot move the finished output into place: \(String(cString: strerror(err)))")
        }
        if rename(name, finalPath) != 0 {
            let err = String(cString: strerror(errno))
            unlink(name)
            throw MediaError(.writeFailed, path: finalPath, "cannot move the finished output into place: \(err)")
        }
        hiddenName = nil
    }

    /// Drops the temporary file.
    public func discard() {
        guard !done else { return }
        done = true
        if let hiddenName { unlink(hiddenName) }
        if fd >= 0 { close(fd) }
        fd = -1
    }

    public static func directory(of path: String) -> String {
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
