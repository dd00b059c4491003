import Foundation
import Glibc
import Logging
import SharpFrames
import SharpMedia
import SharpPipeline
import SharpSupport
import TestSupport
import Testing

/// The control socket against a running daemon (generated clip in, null out).
@Suite struct ControlServerTests {
    static func config(_ socket: String, mode: ProcessingMode = .nn) -> LiveConfiguration {
        var c = LiveDaemonTests.config("demo")
        c.control = socket
        c.processing.mode = mode
        c.processing.threads = 1
        return c
    }

    /// Runs a daemon with a control socket in a fresh directory and calls `body` while it runs.
    static func withDaemon(
        mode: ProcessingMode = .nn, _ body: (LiveDaemon, String) throws -> Void
    ) throws {
        let dir = TemporaryDirectory("control")
        let socket = dir.file("s/control")
        let c = config(socket, mode: mode)
        let d = LiveDaemon(configuration: c, logger: LiveDaemonTests.logger) { c }
        try LiveDaemonTests.run(d) {
            access(socket, F_OK) == 0 && d.statistics.processed.count > 3
        } andThen: {
            try body(d, socket)
        }
        #expect(access(socket, F_OK) != 0, "the socket is removed at exit")
    }

    /// A raw connection: bytes in, bytes out, with a timeout.
    final class Raw {
        let fd: Int32
        init(_ path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            let ok = withUnixAddress(path) { connect(fd, $0, $1) }
            if ok != 0 { throw TestSetupError("connect \(path): \(errno)") }
            var t = timeval(tv_sec: 3, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
        }
        deinit { close(fd) }
        func send(_ bytes: [UInt8]) {
            _ = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) }
        }
        /// Everything until the peer closes or `timeout` passes.
        func receiveAll() -> [UInt8] {
            var out: [UInt8] = [], buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = recv(fd, &buf, buf.count, 0)
                if n <= 0 { return out }
                out += buf[0..<n]
            }
        }
        func receiveLine() -> String {
            var out: [UInt8] = [], b: UInt8 = 0
            while recv(fd, &b, 1, 0) == 1 {
                if b == 10 { break }
                out.append(b)
            }
            return String(decoding: out, as: UTF8.self)
        }
    }

    @Test func statusSetAndSnapshot() throws {
        try Self.withDaemon { d, socket in
            var st = stat()
            #expect(stat(socket, &st) == 0 && st.st_mode & 0o777 == 0o600, "only the daemon's user may connect")
            let status = try ControlStatus.decode(try ControlClient.send("status", to: socket))
            #expect(status.mode == "nn" && status.strength == 1 && status.camera == "held")
            #expect(status.size == "160x96" && status.consumers == nil && status.pid == getpid())
            #expect(status.processor.contains("built-in model") && !status.processor.contains("student:"))
            #expect(status.latency["processing"] != nil && status.controlSocket == socket)
            #expect(status.text.contains("strength 1.0"))

            // Strength: the next frames use it; the configuration says so.
            #expect(
                String(decoding: try ControlClient.send("set strength 0.25", to: socket), as: UTF8.self)
                    .contains("strength 0.25"))
            #expect(d.configuration.processing.strength == 0.25 && d.processorName.contains("strength 0.25"))
            let weak = try snapshotDifference(socket)
            _ = try ControlClient.send("set strength 1", to: socket)
            let strong = try snapshotDifference(socket)
            #expect(strong > weak * 2, "strength 1 changes the picture more than 0.25 (\(strong) vs \(weak))")

            // Mode: bypass leaves the frame as it was.
            _ = try ControlClient.send("set mode bypass", to: socket)
            #expect(try snapshotDifference(socket) == 0)
            #expect(d.configuration.processing.mode == .bypass)

            // Refused values leave everything as it was.
            #expect(throws: ControlClientError.self) { try ControlClient.send("set strength 1.5", to: socket) }
            #expect(throws: ControlClientError.self) { try ControlClient.send("set mode sharpest", to: socket) }
            #expect(d.configuration.processing.strength == 1 && d.configuration.processing.mode == .bypass)
        }
    }

    /// Sum of |output − input| over the luma of a snapshot (left half input, right half output).
    func snapshotDifference(_ socket: String) throws -> Int {
        let f = try ControlFrame.decode(try ControlClient.send("snapshot", to: socket))
        #expect(f.width == 320 && f.height == 96)
        var sum = 0
        for y in 0..<f.height {
            let r = f.planes[0].row(y)
            for x in 0..<160 { sum += abs(Int(r[x * 2]) - Int(r[(x + 160) * 2])) }
        }
        return sum
    }

    /// Garbage, huge lines, stalled and crowding clients get errors or are dropped; well-behaved
    /// clients are still answered and the frame path never stops.
    @Test func badClientsNeverDisturbTheFramePath() throws {
        try Self.withDaemon(mode: .classic) { d, socket in
            let before = d.statistics.processed.count
            // A client that connects and says nothing, kept open throughout.
            let stalled = try Raw(socket)
            // Garbage and several requests on one connection.
            let garbage = try Raw(socket)
            garbage.send([0xFF, 0xFE, 10] + Array("hello\nstatus\n".utf8))
            #expect(garbage.receiveLine().hasPrefix("error request is not UTF-8"))
            #expect(garbage.receiveLine().hasPrefix("error unknown request 'hello'"))
            #expect(garbage.receiveLine().hasPrefix("ok "))
            // A line longer than the limit: an error, then the connection is closed.
            let huge = try Raw(socket)
            huge.send([UInt8](repeating: 0x41, count: 10000))
            let answer = String(decoding: huge.receiveAll(), as: UTF8.self)
            #expect(answer == "error request longer than 4096 bytes\n")
            // More clients than allowed at once: the extra ones are told so.
            var crowd: [Raw] = []
            for _ in 0..<20 { crowd.append(try Raw(socket)) }
            crowd.last!.send(Array("status\n".utf8))
            let last = crowd.last!.receiveLine()
            #expect(last.hasPrefix("error too many") || last.hasPrefix("ok "), "\(last)")
            crowd.removeAll()
            // A client that asks for a snapshot and never reads it.
            let greedy = try Raw(socket)
            greedy.send(Array("snapshot\nsnapshot\nsnapshot\n".utf8))
            // Meanwhile a normal client is answered at once, and frames keep flowing.
            try waitUntil(seconds: 5) { (try? ControlClient.send("status", to: socket)) != nil }
            try waitUntil(seconds: 5) { d.statistics.processed.count > before + 20 }
            _ = stalled
            _ = greedy
        }
    }

    @Test func aSecondDaemonOnTheSameSocketIsRefused() throws {
        try Self.withDaemon(mode: .bypass) { _, socket in
            let c = Self.config(socket, mode: .bypass)
            let second = LiveDaemon(configuration: c, logger: LiveDaemonTests.logger) { c }
            do {
                try second.run()
                Issue.record("a second daemon ran on the same control socket")
            } catch let e as MediaError {
                #expect(e.description.contains("another sharpcamd is running"))
            }
            #expect((try? ControlClient.send("status", to: socket)) != nil, "the first one still answers")
        }
    }

    @Test func noDaemonIsAClearError() {
        do {
            _ = try ControlClient.send("status", to: "/tmp/no-such-dir/control")
            Issue.record("connected")
        } catch {
            #expect("\(error)".contains("no sharpcamd is running"))
        }
    }
}
