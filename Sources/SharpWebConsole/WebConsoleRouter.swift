import Foundation
import SharpPipeline
import SharpSupport

/// Answers the console's requests: the page, status, the live view, settings and pictures.
///
/// Security (a local page that changes settings is a target for other web pages):
/// - `Host` must name the address the console listens on (DNS rebinding gets 403);
/// - an `Origin` or `Sec-Fetch-Site: cross-site` from another site gets 403;
/// - every `/api/` request needs this run's token (`X-SharpCam-Token`, or `?token=` for GETs
///   that an `<img>` makes); a POST needs it in the header, which a cross-site form cannot set;
/// - bodies are limited to `maxBodyBytes`, requests to a rate per class (429 beyond it), one
///   picture is processed at a time; nothing is served from disk by path.
///
/// Invariant: never traps on any request; every answer is a `WebResponse`.
public final class WebConsoleRouter: @unchecked Sendable {
    public static let maxBodyBytes = PictureSharpener.maxBytes
    public let token: String
    let daemon: LiveDaemon
    let allowedHosts: Set<String>
    let saveFile: @Sendable () -> String
    let preview: LivePreview
    let pictures = PictureSharpener()
    let history = StatusHistory()
    let reads = RateLimiter(perSecond: 60, burst: 120)
    let writes = RateLimiter(perSecond: 10, burst: 20)
    let uploads = RateLimiter(perSecond: 2, burst: 4)
    private let pictureLock = ConditionLock()
    private var pictureBusy = false

    public init(
        daemon: LiveDaemon, address: WebConsoleAddress, token: String, saveFile: @escaping @Sendable () -> String
    ) {
        self.daemon = daemon
        self.token = token
        self.saveFile = saveFile
        preview = LivePreview(daemon: daemon)
        var hosts: Set<String> = [address.description]
        if address.isLoopback {
            hosts.formUnion(["127.0.0.1:\(address.port)", "localhost:\(address.port)", "[::1]:\(address.port)"])
        }
        allowedHosts = hosts
    }

    /// A fresh random token (128 bits, hex).
    public static func makeToken() -> String {
        var g = SystemRandomNumberGenerator()
        return (0..<4).map { _ in String(format: "%08x", UInt32.random(in: .min ... .max, using: &g)) }.joined()
    }

    public func respond(to r: WebRequest) -> WebResponse {
        guard let host = r.header("host"), allowedHosts.contains(host.lowercased()) else {
            return .error(
                403, "wrong Host header (the console answers only as \(allowedHosts.sorted().joined(separator: ", ")))")
        }
        if let origin = r.header("origin"), origin != "http://\(host)" {
            return .error(403, "requests from another origin (\(origin.prefix(80))) are refused")
        }
        if r.header("sec-fetch-site") == "cross-site" { return .error(403, "cross-site requests are refused") }
        if r.method == "GET" && (r.path == "/" || r.path == "/index.html") {
            return WebResponse(
                status: 200, contentType: "text/html; charset=utf-8", body: Array(WebConsolePage.html.utf8))
        }
        guard r.path.hasPrefix("/api/") else { return .error(404, "no such page: \(r.path.prefix(80))") }
        let given = r.header("x-sharpcam-token") ?? (r.method == "GET" ? r.query["token"] : nil)
        guard let given, Self.constantTimeEqual(given, token) else {
            return .error(403, "missing or wrong token: open the address `sharpcamd ctl web` prints")
        }
        guard (r.method == "GET" ? reads : writes).allow() else {
            return WebResponse(
                status: 429, contentType: "application/json",
                body: JSON.object(["error": .string("too many requests; slow down")]), headers: [("Retry-After", "1")])
        }
        let segments = r.path.split(separator: "/").map(String.init)  // ["api", ...]
        switch (r.method, Array(segments.dropFirst())) {
        case ("GET", ["status"]): return status()
        case ("GET", ["live.jpg"]): return live()
        case ("POST", ["set"]): return set(r.body)
        case ("POST", ["save"]): return save()
        case ("POST", ["pictures"]): return upload(r)
        case ("POST", let p) where p.count == 3 && p[0] == "pictures" && p[2] == "reference":
            return reference(r, id: p[1])
        case ("GET", let p) where p.count == 3 && p[0] == "pictures" && p[2] == "result.png":
            return result(id: p[1])
        case (_, ["status"]), (_, ["live.jpg"]), (_, ["set"]), (_, ["save"]), (_, ["pictures"]):
            return .error(405, "\(r.method.prefix(10)) is not allowed on \(r.path)")
        default:
            return .error(404, "no such request: \(r.path.prefix(80))")
        }
    }

    /// Samples the daemon's status into the chart's history (once a second).
    func sample() { history.record(daemon.controlStatus()) }

    func status() -> WebResponse {
        .json(JSON.object(["status": .raw(daemon.controlStatus().json()), "history": .raw(history.json())]))
    }

    func live() -> WebResponse {
        switch preview.jpeg() {
        case .success(let jpeg): return WebResponse(status: 200, contentType: "image/jpeg", body: jpeg)
        case .failure(let e): return .error(503, e.description)
        }
    }

