import Foundation
import Glibc
import TestSupport
import Testing

/// `sharpcamd ctl` and `sharpcamd doctor` as a user runs them, against the built daemon.
@Suite struct ControlCLITests {
    let dir = TemporaryDirectory("ctl-cli")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    func sharpcamd(_ args: [String], env: [String: String] = [:]) throws -> ProcessResult {
        try ProcessRunner.run(binary, args, environment: env)
    }

    /// The daemon on the generated clip, with its control socket in the test's directory.
    func startDaemon(_ socket: String) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: binary)
        p.arguments = [
            "--input", "demo", "--output", "null", "--size", "320x180", "--mode", "classic", "--control", socket,
        ]
        p.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try p.run()
        try waitUntil(seconds: 20) { access(socket, F_OK) == 0 }
        return p
    }

    @Test func statusSetSaveAndSnapshot() throws {
        let socket = dir.file("run/control")
        let daemon = try startDaemon(socket)
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        try waitUntil(seconds: 10) {
            (try? sharpcamd(["ctl", "status", "--socket", socket]).stdoutText.contains("processed 0")) == false
        }
        let status = try sharpcamd(["ctl", "status", "--socket", socket])
        #expect(status.status == 0, "\(status.stderr)")
        for fact in ["input:      demo", "camera:     held", "output:     null", "320x180 yuyv", "classic", "cpu:"] {
            #expect(status.stdoutText.contains(fact), "\(fact) in \(status.stdoutText)")
        }
        let json = try sharpcamd(["ctl", "status", "--json", "--socket", socket])
        let object = try JSONSerialization.jsonObject(with: json.stdout) as? [String: Any]
        #expect(object?["mode"] as? String == "classic" && object?["strength"] as? Double == 1)

        // set, with --save into the user's configuration ($XDG_CONFIG_HOME).
        let config = dir.file("config")
        let set = try sharpcamd(
            ["ctl", "set", "strength", "0.6", "--save", "--socket", socket], env: ["XDG_CONFIG_HOME": config])
        #expect(set.status == 0 && set.stdoutText.contains("strength 0.6"), "\(set.stderr)")
        #expect(try String(contentsOfFile: config + "/sharpcam/sharpcamd.conf", encoding: .utf8) == "strength = 0.6\n")
        let after = try sharpcamd(["ctl", "status", "--json", "--socket", socket])
        #expect(after.stdoutText.contains("\"strength\":0.6"))

        let bad = try sharpcamd(["ctl", "set", "strength", "9", "--socket", socket])
        #expect(bad.status == 1 && bad.stderr.contains("strength = 9: out of range"), "\(bad.stderr)")
        let unknown = try sharpcamd(["ctl", "set", "threads", "1", "--socket", socket])
        #expect(unknown.status == 1 && unknown.stderr.contains("cannot set 'threads' while running"))

        let png = dir.file("snap.png")
        let snap = try sharpcamd(["ctl", "snapshot", png, "--socket", socket])
        #expect(snap.status == 0, "\(snap.stderr)")
        let probe = try Fixtures.probe(png)
        #expect(probe.width == 640 && probe.height == 180 && probe.codec == "png")

        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(daemon.terminationStatus == 0 && access(socket, F_OK) != 0)
        let gone = try sharpcamd(["ctl", "status", "--socket", socket])
        #expect(gone.status == 1 && gone.stderr.contains("no sharpcamd is running"), "\(gone.stderr)")
    }

    @Test func doctorReportsFromAFakeSystem() throws {
        let root = dir.file("root")
        func put(_ path: String, _ text: String) throws {
            let full = root + "/" + path
            try FileManager.default.createDirectory(
                atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try writeFile(full, Data(text.utf8))
        }
        try put("proc/sys/kernel/osrelease", "6.1.0-28-amd64\n")
        try put("etc/group", "video:x:44:\n")
        let missing = try sharpcamd(["doctor"], env: ["SHARPCAM_SYSROOT": root, "XDG_RUNTIME_DIR": dir.file("xdg")])
        #expect(missing.status == 1)
        #expect(missing.stdoutText.contains("[FAIL] v4l2loopback: not installed"), "\(missing.stdoutText)")
        #expect(missing.stdoutText.contains("[warn] cameras: none found"))
        try put("sys/module/v4l2loopback/version", "0.12.7")
        try put("sys/module/v4l2loopback/parameters/exclusive_caps", "Y")
        try put("sys/class/video4linux/video10/name", "SharpCam")
        let fine = try sharpcamd(["doctor"], env: ["SHARPCAM_SYSROOT": root, "XDG_RUNTIME_DIR": dir.file("xdg")])
        #expect(fine.status == 0, "\(fine.stdoutText)")
        #expect(fine.stdoutText.contains("[ ok ] output /dev/video10: \"SharpCam\", exclusive_caps on"))
        // Every line is a check or a hint ("→ ..."), each starting with its level.
        for line in fine.stdoutText.split(separator: "\n") {
            #expect(line.hasPrefix("[") || line.hasPrefix("       → "), "\(line)")
        }
    }

    /// A 4:3 picture into 16:9: crop (default) keeps the middle, pad adds bars, stretch squeezes.
    @Test func fileModeFitsTheAspectRatio() throws {
        let input = dir.file("in.y4m")
        try ProcessRunner.check(
            "ffmpeg",
            [
                "-v", "error", "-y", "-f", "lavfi", "-i",
                "color=c=0x646464:s=320x240,drawbox=x=0:y=0:w=320:h=30:color=white:t=fill,"
                    + "drawbox=x=0:y=210:w=320:h=30:color=white:t=fill",
                "-frames:v", "1", "-pix_fmt", "yuv420p", input,
            ])
        func luma(_ fit: String?) throws -> [UInt8] {
            let out = dir.file("out-\(fit ?? "default").y4m")
            let r = try sharpcamd(
                ["--input", input, "--output", out, "--size", "320x180", "--mode", "bypass", "--quiet"]
                    + (fit.map { ["--fit", $0] } ?? []))
            #expect(r.status == 0, "\(r.stderr)")
            return [UInt8](try Fixtures.decode(out, pixelFormat: "gray"))
        }
        func at(_ l: [UInt8], _ x: Int, _ y: Int) -> Int { Int(l[y * 320 + x]) }
        let crop = try luma(nil)
        #expect(crop.count == 320 * 180)
        #expect([0, 90, 179].allSatisfy { abs(at(crop, 160, $0) - 100) <= 6 }, "crop keeps the middle band only")
        let stretch = try luma("stretch")
        #expect(at(stretch, 160, 0) > 200 && at(stretch, 160, 179) > 200)
        let pad = try luma("pad")
        #expect(at(pad, 10, 90) < 20 && at(pad, 310, 90) < 20 && abs(at(pad, 160, 90) - 100) <= 6)
        #expect(at(pad, 160, 0) > 200, "the whole picture, bands included, is inside the bars")
    }

    @Test func flagsThatDoNothingInTheModeAreReported() throws {
        let input = dir.file("c.y4m")
        try Fixtures.clip(input, width: 64, height: 48, frames: 2)
        let r = try sharpcamd(
            [
                "--input", input, "--output", dir.file("o.y4m"), "--fps", "10", "--stall-timeout", "3", "--mode",
                "bypass",
            ])
        #expect(r.status == 0)
        #expect(r.stderr.contains("--fps has no effect when processing a file"), "\(r.stderr)")
        #expect(r.stderr.contains("--stall-timeout has no effect when processing a file"))
    }

    /// The help text fits 80 columns and is wrapped once, as written.
    @Test func helpFitsEightyColumns() throws {
        for args in [["--help"], ["ctl", "--help"], ["ctl", "set", "--help"], ["doctor", "--help"]] {
            let r = try sharpcamd(args, env: ["COLUMNS": "80"])
            #expect(r.status == 0)
            let long = r.stdoutText.split(separator: "\n").filter { $0.count > 80 }
            #expect(long.isEmpty, "\(args): \(long)")
        }
        let help = try sharpcamd(["--help"], env: ["COLUMNS": "80"]).stdoutText
        #expect(help.contains("  and feeds the loopback device that video-call apps list as a camera.\n"))
    }
}
