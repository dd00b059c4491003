import Glibc
import SharpMedia
import SharpSupport

/// Sends one request to a running daemon's control socket and returns the answer's body.
///
/// Invariant: returns the body of an `ok` answer or throws: `ControlClientError` for a daemon
/// that refused the request (its message), `MediaError` for a socket that cannot be reached
/// (naming the path and what to do).
public enum ControlClient {
    /// Seconds to wait for an answer (a snapshot waits up to two seconds for a frame).
    public static let timeout = 10.0

    public static func send(_ request: String, to path: String) throws -> [UInt8] {
        guard let fd = try UnixSocket.connect(path) else {
            let e = errno
            switch e {
            case ENOENT, ECONNREFUSED:
                throw MediaError(
                    .notFound, path: path,
                    """
                    no sharpcamd is running here (no control socket answers); start it (systemctl --user start \
                    sharpcamd, or sharpcamd) or pass --socket PATH
                    """)
            case EACCES, EPERM:
                throw MediaError(
                    .permissionDenied, path: path,
                    """
                    permission denied: the system service's socket is for group video (sudo usermod -aG video \
                    $USER, then log in again)
                    """)
            default: throw UnixSocket.error(path, "cannot connect", e)
            }
        }
        defer { close(fd) }
        var timeout = timeval(tv_sec: Int(Self.timeout), tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        let line = Array((request + "\n").utf8)
        var offset = 0
        while offset < line.count {
            let n = line.withUnsafeBytes {
                Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { throw UnixSocket.error(path, "cannot send the request") }
            offset += n
        }
        var reader = Reader(fd: fd, path: path)
        let header = try reader.line()
        if header.hasPrefix("error ") { throw ControlClientError(String(header.dropFirst(6))) }
        guard header.hasPrefix("ok "), let count = Int(header.dropFirst(3)), count >= 0, count < 1 << 30 else {
            throw MediaError(.corrupt, path: path, "unexpected answer '\(header.prefix(60))'")
        }
        return try reader.bytes(count)
    }

    private struct Reader {
        let fd: Int32
        let path: String
        var buffer: [UInt8] = []

        mutating func fill() throws {
            var chunk = [UInt8](repeating: 0, count: 65536)
            let n = recv(fd, &chunk, chunk.count, 0)
            if n == 0 { throw MediaError(.truncated, path: path, "the daemon closed the connection") }
            if n < 0 {
                if errno == EINTR { return }
                if errno == EAGAIN { throw MediaError(.unreadable, path: path, "no answer within \(Int(timeout)) s") }
                throw UnixSocket.error(path, "cannot read the answer")
            }
            buffer += chunk[0..<n]
        }

        mutating func line() throws -> String {
            while true {
                if let i = buffer.firstIndex(of: 10) {
                    let text = String(decoding: buffer[..<i], as: UTF8.self)
                    buffer.removeSubrange(...i)
                    return text
                }
                if buffer.count > ControlRequest.maxLineBytes {
                    throw MediaError(.corrupt, path: path, "answer line too long")
                }
                try fill()
            }
        }

        mutating func bytes(_ count: Int) throws -> [UInt8] {
            buffer.reserveCapacity(count)
            while buffer.count < count { try fill() }
            return Array(buffer[..<count])
        }
    }
}

/// The daemon's answer to a request it refused.
public struct ControlClientError: Error, CustomStringConvertible, Sendable {
    public let description: String
    public init(_ d: String) { description = d }
}
