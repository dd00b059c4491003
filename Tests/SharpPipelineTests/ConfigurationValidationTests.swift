import Foundation
import Logging
import SharpDevices
import SharpFrames
import SharpMedia
import SharpNet
import SharpPipeline
import SharpSupport
import TestSupport
import Testing

/// Every numeric setting is finite and inside its stated range, checked where it is read (file
/// and line, or flag) and again before a configuration is used: the values that crashed the
/// daemon at start-up or on reload are clear errors now.
@Suite struct ConfigurationValidationTests {
    /// The 19 start-up crashes of the red-team run (and their neighbours): each is a
    /// ConfigurationError naming the file and line.
    @Test(arguments: [
        "fps = nan", "fps = inf", "fps = -inf", "fps = 1e19", "fps = 0", "fps = 121",
        "radius = 0", "radius = nan", "radius = 1e9", "radius = -1", "amount = nan", "amount = 1e30",
        "idle-fps = nan", "idle-fps = 0", "stats-interval = nan", "stats-interval = inf", "stats-interval = 1e-300",
        "stall-timeout = nan", "stall-timeout = 0", "strength = 2", "strength = nan", "threads = 0", "threads = 2.5",
        "threads = 1e30", "size = 641x480", "size = 0x0", "size = 99999x2", "size = -2x2", "size = axb",
    ])
    func outOfRangeValuesNameTheLine(_ line: String) throws {
        let text = "# header\nmode = classic\n\(line)\n"
        do {
            var c = LiveConfiguration()
            for e in try LiveConfiguration.parse(text, path: "bad.conf") {
                try c.apply(e.key, e.value, origin: e.origin)
            }
            Issue.record("\(line): accepted")
        } catch let e as ConfigurationError {
            #expect(e.origin == "bad.conf:3", "\(e)")
            #expect(e.description.hasPrefix("bad.conf:3: "), "\(e)")
        }
    }

    @Test func rangesAreStatedInTheError() throws {
        var c = LiveConfiguration()
        #expect(
            throws: ConfigurationError("fps = nan: expected a number in 1...120 frames per second", origin: "--fps")
        ) {
            try c.apply("fps", "nan", origin: "--fps")
        }
        #expect(throws: ConfigurationError("strength = 2: out of range: expected a number in 0...1", origin: "x:1")) {
            try c.apply("strength", "2", origin: "x:1")
        }
        #expect(throws: ConfigurationError("size = 641x480: the output width must be even, got 641", origin: "x:2")) {
            try c.apply("size", "641x480", origin: "x:2")
        }
    }

    /// Values set in code are caught before anything is built (the processor included).
    @Test func configurationsBuiltInCodeAreCheckedToo() throws {
        var c = LiveConfiguration()
        c.processing.mode = .classic
        c.processing.classic.sigma = 0
        #expect(c.validationError == "radius must be 0.1...50 pixels, got 0.0")
        #expect(throws: ConfigurationError.self) { try c.processing.makeProcessor() }
        c.processing.classic.sigma = 1.5
        c.statsInterval = .nan
        #expect(c.validationError == "stats-interval must be 0.1...86400 seconds, got nan")
        c.statsInterval = 30
        c.processing.strength = .infinity
        #expect(c.validationError != nil)
    }

    /// A control character (a NUL cut `fps = 3\0` to 3 fps) is an error naming the line.
    @Test func controlCharactersAreRefused() throws {
        #expect(throws: ConfigurationError("contains the control character U+0", origin: "c.conf:2")) {
            try LiveConfiguration.parse("mode = nn\nfps = 3\u{0}0\n", path: "c.conf")
        }
        #expect(try LiveConfiguration.parse("a\t= b\n", path: "t.conf").first?.value == "b")
    }

    /// Configuration files written on Windows (CRLF) read like LF ones, line numbers included.
    @Test func crlfFilesReadLikeLFFiles() throws {
        let lf = "# comment\nsize = 640x480\nfps = 25\n\nmode = bypass\n"
        let crlf = lf.replacingOccurrences(of: "\n", with: "\r\n")
        let a = try LiveConfiguration.parse(lf, path: "f"), b = try LiveConfiguration.parse(crlf, path: "f")
        #expect(a.map(\.key) == b.map(\.key) && a.map(\.value) == b.map(\.value) && a.map(\.origin) == b.map(\.origin))
        #expect(b.map(\.origin) == ["f:2", "f:3", "f:5"])
        do {
            _ = try LiveConfiguration.parse("a = 1\r\nbroken\r\n", path: "w.conf")
            Issue.record("accepted")
        } catch let e as ConfigurationError {
            #expect(e.description == "w.conf:2: expected key = value")
        }
    }
}

