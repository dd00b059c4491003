import Foundation
import TestSupport
import Testing

/// The `sharpcamd` binary end to end: file and image mode, and every user-facing error.
@Suite struct SharpCamDaemonCLITests {
    let dir = TemporaryDirectory("cli")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    func sharpcamd(_ args: String...) throws -> ProcessResult { try ProcessRunner.run(binary, args) }

    @Test func sharpensAClipIntoMP4() throws {
        let clip = dir.file("clip.y4m")
        try Fixtures.clip(clip, width: 160, height: 120, frames: 8)
        let r = try sharpcamd("--input", clip, "--output", dir.file("out.mp4"), "--mode", "classic")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try Fixtures.probe(dir.file("out.mp4"))
                == .init(width: 160, height: 120, frames: 8, pixelFormat: "yuv420p", codec: "h264"))
        #expect(r.stderr.contains("wrote \(dir.file("out.mp4")): 8 frames 160x120"))
    }

    @Test func photoInPhotoOutSameSize() throws {
        let photo = try TestEnvironment.photo("skimage_astronaut")
        let r = try sharpcamd("--input", photo, "--output", dir.file("out.png"), "--strength", "0.5", "--quiet")
        #expect(r.status == 0 && r.stderr.isEmpty, "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("out.png")).width == 512)
    }

    @Test func demoWritesASideBySideClip() throws {
        let r = try sharpcamd("--demo", "--output", dir.file("demo.mkv"), "--frames", "2", "--codec", "ffv1")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try Fixtures.probe(dir.file("demo.mkv"))
                == .init(width: 2560, height: 720, frames: 2, pixelFormat: "yuv420p", codec: "ffv1"))
    }

    /// One clear line naming the file and the problem, exit status 1, nothing written.
    @Test func errorsAreOneLineAndLeaveNothing() throws {
        let clip = dir.file("clip.y4m")
        try Fixtures.clip(clip, width: 64, height: 48, frames: 3)
        let data = try Data(contentsOf: URL(fileURLWithPath: clip))
        let truncated = dir.file("trunc.y4m")
        try writeFile(truncated, data.prefix(data.count - 10))
        let junk = dir.file("junk.mkv")
        try writeFile(junk, Data(repeating: 0x42, count: 5000))
        let cases: [([String], String)] = [
            (
                ["--input", dir.file("missing.mp4"), "--output", dir.file("o.mp4")],
                "\(dir.file("missing.mp4")): no such file"
            ),
            (
                ["--input", clip, "--output", dir.file("nodir/o.mp4")],
                "output directory \(dir.file("nodir")) does not exist"
            ),
            (["--input", truncated, "--output", dir.file("o.mp4"), "--strict"], "\(truncated): truncated: frame 2"),
            (["--input", junk, "--output", dir.file("o.mp4")], "\(junk): not a recognisable video"),
            (["--input", clip, "--output", dir.file("o.xyz")], "unsupported output format '.xyz'"),
            (["--input", clip, "--output", dir.file("o.png")], "an image file holds one picture"),
            (["--input", clip, "--output", clip], "is the input file"),
        ]
        for (args, text) in cases {
            let r = try ProcessRunner.run(binary, args + ["--quiet"])
            #expect(r.status == 1, "\(args): \(r.stderr)")
            #expect(r.stderr.hasPrefix("sharpcamd: error: ") && r.stderr.contains(text), "\(args): \(r.stderr)")
            #expect(r.stderr.split(separator: "\n").count == 1, "\(r.stderr)")
        }
        #expect(dir.contents == ["clip.y4m", "junk.mkv", "trunc.y4m"])
    }

    @Test func invalidOptionsAreUsageErrors() throws {
        for args in [
            ["--demo", "--strength", "2"], ["--demo", "--size", "0x10"],
            ["--input", "x.mp4", "--output", "y.mp4", "--threads", "0"],
            ["--demo", "--frames", "0"], ["--output", "y.mp4"],
            // Values that crashed or silently misbehaved (red-team run): nan, inf, 0, huge.
            ["--demo", "--mode", "classic", "--radius", "nan"], ["--demo", "--mode", "classic", "--radius", "0"],
            ["--demo", "--mode", "classic", "--radius", "1e9"], ["--demo", "--amount", "nan"],
            ["--demo", "--strength", "nan"], ["--output", "null", "--fps", "nan"],
            ["--output", "null", "--fps", "inf"],
            ["--output", "null", "--fps", "1e19"], ["--output", "null", "--stall-timeout", "nan"],
            ["--output", "null", "--idle-fps", "nan"], ["--output", "null", "--stats-interval", "1e-300"],
        ] {
            let r = try ProcessRunner.run(binary, args)
            #expect(r.status == 64, "\(args): \(r.stderr)")
            #expect(r.stderr.contains("Error:"), "\(r.stderr)")
        }
    }

    /// Side by side wider than a frame can be is an error naming the output, not a crash.
    @Test func sideBySideTooWideIsAnError() throws {
        let wide = dir.file("wide.png")
        _ = try ProcessRunner.check(
            "/usr/bin/ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "color=gray:size=8200x4", "-frames:v", "1", wide])
        let r = try sharpcamd("--input", wide, "--output", dir.file("sbs.png"), "--side-by-side", "--mode", "bypass")
        #expect(r.status == 1, "\(r.stderr)")
        #expect(
            r.stderr.contains("\(dir.file("sbs.png")): side by side, 8200x4 would be wider than 16384 pixels"),
            "\(r.stderr)")
        #expect(!dir.contents.contains("sbs.png"))
    }

    /// Configuration files: out-of-range values name the file and line; exit 1, not a crash.
    @Test func badConfigurationValuesNameTheLine() throws {
        for line in ["fps = nan", "radius = 0", "stats-interval = 1e-300", "stall-timeout = nan", "idle-fps = nan"] {
            let conf = dir.file("bad.conf")
            try writeFile(conf, Data("output = null\nmode = classic\n\(line)\n".utf8))
            let r = try sharpcamd("--config", conf)
            #expect(r.status == 1, "\(line): \(r.stderr)")
            #expect(r.stderr.contains("\(conf):3: \(line):"), "\(r.stderr)")
        }
    }

    /// Live mode without v4l2loopback says how to load it.
    @Test func liveModeWithoutLoopbackExplainsTheFix() throws {
        let r = try sharpcamd(
            "--input", "demo", "--output", dir.file("video99").replacingOccurrences(of: dir.path, with: "/dev"))
        #expect(r.status == 1, "\(r.stderr)")
        #expect(
            r.stderr.contains("/dev/video99: no such video device: load the loopback driver")
                && r.stderr.contains("modprobe v4l2loopback"), "\(r.stderr)")
    }

    /// Whether `pid` has a file open in `dir` (the unnamed output shows as "dir/#N (deleted)").
    func writesInto(_ pid: Int32, _ dir: String) -> Bool {
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []
        return fds.contains { fd in
            ((try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/fd/\(fd)")) ?? "")
                .hasPrefix(dir + "/#")
        }
    }

    /// SIGINT stops the job after the current frame, drops the partial output, exits 130;
    /// SIGKILL (a crash) leaves nothing behind either: the output is an unnamed file until done.
    @Test(arguments: [SIGINT, SIGKILL])
    func interruptOrCrashLeavesNoPartialOutput(_ signal: Int32) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = ["--demo", "--output", dir.file("long.mp4"), "--quiet"]
        let err = Pipe()
        p.standardError = err
        try p.run()
        // Wait until the output is being written, then interrupt.
        let deadline = Date().addingTimeInterval(30)
        while !writesInto(p.processIdentifier, dir.path) && Date() < deadline { usleep(20_000) }
        #expect(writesInto(p.processIdentifier, dir.path))
        #expect(dir.contents.isEmpty)
        kill(p.processIdentifier, signal)
        p.waitUntilExit()
        if signal == SIGINT {
            #expect(p.terminationStatus == 130)
            #expect(
                String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).contains("interrupted"))
        } else {
            #expect(p.terminationReason == .uncaughtSignal)
        }
        #expect(dir.contents.isEmpty)
    }
}
