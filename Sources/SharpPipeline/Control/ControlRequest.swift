/// One request on the control socket, parsed from one line of text.
///
/// The protocol (docs/CONTROL.md): the client sends one UTF-8 line of at most
/// `maxLineBytes` bytes ending in `\n`; the daemon answers `ok N\n` followed by N bytes of
/// body, or `error MESSAGE\n`, and may take further requests on the same connection.
///
/// Invariant: `parse` accepts exactly the requests listed in `usage` and throws a one-line
/// message for anything else; it never traps, whatever the bytes.
public enum ControlRequest: Equatable, Sendable, CustomStringConvertible {
    /// The daemon's state as JSON (`ControlStatus`).
    case status
    /// Changes a setting on the running daemon (`strength`, `mode`).
    case set(key: String, value: String)
    /// The current input and output side by side, as one frame (`ControlFrame`).
    case snapshot
    /// The web console's address with its token (`sharpcamd ctl web`).
    case web

    public static let maxLineBytes = 4096
    /// The settings `set` changes while running.
    public static let settableKeys = ["strength", "mode"]
    public static let usage = "status | set strength 0...1 | set mode nn|classic|bypass | snapshot | web"

    public var description: String {
        switch self {
        case .status: return "status"
        case .set(let key, let value): return "set \(key) \(value)"
        case .snapshot: return "snapshot"
        case .web: return "web"
        }
    }

    /// Parses one line (without its `\n`).
    public static func parse(_ line: [UInt8]) throws(ControlProtocolError) -> ControlRequest {
        guard line.count <= maxLineBytes else {
            throw ControlProtocolError("request longer than \(maxLineBytes) bytes")
        }
        guard let text = String(validating: line, as: UTF8.self) else {
            throw ControlProtocolError("request is not UTF-8 text")
        }
        if let bad = text.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\t" && $0 != "\r" }) {
            throw ControlProtocolError("request contains the control character U+\(String(bad.value, radix: 16))")
        }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
        guard let command = words.first else { throw ControlProtocolError("empty request (expected \(usage))") }
        switch (command.lowercased(), words.count) {
        case ("status", 1): return .status
        case ("snapshot", 1): return .snapshot
        case ("web", 1): return .web
        case ("set", 3):
            let key = words[1].lowercased()
            guard settableKeys.contains(key) else {
                let settable = settableKeys.joined(separator: ", ")
                throw ControlProtocolError("cannot set '\(printable(words[1]))' while running (settable: \(settable))")
            }
            return .set(key: key, value: words[2])
        case ("status", _), ("snapshot", _), ("set", _), ("web", _):
            throw ControlProtocolError("wrong number of arguments for '\(command)' (expected \(usage))")
        default:
            throw ControlProtocolError("unknown request '\(printable(command))' (expected \(usage))")
        }
    }

    /// At most 40 characters of user text, for error messages.
    static func printable(_ s: String) -> String { s.count <= 40 ? s : String(s.prefix(40)) + "…" }
}

/// A request the daemon cannot take; `description` is one line.
public struct ControlProtocolError: Error, CustomStringConvertible, Equatable, Sendable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// An answer on the control socket.
public enum ControlReply: Equatable, Sendable {
    case ok([UInt8])
    case error(String)

    /// `ok N\n` + body, or `error MESSAGE\n` (message on one line).
    public var encoded: [UInt8] {
        switch self {
        case .ok(let body): return Array("ok \(body.count)\n".utf8) + body
        case .error(let message):
            let line = message.unicodeScalars.map { $0.value < 0x20 ? " " : String($0) }.joined()
            return Array("error \(line)\n".utf8)
        }
    }
}
