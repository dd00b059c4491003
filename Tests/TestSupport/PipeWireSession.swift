import Foundation
import Glibc

/// A private PipeWire session (`scripts/pipewire-session.sh`): pipewire and wireplumber under
/// dbus-run-session in their own XDG_RUNTIME_DIR, for tests of SharpCam's PipeWire camera.
/// Programs run with `environment` talk to it and to nothing else.
public final class PipeWireSession: @unchecked Sendable {
    public let directory: TemporaryDirectory
    public var runtimeDirectory: String { directory.file("run") }
    private let process = Process()

    /// Whether this machine has what the session and its test clients need.
    public static var available: Bool {
        ["pipewire", "wireplumber", "dbus-run-session", "gst-launch-1.0", "pw-cli"].allSatisfy { tool in
            (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":").contains {
                access("\($0)/\(tool)", X_OK) == 0
            }
        }
    }

    /// Set by CI (`scripts/test.sh`): the PipeWire tests must run, not be skipped.
    public static var required: Bool { ProcessInfo.processInfo.environment["SHARPCAM_REQUIRE_PIPEWIRE"] == "1" }

    public init() throws {
        directory = TemporaryDirectory("pipewire")
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [
            TestEnvironment.repositoryRoot.appendingPathComponent("scripts/pipewire-session.sh").path,
            runtimeDirectory,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try waitUntilReady()
    }

    deinit { stop() }

    /// Environment for clients of this session.
    public var environment: [String: String] {
        ["XDG_RUNTIME_DIR": runtimeDirectory]
    }

    private func waitUntilReady() throws {
        try waitUntil(seconds: 20) {
            access(runtimeDirectory + "/session.pids", F_OK) == 0 && access(runtimeDirectory + "/pipewire-0", F_OK) == 0
        }
        // WirePlumber links streams to nodes: wait until it is a client of the daemon.
        try waitUntil(seconds: 20) { (try? self.cli(["ls", "Client"]))?.contains("WirePlumber") == true }
    }

    /// `pw-cli ARGS` in this session.
    public func cli(_ args: [String]) throws -> String {
        try ProcessRunner.run("pw-cli", args, environment: environment).stdoutText
    }

    /// The `node.name`s of the nodes in the graph.
    public func nodeNames() throws -> [String] {
        try cli(["ls", "Node"]).split(separator: "\n").compactMap { line in
            guard let r = line.range(of: "node.name = \"") else { return nil }
            return String(line[r.upperBound...].dropLast())
        }
    }

    /// Kills pipewire (as a crash would); the session starts pipewire and wireplumber again
    /// (clients lose their connection).
    public func restart() throws {
        let before = try String(contentsOfFile: runtimeDirectory + "/session.pids", encoding: .utf8)
        guard let pw = before.split(separator: " ").first.flatMap({ pid_t($0) }) else {
            throw TestSetupError("no pipewire pid in session.pids")
        }
        kill(pw, SIGKILL)
        try waitUntil(seconds: 20) {
            let now = try? String(contentsOfFile: self.runtimeDirectory + "/session.pids", encoding: .utf8)
            return now != nil && now != before
        }
        try waitUntilReady()
    }

    /// Kills the session's shell, then pipewire and wireplumber (SIGKILL: processes started from
    /// the test runner inherit a signal mask that blocks SIGTERM, so a shell could not trap
    /// it); dbus-run-session then ends with its session bus.
    public func stop() {
        guard process.isRunning else { return }
        let dir = runtimeDirectory
        let pids = ["session.pid", "session.pids"].compactMap {
            try? String(contentsOfFile: "\(dir)/\($0)", encoding: .utf8)
        }
        .joined(separator: " ").split(whereSeparator: { $0 == " " || $0 == "\n" }).compactMap { pid_t($0) }
        for pid in pids where pid > 1 { kill(pid, SIGKILL) }
        let deadline = Date().addingTimeInterval(10)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}
