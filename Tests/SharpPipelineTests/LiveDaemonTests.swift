import Foundation
import Glibc
import Logging
import SharpDevices
import SharpFrames
import SharpMedia
import SharpPipeline
import SharpSupport
import TestSupport
import Testing

@Suite struct LiveConfigurationTests {
    @Test func fileSettingsAndErrorsNameTheLine() throws {
        let text = """
            # comment
            input = /dev/v4l/by-id/usb-cam   # trailing comment
            size = 640x480
            fps = 29.97
            format = i420
            mode = bypass
            on-demand = no
            strength = 0.25
            """
        var c = LiveConfiguration()
        for e in try LiveConfiguration.parse(text, path: "x.conf") { try c.apply(e.key, e.value, origin: e.origin) }
        #expect(c.input == "/dev/v4l/by-id/usb-cam" && c.width == 640 && c.height == 480 && c.outputFormat == .i420)
        #expect(
            c.frameRate == Rational(29970, 1000) && c.processing.mode == .bypass && !c.onDemand
                && c.processing.strength == 0.25)
        #expect(c.validationError == nil)
        #expect(throws: ConfigurationError.self) { try LiveConfiguration.parse("junk line", path: "y.conf") }
        do { _ = try LiveConfiguration.parse("a = 1\nno equals", path: "y.conf"); Issue.record("accepted") } catch let e
            as ConfigurationError
        {
            #expect(e.description == "y.conf:2: expected key = value")
        }
        do { try c.apply("fps", "fast", origin: "z.conf:3"); Issue.record("accepted") } catch let e
            as ConfigurationError
        {
            #expect(e.description == "z.conf:3: fps = fast: expected a number in 1...120 frames per second")
        }
        #expect(throws: ConfigurationError.self) { try c.apply("colour", "red", origin: "cli") }
        c.width = 641
        #expect(c.validationError == "the output width must be even, got 641")
    }

    @Test func cameraSizeIsParsedLikeSize() throws {
        var c = LiveConfiguration()
        #expect(c.requestedCameraSize == .init(width: 1280, height: 720))
        try c.apply("camera-size", "640X480", origin: "x.conf:1")
        #expect(c.cameraSize == .init(width: 640, height: 480) && c.requestedCameraSize.width == 640)
        for bad in ["640", "640x", "1x480", "640x99999", "axb"] {
            #expect(throws: ConfigurationError.self) { try c.apply("camera-size", bad, origin: "x.conf:2") }
        }
        try c.apply("camera-size", "auto", origin: "x.conf:3")
        #expect(c.cameraSize == nil)
    }
}

@Suite struct SystemdNotifierTests {
    /// READY/WATCHDOG/STATUS arrive as datagrams on $NOTIFY_SOCKET; the watchdog interval is half
    /// of WATCHDOG_USEC; without NOTIFY_SOCKET nothing is sent.
    @Test func sendsDatagramsToTheNotifySocket() throws {
        let dir = TemporaryDirectory("notify")
        let path = dir.file("n.sock")
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        let bound = withUnixAddress(path) { bind(fd, $0, $1) }
        #expect(bound == 0)
        let n = SystemdNotifier(environment: ["NOTIFY_SOCKET": path, "WATCHDOG_USEC": "4000000"])
        #expect(n.isActive && n.watchdogInterval == 2_000_000_000)
        #expect(n.notify("READY=1\nSTATUS=ok"))
        var buf = [UInt8](repeating: 0, count: 256)
        let got = recv(fd, &buf, buf.count, 0)
        #expect(String(decoding: buf[0..<max(got, 0)], as: UTF8.self) == "READY=1\nSTATUS=ok")
        let off = SystemdNotifier(environment: [:])
        #expect(!off.isActive && off.watchdogInterval == nil && !off.notify("READY=1"))
    }
}

@Suite(.serialized) struct LiveDaemonTests {
    static var logger: Logger {
        var l = Logger(label: "test")
        l.logLevel = .warning
        return l
    }

    static func config(_ input: String?) -> LiveConfiguration {
        var c = LiveConfiguration()
        c.input = input
        c.output = LiveConfiguration.nullOutput
        c.width = 160; c.height = 96
        c.frameRate = Rational(50, 1)
        c.stallTimeout = 0.3
        c.statsInterval = 0.2
        c.control = LiveConfiguration.controlOff
        return c
    }

