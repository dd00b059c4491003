import ArgumentParser
import SharpSupport

@main
struct SharpCamBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpcam-bench",
        abstract: "SharpCam's latency benchmark.",
        version: SharpCamVersion.string,
        subcommands: [PixelsBenchmark.self, NetworkBenchmark.self, LiveBenchmark.self, ReferenceBenchmark.self],
        defaultSubcommand: PixelsBenchmark.self)
}
