import Foundation
import Glibc
import TestSupport
import Testing

/// `sharpcamd --web`: every endpoint of the console, its security checks and bad uploads,
/// over real HTTP (curl) against the built daemon on the generated clip.
@Suite struct WebConsoleCLITests {
    let dir = TemporaryDirectory("web-cli")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    /// A running daemon with its console on a free port: the URL, port and token from `ctl web`.
    struct Console {
        let process: Process
        let socket: String
        let base: String
        let token: String
        func stop() { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    func start(_ extra: [String] = [], env: [String: String] = [:]) throws -> Console {
        let socket = dir.file("run-\(UInt32.random(in: 0 ... .max))/control")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments =
            ["--input", "demo", "--output", "null", "--size", "320x180", "--mode", "classic", "--control", socket]
            + (extra.isEmpty ? ["--web", "127.0.0.1:0"] : extra)
        if !env.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 } }
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        var started = false
        defer { if !started { kill(p.processIdentifier, SIGKILL) } }
        try waitUntil(seconds: 20) { access(socket, F_OK) == 0 }
        var url = ""
        if extra.contains("off") {
            started = true
            return Console(process: p, socket: socket, base: "", token: "")
        }
        try waitUntil(seconds: 10) {
            let r = try? ProcessRunner.run(binary, ["ctl", "web", "--socket", socket])
            url = r?.status == 0 ? r!.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) : ""
            return !url.isEmpty
        }
        let parts = url.components(separatedBy: "/?token=")
        started = true
        return Console(process: p, socket: socket, base: parts[0], token: parts[1])
    }

    struct Answer {
        var code: Int
        var body: Data
        var text: String { String(decoding: body, as: UTF8.self) }
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:] }
    }

    /// One request with curl: headers as "Name: value"; `file` sends that file as the body.
    func curl(
        _ url: String, method: String = "GET", headers: [String] = [], body: String? = nil, file: String? = nil,
        extra: [String] = []
    ) throws -> Answer {
        let out = dir.file("answer-\(UInt32.random(in: 0 ... .max))")
        var args = ["-s", "-o", out, "-w", "%{http_code}", "-X", method, "--max-time", "20"] + extra
        for h in headers { args += ["-H", h] }
        if let body { args += ["--data-binary", body] }
        if let file { args += ["--data-binary", "@" + file] }
        let r = try ProcessRunner.run("/usr/bin/curl", args + [url])
        let data = FileManager.default.contents(atPath: out) ?? Data()
        return Answer(code: Int(r.stdoutText) ?? -1, body: data)
    }

    func auth(_ c: Console) -> String { "X-SharpCam-Token: \(c.token)" }

    @Test func pageStatusLiveAndSettings() throws {
        let config = dir.file("config")
        let c = try start(env: ["XDG_CONFIG_HOME": config])
        defer { c.stop() }
        let page = try curl(c.base + "/", extra: ["-D", dir.file("headers")])
        #expect(page.code == 200 && page.text.contains("<title>SharpCam</title>"))
        let headers = try String(contentsOfFile: dir.file("headers"), encoding: .utf8).lowercased()
        #expect(
            headers.contains("content-security-policy: default-src 'none'") && headers.contains("x-frame-options: deny")
        )

        // The live view: a JPEG of input | output (320x180 each: 640 wide, not scaled), changing.
        let live1 = try curl(c.base + "/api/live.jpg?token=\(c.token)")
        #expect(
            live1.code == 200 && live1.body.starts(with: [0xFF, 0xD8, 0xFF]), "\(live1.code) \(live1.text.prefix(200))")
        try live1.body.write(to: URL(fileURLWithPath: dir.file("live.jpg")))
        let probe = try Fixtures.probe(dir.file("live.jpg"))
        #expect(probe.width == 640 && probe.height == 180, "\(probe)")
        Thread.sleep(forTimeInterval: 0.3)
        let live2 = try curl(c.base + "/api/live.jpg", headers: [auth(c)])
        #expect(live2.code == 200 && live2.body != live1.body, "the demo clip moves: frames differ")

        // Status, with a history for the chart after a few seconds.
        try waitUntil(seconds: 10) {
            ((try? curl(c.base + "/api/status", headers: [auth(c)]).json["history"]) as? [Any])?.count ?? 0 >= 2
        }
        let status = try curl(c.base + "/api/status", headers: [auth(c)])
        let s = status.json["status"] as? [String: Any] ?? [:]
        #expect(status.code == 200 && s["mode"] as? String == "classic" && s["input"] as? String == "demo")
        let sample = (status.json["history"] as? [[String: Any]])?.last ?? [:]
        #expect(sample["fps"] is Double && sample["t"] is Double, "\(sample)")
        // fps out counts each written frame once (repeats included, not twice): at most the rate.
        let fps = s["fps"] as? Double ?? -1, rate = s["frame_rate"] as? Double ?? 0
        #expect(fps > 0 && fps <= rate * 1.15, "fps out \(fps) at \(rate) fps")

        // Settings: the same path as `ctl set`, checked through `ctl status`.
        let set = try curl(
            c.base + "/api/set", method: "POST", headers: [auth(c), "Content-Type: application/json"],
            body: #"{"strength": 0.3}"#)
        #expect(set.code == 200 && (set.json["processor"] as? String ?? "").contains("0.3"), "\(set.text)")
        let ctl = try ProcessRunner.run(binary, ["ctl", "status", "--json", "--socket", c.socket])
        #expect(ctl.stdoutText.contains("\"strength\":0.3"), "\(ctl.stdoutText)")
        let mode = try curl(c.base + "/api/set", method: "POST", headers: [auth(c)], body: #"{"mode":"nn"}"#)
        #expect(mode.code == 200 && mode.json["mode"] as? String == "nn", "\(mode.text)")
        for (bad, why) in [
            (#"{"strength": 9}"#, "out of range"), (#"{"threads": 1}"#, "expected a JSON object"),
            (#"{"strength": true}"#, "expected a JSON object"), ("strength=0.5", "expected a JSON object"),
            (#"{"strength": 0.5, "mode": "nn"}"#, "expected a JSON object"), (#"{"mode": "sepia"}"#, "mode"),
        ] {
            let r = try curl(c.base + "/api/set", method: "POST", headers: [auth(c)], body: bad)
            #expect(r.code == 400 && (r.json["error"] as? String ?? "").contains(why), "\(bad): \(r.code) \(r.text)")
        }
        let save = try curl(c.base + "/api/save", method: "POST", headers: [auth(c)])
        #expect(save.code == 200, "\(save.text)")
        let saved = try String(contentsOfFile: config + "/sharpcam/sharpcamd.conf", encoding: .utf8)
        #expect(saved.contains("mode = nn") && saved.contains("strength = 0.3"), "\(saved)")
    }

    @Test func refusesOtherSitesMissingTokensAndPaths() throws {
        let c = try start()
        defer { c.stop() }
        let status = c.base + "/api/status"
        #expect(try curl(status).code == 403, "no token")
        #expect(try curl(status, headers: ["X-SharpCam-Token: 0123"]).code == 403, "wrong token")
        #expect(try curl(status + "?token=\(c.token)x").code == 403, "wrong token in the query")
        #expect(try curl(status, headers: [auth(c), "Host: evil.example:80"]).code == 403, "DNS rebinding")
        #expect(try curl(c.base + "/", headers: ["Host: evil.example"]).code == 403, "the page too")
        #expect(try curl(status, headers: [auth(c), "Origin: http://evil.example"]).code == 403, "other origin")
        #expect(try curl(status, headers: [auth(c), "Sec-Fetch-Site: cross-site"]).code == 403)
        let host = c.base.replacingOccurrences(of: "http://", with: "")
        #expect(try curl(status, headers: [auth(c), "Origin: http://\(host)"]).code == 200, "same origin")
        let port = host.split(separator: ":").last!
        #expect(try curl(status, headers: [auth(c), "Host: localhost:\(port)"]).code == 200, "localhost")
        // A POST must carry the token in the header (a cross-site form cannot set it).
        let query = try curl(c.base + "/api/set?token=\(c.token)", method: "POST", body: #"{"strength":0.5}"#)
        #expect(query.code == 403)
        // Nothing is served from disk by path.
        for path in ["/etc/passwd", "/api/../../etc/passwd", "/api/pictures/../../../etc/passwd", "/README.md"] {
            let r = try curl(c.base + path + "?token=\(c.token)", extra: ["--path-as-is"])
            #expect(r.code == 404 && !r.text.contains("root:"), "\(path): \(r.code)")
        }
        #expect(try curl(status, method: "DELETE", headers: [auth(c)]).code == 405)
        // Many requests at once: limited to a rate (429), never a crash.
        let many = try ProcessRunner.run(
            "/usr/bin/curl",
            ["-s", "-w", "%{http_code}\n", "-H", auth(c)]
                + Array(repeating: ["-o", "/dev/null", status], count: 200).flatMap { $0 })
        let codes = many.stdoutText.split(separator: "\n")
        #expect(codes.count == 200 && codes.first == "200" && codes.contains("429"), "\(Set(codes))")
    }

    @Test func concurrentClientsAndFramesKeepFlowing() throws {
        let c = try start()
        defer { c.stop() }
        let processed = { () -> Int in
            let r = try? ProcessRunner.run(binary, ["ctl", "status", "--json", "--socket", c.socket])
            let o = r.flatMap { try? JSONSerialization.jsonObject(with: $0.stdout) as? [String: Any] }
            return o?["processed"] as? Int ?? -1
        }
        let before = processed()
        let codes = ConditionLockedArray()
        DispatchQueue.concurrentPerform(iterations: 16) { i in
            let path = i % 2 == 0 ? "/api/live.jpg" : "/api/status"
            let r = try? curl(c.base + path, headers: [auth(c)])
            codes.append(r?.code ?? -1)
        }
        #expect(codes.values.allSatisfy { $0 == 200 }, "\(codes.values)")
        try waitUntil(seconds: 5) { processed() > before + 10 }
    }

    @Test func picturesUploadDownloadAndScores() throws {
        let c = try start()
        defer { c.stop() }
        let sharp = dir.file("sharp.png"), soft = dir.file("soft.png")
        try ProcessRunner.check(
            "ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=320x240", "-frames:v", "1", sharp])
        try ProcessRunner.check("ffmpeg", ["-v", "error", "-y", "-i", sharp, "-vf", "gblur=sigma=1.5", soft])
        let up = try curl(
            c.base + "/api/pictures?name=soft.png", method: "POST", headers: [auth(c), "Content-Type: image/png"],
            file: soft)
        #expect(up.code == 200, "\(up.text)")
        let id = up.json["id"] as? Int ?? -1
        #expect(up.json["width"] as? Int == 320 && up.json["height"] as? Int == 240)
        let result = try curl(c.base + "/api/pictures/\(id)/result.png", headers: [auth(c)])
        #expect(result.code == 200)
        let resultPath = dir.file("result.png")
        try result.body.write(to: URL(fileURLWithPath: resultPath))
        let probe = try Fixtures.probe(resultPath)
        #expect(probe.width == 320 && probe.height == 240 && probe.codec == "png", "\(probe)")

        let scores = try curl(
            c.base + "/api/pictures/\(id)/reference", method: "POST", headers: [auth(c), "Content-Type: image/png"],
            file: sharp)
        #expect(scores.code == 200, "\(scores.text)")
        let oracle = try ProcessRunner.check(
            TestEnvironment.python, [TestEnvironment.oracle("picture_scores.py"), soft, resultPath, sharp])
        let expected = try JSONSerialization.jsonObject(with: oracle.stdout) as? [String: Double] ?? [:]
        for key in ["psnr_input", "psnr_result", "ssim_input", "ssim_result"] {
            let ours = scores.json[key] as? Double ?? .nan, theirs = expected[key] ?? .infinity
            #expect(abs(ours - theirs) < 1e-6 * max(1, abs(theirs)), "\(key): \(ours) vs scikit-image \(theirs)")
        }
        #expect((scores.json["psnr_result"] as? Double ?? 0) > (scores.json["psnr_input"] as? Double ?? 0))

        // Bad uploads: each refused with a message naming what is wrong; the daemon goes on.
        let text = dir.file("text.png"), truncated = dir.file("truncated.png"), huge = dir.file("huge.png")
        try writeFile(text, Data("not a picture at all".utf8))
        try writeFile(truncated, try Data(contentsOf: URL(fileURLWithPath: soft)).prefix(300))
        try writeFile(huge, Data([0x89, 0x50, 0x4E, 0x47]) + Data(count: 17 << 20))
        let small = dir.file("small.png")
        try ProcessRunner.check("ffmpeg", ["-v", "error", "-y", "-i", sharp, "-vf", "scale=160:120", small])
        let cases: [(String, String, String, Int, String)] = [
            ("/api/pictures", "image/png", text, 400, "not a PNG or JPEG"),
            ("/api/pictures", "image/png", truncated, 400, "upload"),
            ("/api/pictures", "text/plain", soft, 415, "Content-Type"),
            ("/api/pictures", "image/png", huge, 413, "larger than"),
            ("/api/pictures/\(id)/reference", "image/png", small, 400, "the reference is 160x120"),
            ("/api/pictures/999/reference", "image/png", sharp, 400, "no picture 999"),
        ]
        for (path, type, file, code, why) in cases {
            Thread.sleep(forTimeInterval: 0.5)  // under the upload rate limit
            let r = try curl(c.base + path, method: "POST", headers: [auth(c), "Content-Type: \(type)"], file: file)
            #expect(r.code == code && r.text.contains(why), "\(path) \(type) \(file): \(r.code) \(r.text)")
        }
        #expect(try curl(c.base + "/api/pictures/999/result.png", headers: [auth(c)]).code == 404)
        #expect(try curl(c.base + "/api/status", headers: [auth(c)]).code == 200, "still running")
    }

    @Test func offByDefaultAndClearErrors() throws {
        let c = try start(["--web", "off"])
        defer { c.stop() }
        let off = try ProcessRunner.run(binary, ["ctl", "web", "--socket", c.socket])
        #expect(off.status == 1 && off.stderr.contains("the web console is off"), "\(off.stderr)")
        let badPort = try ProcessRunner.run(binary, ["--input", "demo", "--output", "null", "--web", "99999"])
        #expect(badPort.status != 0 && badPort.stderr.contains("web = 99999"), "\(badPort.stderr)")
        let badHost = try ProcessRunner.run(binary, ["--input", "demo", "--output", "null", "--web", "example.com:80"])
        #expect(badHost.status != 0 && badHost.stderr.contains("must be an IP address"), "\(badHost.stderr)")
    }

    @Test func aTakenPortIsNamed() throws {
        let a = try start()
        defer { a.stop() }
        let port = a.base.split(separator: ":").last!
        let b = try ProcessRunner.run(
            binary,
            [
                "--input", "demo", "--output", "null", "--control", dir.file("b/control"), "--web",
                "127.0.0.1:\(port)",
            ])
        #expect(b.status != 0 && b.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(b.stderr)")
    }
}

/// Ints appended from several threads.
final class ConditionLockedArray: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [Int] = []
    func append(_ v: Int) { lock.withLock { items.append(v) } }
    var values: [Int] { lock.withLock { items } }
}