    /// Runs the daemon in a thread until `until` holds, then runs `andThen`, then stops it.
    static func run(_ daemon: LiveDaemon, until: () -> Bool, andThen: () throws -> Void = {}) throws {
        let finished = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        Thread {
            do { try daemon.run() } catch { failure = error }
            finished.signal()
        }.start()
        defer {
            daemon.requestStop()
            _ = finished.wait(timeout: .now() + 5)
        }
        try waitUntil(seconds: 10) { until() || failure != nil }
        if let failure { throw failure }
        try andThen()
    }

    @Test func generatedClipFlowsThroughEveryStage() throws {
        let d = LiveDaemon(configuration: Self.config("demo"), logger: Self.logger) { Self.config("demo") }
        try Self.run(d) { d.statistics.written.count > 20 && d.statistics.processed.count > 10 }
        #expect(d.statistics.captured.count >= d.statistics.processed.count)
        #expect(d.statistics.endToEnd.percentiles() != nil && d.statistics.processing.percentiles() != nil)
        #expect(d.status(detail: true).contains("160x96 yuyv @ 50 fps"))
    }

    /// No input configured and no camera: the "no camera" card, never the demo clip (which
    /// appeared in a call when the camera was unplugged).
    @Test(.enabled(if: DeviceDiscovery.firstCamera() == nil, "a camera is connected"))
    func noInputAndNoCameraShowsTheCardNotTheDemo() throws {
        let d = LiveDaemon(configuration: Self.config(nil), logger: Self.logger) { Self.config(nil) }
        try Self.run(d) { d.statistics.placeholders.count > 10 }
        #expect(d.statistics.captured.count == 0)
        #expect(d.statistics.processed.count == 0)
    }

    /// A file that ends (no loop): the output keeps running, first repeating the last frame,
    /// then showing the placeholder.
    @Test func endOfInputShowsThePlaceholderWithoutStopping() throws {
        let dir = TemporaryDirectory("live")
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 160, height: 96, frames: 5, rate: 50)
        var c = Self.config(clip)
        c.loop = false
        let d = LiveDaemon(configuration: c, logger: Self.logger) { c }
        try Self.run(d) { d.statistics.placeholders.count > 5 }
        #expect(d.statistics.processed.count == 5)
        #expect(d.statistics.repeated.count > 0)
    }

    @Test func reloadSwitchesTheProcessorAndKeepsRunning() throws {
        var c = Self.config("demo")
        c.processing.mode = .classic
        nonisolated(unsafe) var next = c
        let d = LiveDaemon(configuration: c, logger: Self.logger) { next }
        try Self.run(d) {
            if d.statistics.processed.count == 5 {
                next.processing.mode = .bypass
                d.requestReload()
            }
            return d.configuration.processing.mode == .bypass && d.statistics.processed.count > 15
        }
    }

    @Test func missingLoopbackIsASetupError() {
        var c = Self.config("demo")
        c.output = "/dev/video-none"
        let d = LiveDaemon(configuration: c, logger: Self.logger) { c }
        #expect(throws: MediaError.self) { try d.run() }
    }

    @Test func pacedSourceKeepsTheFrameRateAndLoops() throws {
        let dir = TemporaryDirectory("paced")
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 32, height: 16, frames: 4, rate: 40)
        let s = try PacedSource(name: clip, loop: true) { try Y4MReader(path: clip) }
        let f = Frame(format: s.info.format)
        let start = monotonicNanos()
        var frames = 0
        while frames < 10 {
            if try s.next(into: f, timeoutMillis: 100) == .frame { frames += 1 }
        }
        let seconds = Double(monotonicNanos() - start) / 1e9
        #expect(seconds > 0.2 && seconds < 1.0, "10 frames at 40 fps took \(seconds) s")
        let once = try PacedSource(name: clip, loop: false) { try Y4MReader(path: clip) }
        var results: [LiveRead] = []
        while results.last != .ended { results.append(try once.next(into: f, timeoutMillis: 100)) }
        #expect(results.filter { $0 == .frame }.count == 4)
    }

    @Test func placeholderIsDistinctAndDeterministic() {
        let fmt = FrameFormat(.yuyv, width: 320, height: 240)!
        let a = PlaceholderFrame.make(fmt), b = PlaceholderFrame.make(fmt)
        #expect(TestFrames.bytes(a) == TestFrames.bytes(b))
        #expect(Set(TestFrames.bytes(a)).count > 4)
    }
}
