import Glibc
import Logging
import SharpMedia
import SharpSupport

/// The daemon's control socket: a Unix stream socket that takes one-line requests
/// (`ControlRequest`) and answers them through `handler`, on its own thread, so no client can
/// reach or slow the frame path.
///
/// Who may connect: the socket file is created with `mode` (0600: the daemon's user; 0660 with
/// `group`: that group too, for the system service) and each client's user id is checked
/// (SO_PEERCRED) against the daemon's and root unless the group may connect.
///
/// Invariant: at most `maxClients` connections; a request line longer than
/// `ControlRequest.maxLineBytes`, a client silent for `idleTimeout` seconds, or one that does
/// not read its answer within `idleTimeout` is answered (when possible) and disconnected; the
/// socket file is removed when `run()` returns.
public final class ControlServer: Service, @unchecked Sendable {
    public let name = "control"
    public let path: String
    public static let maxClients = 16
    public static let idleTimeout = 5.0
    private let listenFD: Int32
    private let wakePipe: (read: Int32, write: Int32)
    private let groupMayConnect: Bool
    private let handler: (ControlRequest) -> ControlReply
    private let logger: Logger

    private struct Client {
        let fd: Int32
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var lastActivity = monotonicNanos()
        var closeAfterWrite = false
    }

    /// Creates the socket (and its directory, 0700, when missing). Throws when another daemon
    /// answers on `path`, or the path cannot be created.
    public init(
        path: String, mode: mode_t = 0o600, group: gid_t? = nil, logger: Logger,
        handler: @escaping (ControlRequest) -> ControlReply
    ) throws {
        self.path = path
        self.logger = logger
        self.handler = handler
        groupMayConnect = group != nil
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        if !directory.isEmpty, access(directory, F_OK) != 0, mkdir(directory, 0o700) != 0 {
            throw UnixSocket.error(directory, "cannot create the control socket's directory")
        }
        if let fd = try UnixSocket.connect(path) {
            close(fd)
            throw MediaError(
                .busy, path: path,
                "another sharpcamd is running (it answers on this control socket); stop it first, or pass --control")
        }
        unlink(path)  // a stale socket of a daemon that did not exit cleanly
        let fd = try UnixSocket.makeSocket(path)
        let bound = try UnixSocket.withAddress(path) { bind(fd, $0, $1) }
        guard bound == 0, listen(fd, 8) == 0 else {
            let e = UnixSocket.error(path, "cannot create the control socket")
            close(fd)
            throw e
        }
        chmod(path, mode)
        if let group { chown(path, uid_t.max, group) }
        UnixSocket.setNonBlocking(fd)
        listenFD = fd
        var p: [Int32] = [0, 0]
        guard pipe(&p) == 0 else {
            close(fd)
            throw UnixSocket.error(path, "pipe")
        }
        for end in p {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            UnixSocket.setNonBlocking(end)
        }
        wakePipe = (p[0], p[1])
    }

    deinit {
        close(listenFD)
        close(wakePipe.read)
        close(wakePipe.write)
    }

    public func stop() {
        var b: UInt8 = 1
        _ = write(wakePipe.write, &b, 1)
    }

    public func run() throws {
        defer { unlink(path) }
        var clients: [Client] = []
        defer { for c in clients { close(c.fd) } }
        var fds: [pollfd] = []
        fds.reserveCapacity(Self.maxClients + 2)
        while true {
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: wakePipe.read, events: Int16(POLLIN), revents: 0))
            fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0))
            for c in clients {
                let wantsWrite = c.sent < c.output.count
                fds.append(pollfd(fd: c.fd, events: Int16(wantsWrite ? POLLOUT : POLLIN), revents: 0))
            }
            let n = poll(&fds, nfds_t(fds.count), 500)
            if n < 0 && errno != EINTR { throw UnixSocket.error(path, "poll") }
            if fds[0].revents != 0 { return }
            // Existing clients first (their indices match `fds` from 2 on), then new ones.
            var keep: [Client] = []
            for (i, var c) in clients.enumerated() {
                let events = fds[i + 2].revents
                if events != 0 && !serve(&c, events: events) {
                    close(c.fd)
                    continue
                }
                if monotonicSeconds(since: c.lastActivity) > Self.idleTimeout {
                    logger.debug("control: closed a connection idle for \(Self.idleTimeout) s")
                    close(c.fd)
                    continue
                }
                keep.append(c)
            }
            clients = keep
            if fds[1].revents & Int16(POLLIN) != 0 { accept(into: &clients) }
        }
    }

    private func accept(into clients: inout [Client]) {
        while true {
            let fd = Glibc.accept(listenFD, nil, nil)
            if fd < 0 { return }
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            UnixSocket.setNonBlocking(fd)
            let uid = UnixSocket.peerUser(fd)
            if !groupMayConnect, uid != geteuid(), uid != 0 {
                logger.warning("control: refused a connection from user \(uid.map { "\($0)" } ?? "unknown")")
                close(fd)
                continue
            }
            if clients.count >= Self.maxClients {
                var reply = ControlReply.error("too many control connections (\(Self.maxClients)); try again").encoded
                _ = send(fd, &reply, reply.count, Int32(MSG_NOSIGNAL))
                close(fd)
                continue
            }
            clients.append(Client(fd: fd))
        }
    }

    /// Reads requests or writes answers; false when the connection is finished.
    private func serve(_ c: inout Client, events: Int16) -> Bool {
        if c.sent < c.output.count {
            let n = c.output.withUnsafeBytes {
                send(c.fd, $0.baseAddress! + c.sent, $0.count - c.sent, Int32(MSG_NOSIGNAL))
            }
            if n < 0 { return errno == EAGAIN || errno == EINTR }
            c.sent += n
            c.lastActivity = monotonicNanos()
            if c.sent == c.output.count {
                c.output.removeAll()
                c.sent = 0
                if c.closeAfterWrite { return false }
                return process(&c)  // requests that arrived while answering
            }
            return true
        }
        if events & Int16(POLLIN | POLLHUP | POLLERR) == 0 { return true }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let n = recv(c.fd, &buffer, buffer.count, 0)
        if n == 0 { return false }
        if n < 0 { return errno == EAGAIN || errno == EINTR }
        c.input += buffer[0..<n]
        c.lastActivity = monotonicNanos()
        return process(&c)
    }

    /// Answers the complete lines in `c.input` (one at a time: the next after this answer is sent).
    private func process(_ c: inout Client) -> Bool {
        guard let newline = c.input.firstIndex(of: 10) else {
            if c.input.count > ControlRequest.maxLineBytes {
                queue(.error("request longer than \(ControlRequest.maxLineBytes) bytes"), to: &c, close: true)
            }
            return true
        }
        let line = Array(c.input[..<newline])
        c.input.removeSubrange(...newline)
        let reply: ControlReply
        do {
            let request = try ControlRequest.parse(line)
            reply = handler(request)
        } catch {
            reply = .error(error.description)
        }
        queue(reply, to: &c, close: false)
        return true
    }

    private func queue(_ reply: ControlReply, to c: inout Client, close: Bool) {
        c.output = reply.encoded
        c.sent = 0
        c.closeAfterWrite = close
        c.lastActivity = monotonicNanos()
    }
}
