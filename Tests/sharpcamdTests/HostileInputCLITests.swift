import Foundation
import Glibc
import TestSupport
import Testing

/// Inputs an attacker or a careless user gives `sharpcamd`: files that name other files,
/// decompression bombs, damaged video, inputs that never deliver. Each is a clear error, a
/// report, or an interruptible wait; none reads what it should not, crashes or hangs.
@Suite struct HostileInputCLITests {
    let dir = TemporaryDirectory("hostile")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    func sharpcamd(_ args: [String]) throws -> ProcessResult { try ProcessRunner.run(binary, args + ["--quiet"]) }

    /// An HLS playlist or an ffconcat list saved as .mp4 must not make SharpCam read the
    /// local files they name (the red-team run got other media transcoded into the output).
    @Test func filesNamingOtherFilesAreRefused() throws {
        let secret = dir.file("secret.y4m")
        try Fixtures.clip(secret, width: 64, height: 48, frames: 3)
        let cases: [(String, String, String)] = [
            (
                "playlist.mp4", "#EXTM3U\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n\(secret)\n#EXT-X-ENDLIST\n",
                "HLS playlist"
            ),
            ("list.mp4", "ffconcat version 1.0\nfile '\(secret)'\n", "concat list"),
            ("list2.mkv", "file '\(secret)'\n", "concat list"),
        ]
        for (name, text, what) in cases {
            let path = dir.file(name)
            try writeFile(path, Data(text.utf8))
            let r = try sharpcamd(["--input", path, "--output", dir.file("out.y4m"), "--mode", "bypass"])
            #expect(r.status == 1, "\(name): \(r.stderr)")
            #expect(
                r.stderr.contains("\(path): is an \(what)") || r.stderr.contains("\(path): is a \(what)"), "\(r.stderr)"
            )
            #expect(!dir.contents.contains("out.y4m"))
        }
        // URLs: only the listed network schemes, never file:// or FFmpeg's own protocols.
        for url in ["file://\(secret)", "concat:\(secret)|\(secret)", "subfile,,start,0,end,0,,:\(secret)"] {
            let r = try sharpcamd(["--input", url, "--output", dir.file("out.y4m")])
            #expect(r.status == 1, "\(url): \(r.stderr)")
            #expect(!dir.contents.contains("out.y4m"), "\(url)")
        }
    }

    /// A small PNG that declares a huge picture is refused before it is decoded; --max-pixels
    /// moves the limit.
    @Test func decompressionBombsAreRefusedBeforeDecoding() throws {
        let bomb = dir.file("bomb.png")
        _ = try ProcessRunner.check(
            "/usr/bin/ffmpeg",
            ["-v", "error", "-f", "lavfi", "-i", "color=black:size=9000x5000", "-frames:v", "1", bomb])
        let start = Date()
        let r = try sharpcamd(["--input", bomb, "--output", dir.file("out.png")])
        #expect(r.status == 1, "\(r.stderr)")
        #expect(r.stderr.contains("\(bomb): picture is 9000x5000, more than the 40 megapixel limit"), "\(r.stderr)")
        #expect(Date().timeIntervalSince(start) < 10)
        let small = try sharpcamd(["--input", bomb, "--output", dir.file("out.png"), "--max-pixels", "1000"])
        #expect(small.status == 1 && small.stderr.contains("more than the 0 megapixel limit"), "\(small.stderr)")
        let y4m = dir.file("big.y4m")
        try writeFile(y4m, Data("YUV4MPEG2 W20000 H12000 F30:1 C420jpeg\nFRAME\n".utf8))
        let r2 = try sharpcamd(["--input", y4m, "--output", dir.file("out.mp4")])
        #expect(r2.status == 1 && r2.stderr.contains("picture is 20000x12000"), "\(r2.stderr)")
    }

    /// Damaged or truncated video: by default the damaged frames are skipped and reported (exit
    /// 0, a warning with the counts); --strict fails on them. Nothing damaged goes unreported.
    @Test func damagedVideoIsReportedAndStrictFails() throws {
        let clip = dir.file("clip.mp4")
        try Fixtures.clip(
            clip, width: 160, height: 120, frames: 30, codec: "libx264", extra: ["-g", "5", "-movflags", "+faststart"])
        let data = try Data(contentsOf: URL(fileURLWithPath: clip))
        let truncated = dir.file("truncated.mp4")
        try writeFile(truncated, data.prefix(data.count * 2 / 3))
        let lenient = try ProcessRunner.run(
            binary, ["--input", truncated, "--output", dir.file("a.mkv"), "--mode", "bypass"])
        #expect(lenient.status == 0, "\(lenient.stderr)")
        #expect(lenient.stderr.contains("missing at the end (truncated?)"), "\(lenient.stderr)")
        let strict = try sharpcamd(["--input", truncated, "--output", dir.file("b.mkv"), "--strict"])
        #expect(strict.status == 1 && strict.stderr.contains("\(truncated): truncated"), "\(strict.stderr)")
        #expect(!dir.contents.contains("b.mkv"))
        // Damage FFmpeg only logs and conceals: an FFV1 slice whose CRC fails, a Matroska file
        // that ends early (no frame count to compare with).
        let ffv1 = dir.file("lossless.mkv")
        try Fixtures.clip(ffv1, width: 96, height: 64, frames: 6, codec: "ffv1", extra: ["-slicecrc", "1"])
        var bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: ffv1)))
        let flipped = dir.file("flipped.mkv"), cutMKV = dir.file("cut.mkv")
        try writeFile(cutMKV, Data(bytes.prefix(bytes.count / 2)))
        bytes[bytes.count * 3 / 4] ^= 0x5A
        try writeFile(flipped, Data(bytes))
        for (input, text) in [(flipped, "damaged frame(s) skipped"), (cutMKV, "missing at the end (truncated?)")] {
            let r = try ProcessRunner.run(
                binary, ["--input", input, "--output", dir.file("o.y4m"), "--mode", "bypass"])
            #expect(r.status == 0 && r.stderr.contains(text), "\(input): \(r.stderr)")
            let s = try sharpcamd(["--input", input, "--output", dir.file("p.y4m"), "--strict"])
            #expect(s.status == 1, "\(input): \(s.stderr)")
        }
        // A truncated JPEG: one picture, nothing to repeat: an error either way, not grey rows.
        let jpg = dir.file("photo.jpg")
        try Fixtures.clip(jpg, width: 256, height: 192, frames: 1, extra: ["-update", "1"])
        let jdata = try Data(contentsOf: URL(fileURLWithPath: jpg))
        let cut = dir.file("cut.jpg")
        try writeFile(cut, jdata.prefix(jdata.count / 2))
        let j = try sharpcamd(["--input", cut, "--output", dir.file("cut-out.png")])
        #expect(j.status == 1, "\(j.stderr)")
        #expect(!dir.contents.contains("cut-out.png"))
    }

    /// A FIFO with no writer and a URL that never answers: SIGINT ends the wait at once
    /// (before, neither SIGINT nor SIGTERM did).
    @Test func blockedInputsAreInterruptible() throws {
        let fifo = dir.file("pipe.y4m")
        #expect(mkfifo(fifo, 0o600) == 0)
        let server = try SilentServer()
        for input in [fifo, "http://127.0.0.1:\(server.port)/never.mp4"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--input", input, "--output", dir.file("out.mp4")]
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(1_500_000)
            #expect(p.isRunning, "\(input): should still be waiting")
            let start = Date()
            kill(p.processIdentifier, SIGINT)
            p.waitUntilExit()
            #expect(Date().timeIntervalSince(start) < 5, "\(input): took \(Date().timeIntervalSince(start)) s to stop")
            #expect(p.terminationStatus == 130, "\(input)")
        }
        // A FIFO whose writer sends a clip is read like a file.
        let writer = Process()
        writer.executableURL = URL(fileURLWithPath: "/bin/sh")
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 64, height: 48, frames: 4)
        writer.arguments = ["-c", "sleep 0.5; cat \"$0\" > \"$1\"", clip, fifo]
        try writer.run()
        let r = try sharpcamd(["--input", fifo, "--output", dir.file("from-pipe.y4m"), "--mode", "bypass"])
        writer.waitUntilExit()
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("from-pipe.y4m")).frames == 4)
    }
}

