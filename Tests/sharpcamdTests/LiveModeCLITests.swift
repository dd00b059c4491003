import Foundation
import Glibc
import TestSupport
import Testing

/// `sharpcamd` in live mode as systemd runs it: the sd_notify protocol on $NOTIFY_SOCKET
/// (READY, STATUS with geometry/rate/latency, WATCHDOG from the output stage, RELOADING on
/// SIGHUP, STOPPING on SIGTERM), and the example configuration file from systemd/.
@Suite struct LiveModeCLITests {
    let dir = TemporaryDirectory("live-cli")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    /// A datagram socket standing in for systemd's notify socket.
    final class NotifySocket {
        let fd: Int32
        let path: String
        private(set) var messages: [String] = []
        init(path: String) throws {
            self.path = path
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            let ok = withUnixAddress(path) { bind(fd, $0, $1) }
            guard ok == 0 else { throw TestSetupError("bind \(path) failed") }
        }
        deinit { close(fd) }
        /// Collects messages until `condition` holds for the list so far (or `seconds` pass).
        @discardableResult
        func collect(seconds: Double, until condition: ([String]) -> Bool = { _ in false }) -> Bool {
            let deadline = Date().addingTimeInterval(seconds)
            var buf = [UInt8](repeating: 0, count: 4096)
            while Date() < deadline {
                if condition(messages) { return true }
                var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                guard poll(&p, 1, 50) > 0 else { continue }
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { messages.append(String(decoding: buf[0..<n], as: UTF8.self)) }
            }
            return condition(messages)
        }
    }

    @Test func speaksTheSystemdNotifyProtocol() throws {
        let socket = try NotifySocket(path: dir.file("notify.sock"))
        let config = dir.file("sharpcamd.conf")
        try writeFile(config, Data("stats-interval = 0.5\nsize = 320x240\nmode = classic\n".utf8))
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--config", config, "--input", "demo", "--output", "null"]
        p.environment = ProcessInfo.processInfo.environment.merging([
            "NOTIFY_SOCKET": socket.path, "WATCHDOG_USEC": "400000",
        ]) { $1 }
        let err = Pipe()
        p.standardError = err
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }

        // READY once running, then periodic STATUS with latency and watchdog pings (every 0.2 s).
        #expect(socket.collect(seconds: 20) { $0.contains { $0.hasPrefix("READY=1") } })
        socket.collect(seconds: 1.5)
        let ready = try #require(socket.messages.first { $0.hasPrefix("READY=1") })
        #expect(ready.contains("STATUS=320x240 yuyv @ 30 fps"), "\(ready)")
        #expect(socket.messages.filter { $0 == "WATCHDOG=1" }.count >= 4, "\(socket.messages)")
        #expect(
            socket.messages.contains { $0.hasPrefix("STATUS=") && $0.contains("latency p50") }, "\(socket.messages)")

        // SIGHUP: RELOADING, then READY again; a changed strength is picked up.
        try writeFile(config, Data("stats-interval = 0.5\nsize = 320x240\nmode = classic\nstrength = 0.5\n".utf8))
        let before = socket.messages.count
        kill(p.processIdentifier, SIGHUP)
        #expect(
            socket.collect(seconds: 10) { m in
                let new = m.dropFirst(before)
                guard let r = new.firstIndex(of: "RELOADING=1") else { return false }
                return new[r...].contains { $0.hasPrefix("READY=1") }
            }, "\(socket.messages.dropFirst(before))")
        #expect(p.isRunning)

        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        socket.collect(seconds: 0.2)
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(p.terminationStatus == 0, "\(log)")
        #expect(socket.messages.contains("STOPPING=1"))
        #expect(
            log.contains("running: classic (σ 1.5, amount 1.2, strength 1.0)")
                && log.contains("reloaded: classic (σ 1.5, amount 1.2, strength 0.5)"), "\(log)")
        #expect(log.contains("stats:") && log.contains("dropped"), "\(log)")
    }

    /// The documented example configuration parses, every setting is known, and the daemon
    /// starts with it (input and output replaced for the test).
    @Test func exampleConfigurationRuns() throws {
        let example = TestEnvironment.repositoryRoot.appendingPathComponent("systemd/sharpcamd.conf").path
        // Every commented-out example line (`# key = value`) must be valid too.
        let text = try String(contentsOfFile: example, encoding: .utf8)
        let uncommented = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            guard line.hasPrefix("# "), let eq = line.range(of: " = ") else { return String(line) }
            let key = line[line.index(line.startIndex, offsetBy: 2)..<eq.lowerBound]
            return !key.isEmpty && key.allSatisfy({ $0.isLowercase || $0 == "-" }) && key != "model"
                ? String(line.dropFirst(2)) : String(line)
        }.joined(separator: "\n")
        #expect(uncommented.contains("\nprecision = int8") && uncommented.contains("\nthreads = 2"))
        for (name, content) in [("example.conf", text), ("uncommented.conf", uncommented)] {
            let config = dir.file(name)
            try writeFile(config, Data(content.utf8))
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--config", config, "--input", "demo", "--output", "null", "--size", "320x240"]
            let err = Pipe()
            p.standardError = err
            try p.run()
            let deadline = Date().addingTimeInterval(3)
            while p.isRunning && Date() < deadline { usleep(50_000) }
            #expect(p.isRunning, "\(name) stopped the daemon")
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(p.terminationStatus == 0, "\(name): \(log)")
            #expect(!log.contains("error"), "\(name): \(log)")
        }
    }
}
