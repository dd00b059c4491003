import ArgumentParser
import Foundation
import SharpCommandLine
import SharpNet
import SharpSupport
import SharpTraining

@main
struct SharpCamTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sharpcam-train",
        abstract: "Builds, inspects and exports SharpCam's networks.",
        version: SharpCamVersion.string,
        subcommands: [Train.self, Eval.self, Quantize.self, Inspect.self, ExportONNX.self, InitWeights.self])
}

/// The subcommands' shared error handling (`SharpCamCommand`), as "sharpcam-train: error: …".
protocol TrainToolCommand: SharpCamCommand {}

extension TrainToolCommand {
    static var toolName: String { "sharpcam-train" }
}

struct Inspect: TrainToolCommand {
    static let configuration = CommandConfiguration(
        abstract: "Architecture, parameter count and MACs per pixel of a model file or an architecture.",
        discussion: """
            ARCH: seed-unet | teacher[:W1,W2,...] | student[:W1,...][:cN][:maps|:nomaps][:plain]
            e.g. student:16:c3:nomaps (one level of 16 channels, 3 convs, luma only).
            """)

    @Argument(help: "A weights file (.scw).")
    var model: String?

    @Option(help: "Describe an architecture instead of a file.")
    var arch: ArchitectureSpec?

    @Flag(help: "List the standard variants with their costs.")
    var catalog = false

    func validate() throws {
        if [model != nil, arch != nil, catalog].filter({ $0 }).count != 1 {
            throw ValidationError("give exactly one of MODEL, --arch or --catalog")
        }
    }

    func execute() throws {
        if catalog {
            let variants: [ArchitectureSpec] = [
                .seedUNet, .teacher(), .teacher(widths: [16, 32, 64, 128]),
                .student(widths: [8], convsPerLevel: 2), .student(widths: [16], convsPerLevel: 2),
                .student(widths: [16], convsPerLevel: 3),
                .student(widths: [16], convsPerLevel: 3, usesMaps: true), .student(widths: [12, 24], convsPerLevel: 1),
                .student(widths: [16, 32], convsPerLevel: 1), .student(widths: [16, 32], convsPerLevel: 2),
                .student(widths: [24], convsPerLevel: 3), .student(widths: [32], convsPerLevel: 2),
                .student(widths: [24], convsPerLevel: 3, unshuffle: 4),
                .student(widths: [24], convsPerLevel: 5, unshuffle: 4),
                .student(widths: [32], convsPerLevel: 3, unshuffle: 4),
                .student(widths: [24], convsPerLevel: 3, usesMaps: true, unshuffle: 4),
                .student(widths: [32], convsPerLevel: 2, usesMaps: true, unshuffle: 4),
                .student(widths: [24], convsPerLevel: 4, usesMaps: true, unshuffle: 4),
            ]
            print("architecture".padding(toLength: 30, withPad: " ", startingAt: 0) + "  params (deploy)   MAC/pixel")
            for v in variants {
                let g = NetworkGraph(v.collapsed)
                let name = v.argument.padding(toLength: 30, withPad: " ", startingAt: 0)
                let params = String(g.parameterCount)
                print(
                    """
                    \(name)  \(String(repeating: " ", count: max(0, 15 - params.count)))\(params)   \
                    \(String(format: "%9.0f", g.macsPerPixel))
                    """
                )
            }
            return
        }
        let weights = try model.map { try WeightsFile.load($0) }
        let spec = weights?.spec ?? arch!
        let graph = NetworkGraph(spec), deploy = NetworkGraph(spec.collapsed)
        print("architecture: \(spec)")
        print("argument:     \(spec.argument)")
        print(
            """
            input:        \(spec.inputChannels) channel\(spec.inputChannels == 1 ? "" : "s"), frame sides padded \
            to multiples of \(spec.stride)
            """
        )
        print(
            "output:       \(spec.kind != .student ? "RGB" : spec.usesChroma ? "luma and chroma (Y, Cb, Cr)" : "luma")")
        if spec.reparameterizable {
            print("parameters:   \(graph.parameterCount) (training form), \(deploy.parameterCount) (deployment form)")
        } else {
            print("parameters:   \(graph.parameterCount)")
        }
        print("MACs/pixel:   \(Int(deploy.macsPerPixel.rounded())) (deployment form, per input pixel)")
        if let weights {
            for (k, v) in weights.metadata.sorted(by: { $0.key < $1.key }) { print("meta \(k): \(v)") }
        }
    }
}

struct ExportONNX: TrainToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-onnx",
        abstract: "Write a model as ONNX (opset 13; students in deployment form).")

    @Argument(help: "A weights file (.scw).")
    var model: String

    @Argument(help: "Output .onnx file.")
    var output: String

    func execute() throws {
        let weights = try WeightsFile.load(model)
        let bytes = ONNXExporter.export(weights)
        do {
            try Data(bytes).write(to: URL(fileURLWithPath: output), options: .atomic)
        } catch {
            throw SharpCamError("cannot write: \(error.localizedDescription)", subject: output)
        }
        print("wrote \(output): \(weights.spec.collapsed), \(bytes.count) bytes, opset \(ONNXExporter.opset)")
    }
}

struct InitWeights: TrainToolCommand {
    static let configuration = CommandConfiguration(
        commandName: "init",
        abstract: "Write randomly initialised (He) weights for an architecture: the start of training, or a test net.",
        discussion: """
            With --from, the start of a fine-tune instead: a trained student (training or deployment form, \
            e.g. the shipped one) in the training form of ARCH, which may have more convolutions and more \
            channels than it. Added convolutions start as the identity, added channels feed nothing FILE \
            computed, so the written network computes what FILE computes.
            """)

    @Option(help: "Architecture (see `inspect --help`).")
    var arch: ArchitectureSpec

    @Option(help: "Output weights file.")
    var out: String

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Flag(help: "Store in half precision.")
    var fp16 = false

    @Option(
        name: .customLong("from"),
        help: "Start from this trained student ('builtin' for the shipped one) instead of random weights.")
    var source: String?

    func execute() throws {
        if let source {
            let trained = try DefaultStudent.load(source, expecting: .student)
            let w = try StudentGrowth.grown(trained, to: arch, seed: seed, sourceName: source)
            try WeightsFile.write(w, to: out, dataType: fp16 ? .f16 : .f32)
            print("wrote \(out): \(arch), \(NetworkGraph(arch).parameterCount) parameters (\(w.metadata["init"]!))")
            return
        }
        let w = Weights.heInitialized(arch, seed: seed)
        try WeightsFile.write(w, to: out, dataType: fp16 ? .f16 : .f32)
        print("wrote \(out): \(arch), \(NetworkGraph(arch).parameterCount) parameters (untrained)")
    }
}