/// A TCP server that accepts connections and never answers.
final class SilentServer: @unchecked Sendable {
    let fd: Int32
    let port: UInt16

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.fd = fd
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        addr.sin_port = 0
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else { throw TestSetupError("cannot listen") }
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) }
        }
        port = UInt16(bigEndian: addr.sin_port)
    }

    deinit { close(fd) }
}

/// The live daemon stops within 5 s of SIGTERM whatever its input is doing: a FIFO nobody
/// writes to, a URL that never answers (before, it logged "stopping" and never exited).
@Suite struct LiveShutdownCLITests {
    let dir = TemporaryDirectory("shutdown")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    @Test func sigtermEndsBlockedInputsWithinFiveSeconds() throws {
        let fifo = dir.file("live.y4m")
        #expect(mkfifo(fifo, 0o600) == 0)
        let server = try SilentServer()
        for input in [fifo, "http://127.0.0.1:\(server.port)/live.mp4"] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: binary)
            p.arguments = ["--input", input, "--output", "null", "--size", "320x240", "--mode", "bypass"]
            let err = Pipe()
            p.standardError = err
            try p.run()
            usleep(2_000_000)
            #expect(p.isRunning, "\(input)")
            let start = Date()
            kill(p.processIdentifier, SIGTERM)
            p.waitUntilExit()
            let took = Date().timeIntervalSince(start)
            let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            #expect(took < 5, "\(input): \(took) s\n\(log)")
            #expect(p.terminationStatus == 0, "\(input): \(log)")
        }
    }
}

