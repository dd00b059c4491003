/// Where the web console listens: `[ADDR:]PORT` (`web = 127.0.0.1:8740`, `--web 8740`).
///
/// Invariant: `host` is an IPv4 or IPv6 literal or `localhost` (never a name that needs DNS);
/// a bare port binds the loopback address 127.0.0.1, so the console is reachable from this
/// machine only unless an address is given explicitly. Port 0 picks a free port.
public struct WebConsoleAddress: Equatable, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public static let defaultPort = 8740

    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `PORT`, `ADDR:PORT` or `[IPv6]:PORT`; the message says what is wrong.
    public static func parse(_ text: String) throws(ConfigurationError) -> WebConsoleAddress {
        let t = text.trimmingCharacters(in: " \t")
        var host = "127.0.0.1"
        var portText = t
        if t.hasPrefix("[") {
            guard let close = t.firstIndex(of: "]"), t[t.index(after: close)...].hasPrefix(":") else {
                throw ConfigurationError("expected [IPv6]:PORT")
            }
            host = String(t[t.index(after: t.startIndex)..<close])
            portText = String(t[t.index(close, offsetBy: 2)...])
        } else if let colon = t.lastIndex(of: ":") {
            host = String(t[..<colon])
            portText = String(t[t.index(after: colon)...])
        }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ConfigurationError("expected [ADDRESS:]PORT with a port 0...65535")
        }
        guard host == "localhost" || isIPv4(host) || isIPv6(host) else {
            throw ConfigurationError("the address must be an IP address (such as 127.0.0.1) or localhost")
        }
        return WebConsoleAddress(host: host == "localhost" ? "127.0.0.1" : host, port: port)
    }

    /// True for 127.0.0.0/8 and ::1: only this machine can connect.
    public var isLoopback: Bool { host.hasPrefix("127.") || host == "::1" }

    /// `HOST:PORT` as it appears in a URL and a `Host` header.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    static func isIPv4(_ s: String) -> Bool {
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        return parts.count == 4 && parts.allSatisfy { p in p.count <= 3 && UInt8(p) != nil }
    }

    static func isIPv6(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 45 && s.contains(":")
            && s.allSatisfy { $0.isHexDigit || $0 == ":" || $0 == "." }
    }
}
