import Glibc
import SharpMedia

/// Small helpers for AF_UNIX sockets (the control socket; sd_notify's datagrams).
///
/// Invariant: every function returns or throws a `MediaError` naming the socket path; file
/// descriptors are close-on-exec.
enum UnixSocket {
    /// The longest path `sockaddr_un` holds (without the terminating NUL).
    static let maxPathBytes = 107

    static func withAddress<T>(_ path: String, _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) throws -> T {
        let bytes = Array(path.utf8)
        guard !bytes.isEmpty, bytes.count <= maxPathBytes else {
            throw MediaError(.unsupported, path: path, "a socket path must be 1...\(maxPathBytes) bytes long")
        }
        return withAddress(bytes: bytes, body)
    }

    /// The address for `bytes` (1...`maxPathBytes` long): a file path, NUL-terminated, or an
    /// abstract name when the first byte is 0 (its length counts, no terminator).
    static func withAddress<T>(bytes: [UInt8], _ body: (UnsafePointer<sockaddr>, socklen_t) -> T) -> T {
        precondition(!bytes.isEmpty && bytes.count <= maxPathBytes, "socket address of \(bytes.count) bytes")
        let abstract = bytes[0] == 0
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in bytes.enumerated() { raw[i] = b }
            if !abstract { raw[bytes.count] = 0 }
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                body($0, socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (abstract ? 0 : 1)))
            }
        }
    }

    static func makeSocket(_ path: String) throws -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw error(path, "socket") }
        return fd
    }

    /// Connects to `path`; nil with errno set when nothing listens there.
    static func connect(_ path: String) throws -> Int32? {
        let fd = try makeSocket(path)
        let r = try withAddress(path) { Glibc.connect(fd, $0, $1) }
        if r != 0 {
            let e = errno
            close(fd)
            errno = e
            return nil
        }
        return fd
    }

    static func error(_ path: String, _ what: String, _ code: Int32 = errno) -> MediaError {
        let kind: MediaError.Kind = code == EACCES || code == EPERM ? .permissionDenied : .unreadable
        return MediaError(kind, path: path, "\(what): \(String(cString: strerror(code)))")
    }

    static func setNonBlocking(_ fd: Int32) {
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
    }

    /// The connected peer's user id (SO_PEERCRED).
    static func peerUser(_ fd: Int32) -> uid_t? {
        // struct ucred { pid_t pid; uid_t uid; gid_t gid; } (hidden behind _GNU_SOURCE in Swift's Glibc)
        var cred: (pid: Int32, uid: UInt32, gid: UInt32) = (0, 0, 0)
        var length = socklen_t(MemoryLayout<(Int32, UInt32, UInt32)>.size)
        return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &length) == 0 ? cred.uid : nil
    }
}