/// Under systemd (`$JOURNAL_STREAM`) every line has an sd-daemon priority and no timestamp;
/// every tool prints the one version.
@Suite struct DaemonOutputCLITests {
    let dir = TemporaryDirectory("journal")

    @Test func journalLinesCarryPriorities() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: TestEnvironment.executable("sharpcamd"))
        p.arguments = ["--input", "demo", "--output", "null", "--size", "320x240", "--mode", "bypass"]
        p.environment = ProcessInfo.processInfo.environment.merging(["JOURNAL_STREAM": "8:12345"]) { $1 }
        let err = Pipe()
        p.standardError = err
        try p.run()
        usleep(1_500_000)
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let lines = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            .split(separator: "\n")
        #expect(p.terminationStatus == 0)
        #expect(
            !lines.isEmpty && lines.allSatisfy { $0.range(of: "^<[0-7]>", options: .regularExpression) != nil },
            "\(lines)")
        #expect(lines.contains { $0.hasPrefix("<6>") && $0.contains("running:") }, "\(lines)")
        #expect(!lines.contains { $0.contains("2026-") || $0.contains("T") && $0.contains("+0000") }, "\(lines)")
        let conf = dir.file("bad.conf")
        try writeFile(conf, Data("fps = nan\n".utf8))
        let bad = try ProcessRunner.run(
            TestEnvironment.executable("sharpcamd"), ["--config", conf, "--output", "null"],
            environment: ProcessInfo.processInfo.environment.merging(["JOURNAL_STREAM": "8:12345"]) { $1 })
        #expect(bad.status == 1 && bad.stderr.contains("\n<3>sharpcamd: error: \(conf):1: fps = nan"), "\(bad.stderr)")
    }

    @Test func everyToolPrintsTheVersion() throws {
        for tool in ["sharpcamd", "sharpcam-train", "sharpcam-bench"] {
            let r = try ProcessRunner.run(TestEnvironment.executable(tool), ["--version"])
            #expect(r.status == 0 && r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines) == "0.9.0", "\(tool)")
        }
    }
}
