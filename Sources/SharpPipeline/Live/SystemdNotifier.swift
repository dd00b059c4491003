import Glibc

/// sd_notify without libsystemd: datagrams to $NOTIFY_SOCKET ("READY=1", "WATCHDOG=1",
/// "STATUS=…", "RELOADING=1", "STOPPING=1"). A no-op when not started by systemd.
///
/// Invariant: never blocks and never throws; the watchdog interval comes from WATCHDOG_USEC.
public final class SystemdNotifier: @unchecked Sendable {
    private let socketPath: [UInt8]?
    /// Half the watchdog timeout (systemd's recommendation), nil without a watchdog.
    public let watchdogInterval: UInt64?

    public init(environment: [String: String] = SystemdNotifier.processEnvironment()) {
        if let p = environment["NOTIFY_SOCKET"], !p.isEmpty, p.utf8.count <= UnixSocket.maxPathBytes {
            var bytes = Array(p.utf8)
            if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }  // abstract namespace
            socketPath = bytes
        } else {
            socketPath = nil
        }
        if let usec = environment["WATCHDOG_USEC"].flatMap(UInt64.init), usec > 0 {
            watchdogInterval = usec * 1000 / 2
        } else {
            watchdogInterval = nil
        }
    }

    public static func processEnvironment() -> [String: String] {
        var out: [String: String] = [:]
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID"] {
            if let v = getenv(key) { out[key] = String(cString: v) }
        }
        if let pid = out["WATCHDOG_PID"], Int32(pid) != getpid() { out["WATCHDOG_USEC"] = nil }
        return out
    }

    public var isActive: Bool { socketPath != nil }

    @discardableResult
    public func notify(_ message: String) -> Bool {
        guard let path = socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        let bytes = Array(message.utf8)
        let sent = UnixSocket.withAddress(bytes: path) { address, length in
            sendto(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL), address, length)
        }
        return sent == bytes.count
    }
}
