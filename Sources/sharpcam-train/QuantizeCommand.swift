import ArgumentParser
import Foundation
import SharpFrames
import SharpNet
import SharpSupport
import SharpTraining

struct Quantize: TrainToolCommand {
    static let configuration = CommandConfiguration(
        abstract: "Calibrate a student's int8 activation scales on photos and store them in the weights file.",
        discussion: """
            The photos are made into what the engine will see — webcam-like frames (downscaled 2×,
            blurred, noisy, JPEG; at most 640 pixels wide) and 256×256 frames with the seed's heavy
            blur (Gaussian σ 2.5), as BT.601 limited-range YUV — and the FP32 student's activations
            on them set each layer's scale. The file is written in
            deployment form (re-parameterisable blocks collapsed into plain 3×3 convolutions):
            what `sharpcamd` runs and what scripts/embed-weights.sh ships.
            """)

    @Argument(help: "Student weights file (.scw).")
    var model: String

    @Option(help: "Folder of calibration photos (training photos).")
    var data: String

    @Option(help: "Output weights file (default: overwrite MODEL).")
    var out: String?

    @Option(help: "Use at most N photos.")
    var images: Int = 16

    @Option(
        help: ArgumentHelp(
            "Hidden layers whose int8 weights get 11 bits instead of 6: 'auto', a list such as 0,1, or 'none'.",
            discussion:
                """
                Each doubles that layer's int8 cost. auto measures int8 against fp32 on the calibration frames \
                with layers 0..<k wide, k up to --max-wide-layers, and takes the smallest k reaching 50 dB (else \
                the best of those).
                """
        ))
    var wideLayers: String = "auto"

    @Option(
        help: ArgumentHelp(
            "With --wide-layers auto: at most N wide layers.",
            discussion: """
                Bounds AVX2's int8 time: each wide layer runs twice there (2, the default, keeps the shipped \
                student's 720p network within its 15 ms budget on 2 threads).
                """))
    var maxWideLayers: Int = 2

    func execute() throws {
        do {
            let weights = try WeightsFile.load(model, expecting: .student)
            let photos = try PhotoLibrary.load(data).prefix(images)
            // Both kinds of input the network must handle: webcam-like frames and frames with the
            // seed's heavy blur (σ 2.5), whose larger corrections need larger activation ranges.
            let frames: [Frame] = photos.enumerated().flatMap { i, photo -> [Frame] in
                [EvaluationProtocol.webcam, EvaluationProtocol.p256].compactMap { proto in
                    guard let c = proto.prepare(photo, name: "calibration-\(i)") else { return nil }
                    var img = c.degraded
                    if img.width > 640 {
                        let h = max(2, img.height * 640 / img.width)
                        img = RGBImage(
                            planar: ImageOps.areaResize(
                                img.planar, channels: 3, height: img.height, width: img.width, toHeight: h, width: 640),
                            width: 640, height: h)
                    }
                    let rgb = img.frame(colorSpace: .bt601Limited)
                    let yuv = Frame(format: rgb.format.with(.i420), colorSpace: .bt601Limited)
                    rgb.convert(into: yuv)
                    return yuv
                }
            }
            guard maxWideLayers >= 1 else {
                throw SharpCamError(
                    "--max-wide-layers: expected 1 or more (layer 0 is always wide), got \(maxWideLayers)")
            }
            var wide: [Int] = [0]
            if wideLayers == "none" {
                wide = []
            } else if wideLayers != "auto" {
                let parts = wideLayers.split(separator: ",").map { Int($0.trimmingCharacters(in: .whitespaces)) }
                guard !parts.isEmpty, parts.allSatisfy({ $0 != nil }) else {
                    throw SharpCamError(
                        "--wide-layers: expected layer numbers such as 0,1 or 'none' (got '\(wideLayers)')")
                }
                wide = parts.map { $0! }
            }
            var calibrated = try StudentCalibration.calibrated(weights.collapsed(), frames: frames, wideLayers: wide)
            if wideLayers == "auto" {
                let choice = try StudentCalibration.chooseWideLayers(
                    calibrated, frames: frames, maxLayers: maxWideLayers)
                let table = choice.agreement.indices.dropFirst().map {
                    "0..<\($0): \(String(format: "%.2f", choice.agreement[$0])) dB"
                }
                print("int8 against fp32 on the calibration frames with wide layers \(table.joined(separator: ", "))")
                wide = choice.layers
                calibrated = StudentCalibration.withWideLayers(calibrated, wide)
            }
            let path = out ?? model
            try WeightsFile.write(calibrated, to: path)
            let form = weights.spec.reparameterizable ? " (deployment form: re-parameterised blocks collapsed)" : ""
            print(
                """
                wrote \(path)\(form): int8 activation scales from \(frames.count) frames, \
                \((StudentCalibration.percentile * 100_000).rounded() / 1000)th percentile; wide int8 weights in \
                layers \(wide.isEmpty ? "none" : wide.map(String.init).joined(separator: ","))
                """
            )
        } catch let e as SharpCamError where e.subject == nil {
            throw SharpCamError(e.problem, subject: model)
        }
    }
}
