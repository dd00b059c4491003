import ArgumentParser

@main
struct SharpCamBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpcam-bench",
        abstract: "SharpCam's latency benchmark.",
        subcommands: [PixelsBenchmark.self, NetworkBenchmark.self, LiveBenchmark.self, ReferenceBenchmark.self],
        defaultSubcommand: PixelsBenchmark.self)
}
