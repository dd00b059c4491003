import ArgumentParser
import Foundation
import SharpCommandLine
import SharpPipeline

/// `sharpcamd doctor`: checks the set-up and says what to do, one line per check.
struct DoctorCommand: SharpCamCommand {
    static let toolName = "sharpcamd doctor"
    static let configuration = CommandConfiguration(
        commandName: "doctor",
        abstract: "Check the set-up: v4l2loopback, Secure Boot, group video, cameras, PipeWire, the service.",
        discussion: "Exits 1 when a check failed ([FAIL]); warnings alone exit 0.")

    @Option(help: "The loopback device to check (default /dev/video10).")
    var output = "/dev/video10"

    func execute() throws {
        let env = ProcessInfo.processInfo.environment
        let doctor = Doctor(root: env["SHARPCAM_SYSROOT"] ?? "/", environment: env, output: output)
        let checks = doctor.run()
        for c in checks { print(c) }
        if checks.contains(where: { $0.level == .problem }) { throw ExitCode(1) }
    }
}
