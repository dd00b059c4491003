import Foundation

/// One HTTP request as the console's router sees it (parsed by NIOHTTP1; the body collected,
/// at most `WebConsoleRouter.maxBodyBytes`).
public struct WebRequest: Sendable {
    public var method: String
    /// The path without the query ("/api/status").
    public var path: String
    /// Query parameters, percent-decoded (the last of repeated names wins).
    public var query: [String: String]
    /// Header names in lower case.
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public init(method: String, uri: String, headers: [(name: String, value: String)], body: [UInt8] = []) {
        self.method = method
        let parts = uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)
        path = parts.first.map(String.init) ?? "/"
        var q: [String: String] = [:]
        if parts.count == 2 {
            for pair in parts[1].split(separator: "&") {
                let kv = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = Self.percentDecoded(kv[0])
                q[key] = kv.count == 2 ? Self.percentDecoded(kv[1]) : ""
            }
        }
        query = q
        self.headers = headers.map { ($0.name.lowercased(), $0.value) }
        self.body = body
    }

    /// The first value of header `name` (lower case).
    public func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }

    static func percentDecoded(_ s: Substring) -> String {
        var bytes: [UInt8] = []
        var i = s.utf8.startIndex
        let u = s.utf8
        while i != u.endIndex {
            let c = u[i]
            if c == UInt8(ascii: "%"), let h1 = u.index(i, offsetBy: 1, limitedBy: u.endIndex), h1 != u.endIndex,
                let h2 = u.index(h1, offsetBy: 1, limitedBy: u.endIndex), h2 != u.endIndex,
                let v = UInt8(String(decoding: [u[h1], u[h2]], as: UTF8.self), radix: 16)
            {
                bytes.append(v)
                i = u.index(after: h2)
            } else {
                bytes.append(c == UInt8(ascii: "+") ? UInt8(ascii: " ") : c)
                i = u.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// The router's answer.
public struct WebResponse: Sendable {
    public var status: Int
    public var contentType: String
    public var body: [UInt8]
    public var headers: [(name: String, value: String)] = []

    public init(status: Int, contentType: String, body: [UInt8], headers: [(name: String, value: String)] = []) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.headers = headers
    }

    /// `{"error": message}` with `status`.
    public static func error(_ status: Int, _ message: String) -> WebResponse {
        WebResponse(status: status, contentType: "application/json", body: JSON.object(["error": .string(message)]))
    }

    public static func json(_ body: [UInt8]) -> WebResponse {
        WebResponse(status: 200, contentType: "application/json", body: body)
    }
}

/// A minimal JSON writer for the console's small answers (numbers, strings, objects).
enum JSON {
    indirect enum Value {
        case string(String), number(Double), int(Int), bool(Bool), raw([UInt8]), null
    }

    static func object(_ fields: KeyValuePairs<String, Value>) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "{")]
        for (i, (k, v)) in fields.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out += quoted(k) + [UInt8(ascii: ":")] + encode(v)
        }
        return out + [UInt8(ascii: "}")]
    }

    static func encode(_ v: Value) -> [UInt8] {
        switch v {
        case .string(let s): return quoted(s)
        case .number(let d): return Array((d.isFinite ? "\(d)" : "null").utf8)
        case .int(let i): return Array("\(i)".utf8)
        case .bool(let b): return Array((b ? "true" : "false").utf8)
        case .raw(let bytes): return bytes
        case .null: return Array("null".utf8)
        }
    }

    static func quoted(_ s: String) -> [UInt8] {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += Array("\\\"".utf8)
            case "\\": out += Array("\\\\".utf8)
            case "\n": out += Array("\\n".utf8)
            default:
                if scalar.value < 0x20 {
                    out += Array(String(format: "\\u%04x", scalar.value).utf8)
                } else {
                    out += Array(String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
        return out
    }
}
