import Foundation
import Logging
import SharpPipeline
import Testing

@testable import SharpWebConsole

/// The router without a network: security checks run before anything reaches the daemon
/// (which is not even running here), and the small parsers it relies on.
@Suite struct WebConsoleRouterTests {
    let router = WebConsoleRouter(
        daemon: LiveDaemon(configuration: LiveConfiguration(), logger: Logger(label: "test")) { LiveConfiguration() },
        address: WebConsoleAddress(host: "127.0.0.1", port: 8740), token: "secret", saveFile: { "/nonexistent" })

    func request(_ uri: String, _ headers: [(String, String)], method: String = "GET") -> WebResponse {
        router.respond(to: WebRequest(method: method, uri: uri, headers: headers.map { (name: $0.0, value: $0.1) }))
    }

    @Test func hostOriginAndTokenChecks() {
        let host = ("Host", "127.0.0.1:8740")
        #expect(request("/", [host]).status == 200)
        #expect(request("/", [("Host", "localhost:8740")]).status == 200)
        #expect(request("/", []).status == 403, "no Host")
        #expect(request("/", [("Host", "127.0.0.1:8741")]).status == 403, "another port")
        #expect(request("/", [("Host", "attacker.example:8740")]).status == 403, "DNS rebinding")
        #expect(request("/", [host, ("Origin", "http://attacker.example")]).status == 403)
        #expect(request("/", [host, ("Origin", "null")]).status == 403)
        #expect(request("/api/status", [host]).status == 403, "no token")
        #expect(request("/api/status?token=Secret", [host]).status == 403, "tokens are case-sensitive")
        #expect(request("/api/set?token=secret", [host], method: "POST").status == 403, "POST: header only")
        #expect(request("/api/nothing", [host, ("X-SharpCam-Token", "secret")]).status == 404)
        #expect(request("/api/status", [host, ("X-SharpCam-Token", "secret")], method: "PUT").status == 405)
        let stopping = request("/api/live.jpg?token=secret", [host])
        #expect(stopping.status == 503 && String(decoding: stopping.body, as: UTF8.self).contains("stopping"))
    }

    @Test func uploadsNeedAPictureType() {
        let headers = [("Host", "127.0.0.1:8740"), ("X-SharpCam-Token", "secret")]
        for type in ["text/plain", "image/gif", "application/octet-stream", ""] {
            let r = request("/api/pictures", headers + [("Content-Type", type)], method: "POST")
            #expect(r.status == 415, "\(type): \(r.status)")
        }
    }

    @Test func queryParsing() {
        let r = WebRequest(method: "GET", uri: "/api/x?token=a%2Bb&name=my+photo.png&flag", headers: [])
        #expect(r.path == "/api/x" && r.query["token"] == "a+b" && r.query["name"] == "my photo.png")
        #expect(r.query["flag"] == "")
        let odd = WebRequest(method: "GET", uri: "/?%zz=%4&=", headers: [])
        #expect(odd.query["%zz"] == "%4")
    }

    @Test func jsonStringsAreEscaped() throws {
        let bytes = JSON.object(["a": .string("quote \" backslash \\ newline \n bell \u{7}"), "n": .number(.nan)])
        let object = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any]
        #expect(object?["a"] as? String == "quote \" backslash \\ newline \n bell \u{7}")
        #expect(object?["n"] is NSNull)
    }

    @Test func rateLimiterAllowsABurstThenRefills() {
        let limiter = RateLimiter(perSecond: 1000, burst: 5)
        let first = (0..<5).map { _ in limiter.allow() }
        #expect(first.allSatisfy { $0 })
        Thread.sleep(forTimeInterval: 0.01)
        #expect(limiter.allow(), "refilled after 10 ms at 1000/s")
        let slow = RateLimiter(perSecond: 0.001, burst: 2)
        #expect(slow.allow() && slow.allow() && !slow.allow())
    }
}
