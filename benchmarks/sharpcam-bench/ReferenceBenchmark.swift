import ArgumentParser
import SharpCommandLine
import SharpFrames
import SharpNet
import SharpSupport

/// Time of the plain FP32 reference engine on one frame (one thread): the cost of the oracle.
struct ReferenceBenchmark: SharpCamCommand {
    static let toolName = "sharpcam-bench"
    static let configuration = CommandConfiguration(
        commandName: "reference",
        abstract: "Time the reference engine on one generated frame (random He-initialised weights unless --model).")

    @Option(help: "Architecture (seed-unet, teacher[:…], student[:…]).")
    var arch: String = "student"

    @Option(help: "A weights file instead of random weights.")
    var model: String?

    @Option(help: "Frame size WIDTHxHEIGHT.")
    var size: String = "640x480"

    @Option(help: "Repetitions.")
    var repeats: Int = 1

    func execute() throws {
        guard let size = FrameSize(argument: size), let fmt = FrameFormat(.yuyv, width: size.width, height: size.height)
        else {
            throw ValidationError("--size must be WIDTHxHEIGHT")
        }
        let weights: Weights
        if let model {
            weights = try WeightsFile.load(model)
        } else {
            guard let spec = ArchitectureSpec(argument: arch) else {
                throw ValidationError("unknown architecture '\(arch)'")
            }
            weights = Weights.heInitialized(spec, seed: 1)
        }
        let frame = try BenchmarkFrames(format: fmt, input: nil, count: 1).frames[0]
        let runner = NetworkFrameRunner(engine: ReferenceEngine(weights: weights.collapsed()))
        let input = runner.inputTensor(for: frame)
        var samples: [UInt64] = []
        for _ in 0..<repeats {
            let t0 = monotonicNanos()
            _ = runner.forward(input)
            samples.append(monotonicNanos() - t0)
        }
        let s = LatencyStatistics(nanoseconds: samples)
        let macs = NetworkGraph(weights.spec.collapsed).macsPerPixel * Double(size.width * size.height)
        print(
            """
            reference engine, \(weights.spec.collapsed), \(size.width)x\(size.height), 1 thread: \
            \(fmt3(s.p50 / 1000, 2)) s per frame (\(fmt3(macs / 1e9, 2)) GMAC, \
            \(fmt3(macs / (s.p50 / 1000) / 1e9, 2)) GMAC/s)
            """
        )
    }
}
