import Foundation
import Glibc
import TestSupport
import Testing

/// SharpCam as a PipeWire camera and reading a PipeWire camera, against a private PipeWire
/// session (pipewire + wireplumber under dbus-run-session) with GStreamer's pipewiresrc and
/// pipewiresink as the other side.
@Suite(.serialized, .enabled(if: PipeWireSession.available || PipeWireSession.required))
struct PipeWireCLITests {
    let dir = TemporaryDirectory("pw-cli")
    var binary: String { TestEnvironment.executable("sharpcamd") }

    /// A running sharpcamd in the session; its log is `log`.
    final class Daemon {
        let process = Process()
        let logPath: String
        init(_ binary: String, _ args: [String], session: PipeWireSession, log: String) throws {
            logPath = log
            _ = FileManager.default.createFile(atPath: log, contents: nil)
            process.executableURL = URL(fileURLWithPath: binary)
            process.arguments = args
            process.environment = ProcessInfo.processInfo.environment.merging(session.environment) { $1 }
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle(forWritingAtPath: log)
            try process.run()
        }
        var log: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }
        func count(_ text: String) -> Int { log.components(separatedBy: text).count - 1 }
        func stop() -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            return process.terminationStatus
        }
        deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
    }

    /// `n` frames from the node `node` in `format` (YUY2, NV12, I420) through pipewiresrc.
    func consume(_ session: PipeWireSession, node: String, frames n: Int, format: String = "YUY2") throws -> Data {
        let out = dir.file("consumer-\(UUID().uuidString).raw")
        let r = try ProcessRunner.run(
            "timeout",
            [
                "60", "gst-launch-1.0", "-q", "pipewiresrc", "target-object=\(node)", "num-buffers=\(n)", "!",
                "video/x-raw,format=\(format)", "!", "filesink", "location=\(out)",
            ], environment: session.environment)
        guard r.status == 0 else { throw TestSetupError("pipewiresrc failed (\(r.status)): \(r.stderr)") }
        return try Data(contentsOf: URL(fileURLWithPath: out))
    }

    /// A fake camera: GStreamer's test picture published as a Video/Source node.
    func fakeCamera(_ session: PipeWireSession, name: String, mjpeg: Bool = false) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        let format =
            mjpeg
            ? ["video/x-raw,width=320,height=180,framerate=30/1", "!", "jpegenc"]
            : ["video/x-raw,format=YUY2,width=320,height=180,framerate=30/1"]
        p.arguments =
            ["gst-launch-1.0", "-q", "videotestsrc", "pattern=smpte", "is-live=true", "!"] + format + [
                "!", "pipewiresink", "mode=provide",
                "stream-properties=props,media.class=Video/Source,media.role=Camera,node.name=\(name),"
                    + "node.description=\(name)",
            ]
        p.environment = ProcessInfo.processInfo.environment.merging(session.environment) { $1 }
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        try waitUntil(seconds: 20) { (try? session.nodeNames().contains(name)) == true }
        return p
    }

    /// The frames a consumer of the PipeWire node gets are the frames file mode writes for the
    /// same input, bit for bit; two consumers at once both get them; when the last one leaves
    /// the camera (here a file) is released, and the next one gets live frames again; SIGTERM
    /// exits 0 and removes the node.
    @Test func outputIsBitExactOnDemandAndLeavesCleanly() throws {
        let session = try PipeWireSession()
        defer { session.stop() }
        // One picture as a looping 4:2:2 clip (the pipeline works in YUYV).
        let clip = dir.file("pic.y4m")
        try Fixtures.clip(clip, width: 320, height: 180, frames: 1, pixelFormat: "yuv422p")
        let expected = dir.file("expected.y4m")
        try ProcessRunner.check(binary, ["--input", clip, "--output", expected, "--quiet"])
        let frame = try Fixtures.decode(expected, pixelFormat: "yuyv422")
        #expect(frame.count == 320 * 180 * 2)

        let daemon = try Daemon(
            binary, ["--input", clip, "--output", "pipewire", "--size", "320x180", "--control", "off"],
            session: session, log: dir.file("daemon.log"))
        try waitUntil(seconds: 20) { (try? session.nodeNames().contains("sharpcam")) == true }
        #expect(daemon.log.contains("PipeWire camera node"))

        let got = try consume(session, node: "sharpcam", frames: 40)
        #expect(got.count == 40 * frame.count)
        let last = got.suffix(5 * frame.count)
        for i in 0..<5 {
            let f = last.subdata(in: last.startIndex + i * frame.count..<last.startIndex + (i + 1) * frame.count)
            #expect(f == frame, "frame \(35 + i) differs from file mode's")
        }
        // Other layouts are negotiated and converted on the way (one write into the buffer).
        let nv12 = try consume(session, node: "sharpcam", frames: 3, format: "NV12")
        #expect(nv12.count == 3 * 320 * 180 * 3 / 2)

        // Two consumers at once.
        nonisolated(unsafe) var second: Data?
        let t = Thread { second = try? self.consume(session, node: "sharpcam", frames: 20) }
        t.start()
        let first = try consume(session, node: "sharpcam", frames: 20)
        try waitUntil(seconds: 60) { second != nil }
        #expect(first.count == 20 * frame.count && second?.count == 20 * frame.count)

        // Nobody left: the input is released; a new consumer brings it back.
        try waitUntil(seconds: 20) { daemon.log.contains("released (no consumers)") }
        let opened = daemon.count("\(clip): 320x180")
        let again = try consume(session, node: "sharpcam", frames: 30)
        #expect(again.suffix(frame.count) == frame)
        #expect(daemon.count("\(clip): 320x180") > opened, "the input was opened again")

        #expect(daemon.stop() == 0)
        try waitUntil(seconds: 10) { (try? session.nodeNames().contains("sharpcam")) == false }
    }

    /// A PipeWire camera as input: frames arrive; the camera node goes away → the "no camera"
    /// card; it comes back → live again. `--list-devices` lists it.
    @Test func readsAPipeWireCameraAndFollowsItsHotPlug() throws {
        let session = try PipeWireSession()
        defer { session.stop() }
        var camera = try fakeCamera(session, name: "fakecam")
        let list = try ProcessRunner.run(binary, ["--list-devices"], environment: session.environment)
        #expect(list.stdoutText.contains("fakecam  \"fakecam\""), "\(list.stdoutText)")

        let socket = dir.file("ctl")
        let daemon = try Daemon(
            binary,
            [
                "--input", "pipewire:fakecam", "--output", "null", "--size", "320x180", "--mode", "bypass",
                "--control", socket, "--stall-timeout", "1",
            ], session: session, log: dir.file("in.log"))
        try waitUntil(seconds: 20) { daemon.log.contains("pipewire:fakecam: capturing YUY2 320x180") }
        func captured() -> Int {
            let r = try? ProcessRunner.run(binary, ["ctl", "status", "--json", "--socket", socket])
            let o = r.flatMap { try? JSONSerialization.jsonObject(with: $0.stdout) as? [String: Any] }
            return (o?["captured"] as? Int) ?? -1
        }
        try waitUntil(seconds: 10) { captured() > 10 }

        kill(camera.processIdentifier, SIGKILL)  // unplugged
        camera.waitUntilExit()
        try waitUntil(seconds: 20) { daemon.log.contains("showing the placeholder") }
        #expect(daemon.log.contains("pipewire:fakecam"))
        let stalled = captured()

        camera = try fakeCamera(session, name: "fakecam")
        defer { kill(camera.processIdentifier, SIGKILL); camera.waitUntilExit() }
        try waitUntil(seconds: 30) { daemon.count("pipewire:fakecam: capturing YUY2") >= 2 }
        try waitUntil(seconds: 10) { captured() > stalled + 10 }
        #expect(daemon.stop() == 0)
    }

    /// An MJPEG camera node: negotiated as MJPG, decoded with libavcodec, no frame skipped; the
    /// snapshot shows the picture.
    @Test func readsAnMJPEGCamera() throws {
        let session = try PipeWireSession()
        defer { session.stop() }
        let camera = try fakeCamera(session, name: "jpegcam", mjpeg: true)
        defer { kill(camera.processIdentifier, SIGKILL); camera.waitUntilExit() }
        let socket = dir.file("mjpeg-ctl")
        let daemon = try Daemon(
            binary,
            [
                "--input", "pipewire:jpegcam", "--output", "null", "--size", "320x180", "--mode", "bypass", "--control",
                socket,
            ],
            session: session, log: dir.file("mjpeg.log"))
        try waitUntil(seconds: 20) { daemon.log.contains("pipewire:jpegcam: capturing MJPG 320x180") }
        func status() -> [String: Any] {
            let r = try? ProcessRunner.run(binary, ["ctl", "status", "--json", "--socket", socket])
            return r.flatMap { try? JSONSerialization.jsonObject(with: $0.stdout) as? [String: Any] } ?? [:]
        }
        try waitUntil(seconds: 10) { (status()["captured"] as? Int ?? 0) > 20 }
        #expect(status()["skipped"] as? Int == 0)
        let png = dir.file("mjpeg.png")
        #expect(try ProcessRunner.run(binary, ["ctl", "snapshot", png, "--socket", socket]).status == 0)
        let probe = try Fixtures.probe(png)
        #expect(probe.width == 640 && probe.height == 180)
        #expect(daemon.stop() == 0)
    }

    /// PipeWire restarted under a running daemon: it reconnects and serves frames again.
    /// PipeWire absent: a clear error naming the socket, exit 1.
    @Test func survivesAPipeWireRestartAndExplainsAMissingOne() throws {
        let session = try PipeWireSession()
        defer { session.stop() }
        let daemon = try Daemon(
            binary, ["--input", "demo", "--output", "pipewire", "--size", "320x180", "--control", "off"],
            session: session, log: dir.file("restart.log"))
        try waitUntil(seconds: 20) { (try? session.nodeNames().contains("sharpcam")) == true }
        #expect(try consume(session, node: "sharpcam", frames: 5).count == 5 * 320 * 180 * 2)
        try session.restart()
        try waitUntil(seconds: 30) { daemon.log.contains("reconnected to PipeWire") }
        try waitUntil(seconds: 20) { (try? session.nodeNames().contains("sharpcam")) == true }
        #expect(try consume(session, node: "sharpcam", frames: 5).count == 5 * 320 * 180 * 2)
        #expect(daemon.process.isRunning && daemon.stop() == 0)

        // The input side: a PipeWire camera read across a PipeWire restart (reopened with backoff).
        let first = try fakeCamera(session, name: "restartcam")
        defer { kill(first.processIdentifier, SIGKILL); first.waitUntilExit() }
        let socket = dir.file("restart-ctl")
        let reader = try Daemon(
            binary,
            [
                "--input", "pipewire:restartcam", "--output", "null", "--size", "320x180", "--mode", "bypass",
                "--control", socket,
            ],
            session: session, log: dir.file("restart-in.log"))
        try waitUntil(seconds: 20) { reader.log.contains("pipewire:restartcam: capturing YUY2") }
        try session.restart()  // the fake camera dies with its connection: publish it again
        let camera = try fakeCamera(session, name: "restartcam")
        defer { kill(camera.processIdentifier, SIGKILL); camera.waitUntilExit() }
        try waitUntil(seconds: 30) { reader.count("pipewire:restartcam: capturing YUY2") >= 2 }
        #expect(reader.process.isRunning && reader.stop() == 0)

        session.stop()
        let r = try ProcessRunner.run(
            binary, ["--input", "demo", "--output", "pipewire", "--control", "off"], environment: session.environment)
        #expect(r.status == 1)
        #expect(
            r.stderr.contains("cannot connect to PipeWire at \(session.runtimeDirectory)/pipewire-0"), "\(r.stderr)")
    }
}