/// A SIGHUP reload builds and validates everything before it swaps anything: a bad reloaded
/// configuration (or model) is logged and the running one keeps running.
@Suite(.serialized) struct ReloadValidationTests {
    @Test func badReloadsKeepTheRunningConfiguration() throws {
        let dir = TemporaryDirectory("reload")
        var base = LiveConfiguration()
        base.input = "demo"
        base.output = LiveConfiguration.nullOutput
        base.width = 160
        base.height = 96
        base.processing.mode = .classic
        // A weights file whose tensor shape overflows Int.
        let overflowing = dir.file("overflow.scw")
        try writeFile(overflowing, Data(WeightsFileTestBytes.overflowingShape()))
        var next: [() throws -> LiveConfiguration] = [
            { try LiveConfiguration.load(files: [], overrides: [.init("fps", "nan", origin: "t:1")], threads: 1) },
            {
                var c = base
                c.processing.classic.sigma = 0
                return c
            },
            {
                var c = base
                c.processing.mode = .nn
                c.processing.model = overflowing
                return c
            },
        ]
        let pending = NextConfigurations(next)
        next = []
        let d = LiveDaemon(configuration: base, logger: Logger(label: "test")) { try pending.take() }
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var failure: Error?
        Thread {
            do { try d.run() } catch { failure = error }
            done.signal()
        }.start()
        try waitUntil(seconds: 10) { d.statistics.written.count > 5 }
        for _ in 0..<3 {
            let before = pending.remaining
            d.requestReload()
            try waitUntil(seconds: 10) { pending.remaining < before }
            usleep(200_000)
            #expect(d.processorName.hasPrefix("classic (σ 1.5"), "\(d.processorName)")
        }
        let written = d.statistics.written.count
        try waitUntil(seconds: 10) { d.statistics.written.count > written + 5 }
        d.requestStop()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(failure == nil, "\(String(describing: failure))")
    }
}

/// Hands out reload results one at a time.
final class NextConfigurations: @unchecked Sendable {
    private let lock = ConditionLock()
    private var queue: [() throws -> LiveConfiguration]
    init(_ q: [() throws -> LiveConfiguration]) { queue = q }
    var remaining: Int { lock.withLock { queue.count } }
    func take() throws -> LiveConfiguration {
        let next = lock.withLock { queue.isEmpty ? nil : queue.removeFirst() }
        guard let next else { throw ConfigurationError("no more test configurations") }
        return try next()
    }
}

/// The system file, then the user's file, then --config, then flags: each overrides the one
/// before (the user's file was ignored whenever the system file existed).
@Suite struct ConfigurationLayeringTests {
    @Test func filesAreLayeredInOrder() throws {
        let dir = TemporaryDirectory("layers")
        let system = dir.file("system.conf"), explicit = dir.file("explicit.conf")
        try FileManager.default.createDirectory(atPath: dir.file("xdg/sharpcam"), withIntermediateDirectories: true)
        try writeFile(system, Data("fps = 15\nstrength = 0.2\nsize = 640x360\nmode = classic\n".utf8))
        try writeFile(dir.file("xdg/sharpcam/sharpcamd.conf"), Data("strength = 0.4\nsize = 800x600\n".utf8))
        try writeFile(explicit, Data("size = 1024x576\n".utf8))
        let env = ["XDG_CONFIG_HOME": dir.file("xdg"), "HOME": "/nonexistent"]
        let files = LiveConfiguration.filesToRead(explicit: explicit, systemFile: system, environment: env)
        #expect(files == [system, dir.file("xdg/sharpcam/sharpcamd.conf"), explicit])
        let c = try LiveConfiguration.load(
            files: files, overrides: [ConfigurationSetting("mode", "bypass", origin: "--mode")], threads: 2)
        #expect(c.frameRate == Rational(15, 1) && c.processing.strength == 0.4)
        #expect(c.width == 1024 && c.height == 576 && c.processing.mode == .bypass)
        // Only what exists is read; a range error names the user's file and line.
        #expect(LiveConfiguration.filesToRead(explicit: nil, systemFile: dir.file("none"), environment: env).count == 1)
        try writeFile(dir.file("xdg/sharpcam/sharpcamd.conf"), Data("# mine\nstrength = 2\n".utf8))
        #expect(throws: ConfigurationError.self) {
            try LiveConfiguration.load(files: files, overrides: [], threads: 2)
        }
        do {
            _ = try LiveConfiguration.load(files: files, overrides: [], threads: 2)
        } catch let e as ConfigurationError {
            #expect(e.origin == dir.file("xdg/sharpcam/sharpcamd.conf") + ":2", "\(e)")
        }
    }
}