    /// `{"strength": 0.7}` or `{"mode": "classic"}`: the same path as `sharpcamd ctl set`.
    func set(_ body: [UInt8]) -> WebResponse {
        guard let object = try? JSONDecoder().decode([String: SettingValue].self, from: Data(body)), object.count == 1,
            let (key, raw) = object.first, ControlRequest.settableKeys.contains(key)
        else {
            return .error(
                400, "expected a JSON object with one of \(ControlRequest.settableKeys.joined(separator: ", "))")
        }
        let value = raw.text
        guard value.utf8.count <= 100, !value.contains(where: { $0.isWhitespace || $0.isNewline }) else {
            return .error(400, "\(key): value too long or contains spaces")
        }
        switch daemon.handle(.set(key: key, value: value)) {
        case .ok(let name):
            let s = daemon.configuration.processing
            return .json(
                JSON.object([
                    "processor": .string(String(decoding: name, as: UTF8.self)),
                    "strength": .number(Double("\(s.strength)") ?? 0),
                    "mode": .string(s.mode.rawValue),
                ]))
        case .error(let message): return .error(400, message)
        }
    }

    /// Writes the running strength and mode to the configuration file read at start.
    func save() -> WebResponse {
        let s = daemon.configuration.processing
        let file = saveFile()
        do {
            try LiveConfiguration.save(key: "mode", value: s.mode.rawValue, toFile: file)
            try LiveConfiguration.save(key: "strength", value: "\(s.strength)", toFile: file)
        } catch {
            return .error(500, "\(error)")
        }
        return .json(
            JSON.object([
                "saved": .string(file), "strength": .number(Double("\(s.strength)") ?? 0),
                "mode": .string(s.mode.rawValue),
            ]))
    }

    /// Checks an image upload's size, type and rate; nil when it may go on.
    func uploadProblem(_ r: WebRequest) -> WebResponse? {
        let type = (r.header("content-type") ?? "").split(separator: ";").first.map {
            $0.trimmingCharacters(in: .whitespaces).lowercased()
        }
        guard type == "image/png" || type == "image/jpeg" else {
            return .error(
                415, "upload a PNG or JPEG picture (Content-Type image/png or image/jpeg, not \(type ?? "none"))")
        }
        guard uploads.allow() else {
            return WebResponse(
                status: 429, contentType: "application/json",
                body: JSON.object(["error": .string("too many pictures; wait a moment")]),
                headers: [("Retry-After", "1")])
        }
        return nil
    }

    /// Runs `work` unless another picture is being processed (429 then).
    func onePictureAtATime(_ work: () -> WebResponse) -> WebResponse {
        let free = pictureLock.withLock { () -> Bool in
            if pictureBusy { return false }
            pictureBusy = true
            return true
        }
        guard free else { return .error(429, "another picture is being sharpened; try again when it is done") }
        defer { pictureLock.withLock { pictureBusy = false } }
        return work()
    }

    func upload(_ r: WebRequest) -> WebResponse {
        if let problem = uploadProblem(r) { return problem }
        let name = "upload" + (r.query["name"].map { " '\($0.prefix(60))'" } ?? "")
        return onePictureAtATime {
            do {
                var settings = daemon.configuration.processing
                if settings.mode == .bypass { settings.mode = .nn }
                let p = try pictures.sharpen(r.body, name: name, settings: settings)
                return .json(
                    JSON.object([
                        "id": .int(p.id), "width": .int(p.width), "height": .int(p.height),
                        "processor": .string(p.processor), "result": .string("/api/pictures/\(p.id)/result.png"),
                    ]))
            } catch {
                return .error(400, "\(error)")
            }
        }
    }

    func reference(_ r: WebRequest, id: String) -> WebResponse {
        guard let n = Int(id) else { return .error(404, "no such picture") }
        if let problem = uploadProblem(r) { return problem }
        return onePictureAtATime {
            do {
                let s = try pictures.score(n, reference: r.body, name: "reference")
                return .json(
                    JSON.object([
                        "psnr_input": .number(s.psnrInput), "psnr_result": .number(s.psnrResult),
                        "ssim_input": .number(s.ssimInput), "ssim_result": .number(s.ssimResult),
                    ]))
            } catch {
                return .error(400, "\(error)")
            }
        }
    }

    func result(id: String) -> WebResponse {
        guard let n = Int(id), let p = pictures.picture(n) else {
            return .error(404, "no such picture (only the last \(PictureSharpener.capacity) are kept)")
        }
        return WebResponse(
            status: 200, contentType: "image/png", body: p.png,
            headers: [("Content-Disposition", "attachment; filename=\"sharpcam-\(p.id).png\"")])
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        var d: UInt8 = 0
        for i in x.indices { d |= x[i] ^ y[i] }
        return d == 0
    }
}

/// A setting's value in a JSON request: a number or a string (anything else is refused).
enum SettingValue: Decodable {
    case number(Double)
    case string(String)

    init(from decoder: Decoder) throws {
        let c = try decoder.singleValueContainer()
        if let d = try? c.decode(Double.self) {
            self = .number(d)
        } else {
            self = .string(try c.decode(String.self))
        }
    }

    var text: String {
        switch self {
        case .number(let d): return "\(d)"
        case .string(let s): return s
        }
    }
}
