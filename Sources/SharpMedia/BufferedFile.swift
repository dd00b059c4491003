import Glibc

/// A file descriptor with a fixed read or write buffer and errors that name the path.
///
/// Invariant: the buffer is allocated once in `init`; no call allocates afterwards (except
/// the returned `String` of `readLine`).
final class BufferedFile {
    /// The path errors name (the user's, not a temporary's).
    let path: String
    private(set) var fd: Int32
    private let buffer: UnsafeMutablePointer<UInt8>
    private let capacity: Int
    private var start = 0, end = 0  // read window
    private var pending = 0  // write fill
    private(set) var bytesConsumed = 0  // total bytes handed out by reads

    enum Mode { case read, write }

    /// - Parameter displayPath: the path errors name (default: `path`).
    init(path openPath: String, mode: Mode, capacity: Int = 1 << 20, displayPath: String? = nil) throws {
        let path = displayPath ?? openPath
        self.path = path
        self.capacity = capacity
        switch mode {
        case .read:
            fd = open(openPath, O_RDONLY | O_CLOEXEC)
        case .write:
            fd = open(openPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        }
        if fd < 0 { throw BufferedFile.error(errno, path: path, writing: mode == .write) }
        if mode == .read {
            var st = stat()
            if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
                Glibc.close(fd)
                throw MediaError(.unreadable, path: path, "is a directory, not a file")
            }
        }
        buffer = .allocate(capacity: capacity)
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
        buffer.deallocate()
    }

    static func error(_ code: Int32, path: String, writing: Bool) -> MediaError {
        let text = String(cString: strerror(code))
        switch code {
        case ENOENT:
            return MediaError(
                writing ? .outputDirectoryMissing : .notFound, path: path,
                writing ? "cannot create: \(text)" : "no such file")
        case EACCES, EPERM: return MediaError(.permissionDenied, path: path, "permission denied")
        case EISDIR: return MediaError(.unreadable, path: path, "is a directory, not a file")
        default:
            return MediaError(
                writing ? .writeFailed : .unreadable, path: path,
                writing ? "cannot write: \(text)" : "cannot read: \(text)")
        }
    }

    /// Size in bytes of a regular file, else nil.
    var regularFileSize: Int? {
        var st = stat()
        guard fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int(st.st_size)
    }

    // MARK: Reading

    private func refill() throws -> Bool {
        if start > 0 && start < end {
            (buffer).update(from: buffer + start, count: end - start)
        }
        end -= start
        start = 0
        while true {
            let n = Glibc.read(fd, buffer + end, capacity - end)
            if n < 0 {
                if errno == EINTR { continue }
                throw BufferedFile.error(errno, path: path, writing: false)
            }
            end += n
            return n > 0
        }
    }

    /// The next `count` bytes without consuming them (fewer at the end of the file).
    func peek(_ count: Int) throws -> [UInt8] {
        while end - start < count {
            if !(try refill()) { break }
        }
        return Array(UnsafeBufferPointer(start: buffer + start, count: min(count, end - start)))
    }

    /// Reads up to and excluding the next '\n' (consumed). Returns nil at a clean end of
    /// file; throws when no newline appears within `maxLength` bytes.
    func readLine(maxLength: Int) throws -> String? {
        var scanned = 0
        while true {
            if let nl = (start + scanned..<end).first(where: { buffer[$0] == 0x0A }) {
                let line = String(
                    decoding: UnsafeBufferPointer(start: buffer + start, count: nl - start), as: UTF8.self)
                bytesConsumed += nl + 1 - start
                start = nl + 1
                return line
            }
            scanned = end - start
            if scanned > maxLength {
                throw MediaError(
                    .corrupt, path: path, "expected a header line, found \(scanned)+ bytes without a line break")
            }
            if !(try refill()) {
                if end == start { return nil }
                throw MediaError(.truncated, path: path, "file ends inside a header line")
            }
        }
    }

    /// Reads exactly `count` bytes into `dst` unless the file ends first; returns the number
    /// of bytes read.
    func read(into dst: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        var done = 0
        while done < count {
            if start == end, !(try refill()) { break }
            let n = min(count - done, end - start)
            (dst + done).update(from: buffer + start, count: n)
            start += n
            done += n
        }
        bytesConsumed += done
        return done
    }

    // MARK: Writing

    func write(_ src: UnsafePointer<UInt8>, count: Int) throws {
        var done = 0
        while done < count {
            let n = min(count - done, capacity - pending)
            (buffer + pending).update(from: src + done, count: n)
            pending += n
            done += n
            if pending == capacity { try flush() }
        }
    }

    func write(_ text: String) throws {
        var t = text
        try t.withUTF8 { try write($0.baseAddress!, count: $0.count) }
    }

    func flush() throws {
        var off = 0
        while off < pending {
            let n = Glibc.write(fd, buffer + off, pending - off)
            if n < 0 {
                if errno == EINTR { continue }
                throw BufferedFile.error(errno, path: path, writing: true)
            }
            off += n
        }
        pending = 0
    }

    /// Flushes and closes (writers); closes (readers).
    func closeFile() throws {
        guard fd >= 0 else { return }
        defer { fd = -1 }
        if pending > 0 { try flush() }
        if Glibc.close(fd) != 0 { throw BufferedFile.error(errno, path: path, writing: true) }
    }
}
