import SharpPipeline
import Testing

@Suite struct WebConsoleAddressTests {
    @Test func parsesPortsAndAddresses() throws {
        #expect(try WebConsoleAddress.parse("8740") == WebConsoleAddress(host: "127.0.0.1", port: 8740))
        #expect(try WebConsoleAddress.parse(" 0 ") == WebConsoleAddress(host: "127.0.0.1", port: 0))
        #expect(try WebConsoleAddress.parse("localhost:80") == WebConsoleAddress(host: "127.0.0.1", port: 80))
        #expect(try WebConsoleAddress.parse("0.0.0.0:8740") == WebConsoleAddress(host: "0.0.0.0", port: 8740))
        let v6 = try WebConsoleAddress.parse("[::1]:8740")
        #expect(v6 == WebConsoleAddress(host: "::1", port: 8740) && v6.isLoopback && v6.description == "[::1]:8740")
        #expect(try WebConsoleAddress.parse("127.0.0.1:8740").isLoopback)
        #expect(try !WebConsoleAddress.parse("192.168.1.5:8740").isLoopback)
    }

    @Test(arguments: [
        ("", "port 0...65535"), ("65536", "port 0...65535"), ("-1", "port 0...65535"), ("web", "port"),
        ("example.com:80", "must be an IP address"), ("1.2.3:80", "must be an IP address"),
        ("[::1]8740", "[IPv6]:PORT"), ("256.1.1.1:80", "must be an IP address"),
    ])
    func refusesWithAMessage(_ text: String, _ message: String) {
        do {
            let a = try WebConsoleAddress.parse(text)
            Issue.record("accepted '\(text)' as \(a)")
        } catch {
            #expect(error.problem.contains(message), "\(text): \(error)")
        }
    }

    @Test func theConfigurationKey() throws {
        var c = LiveConfiguration()
        #expect(c.web == nil, "off by default")
        try c.apply("web", "8740", origin: "test")
        #expect(c.web == WebConsoleAddress(host: "127.0.0.1", port: 8740))
        try c.apply("web", "off", origin: "test")
        #expect(c.web == nil)
        #expect(throws: ConfigurationError.self) { try c.apply("web", "host:1", origin: "test") }
    }
}
