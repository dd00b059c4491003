import Foundation
import SharpFrames
import SharpSupport

/// Activation scales for the int8 engine: the collapsed student run in fp32 (reference
/// operations) on calibration frames, recording every hidden layer's post-ReLU values; the
/// layer's scale maps their 99.999th percentile to 255 (rare outliers clip instead of
/// coarsening everything).
///
/// The engine takes one scale per channel, but calibration gives every channel of a layer the
/// same one: per-channel scales fold into the next layer's weights, and a channel with a small
/// range then gets weights so small next to its neighbours' that they round to zero under the
/// shared per-output-channel weight scale (measured: worse on one of three photos).
public enum StudentCalibration {
    public static let percentile = 0.99999

    public static func activationScales(_ weights: Weights, frames: [Frame]) throws -> [[Float]] {
        let w = weights.collapsed()
        if let problem = FusedStudentEngine.supportError(w.spec) { throw SharpCamError(problem) }
        let graph = NetworkGraph(w.spec)
        let runner = NetworkFrameRunner(engine: ReferenceEngine(weights: w))
        var prefixes: [String] = []
        for n in graph.nodes { if case .conv(let p, _) = n.op { prefixes.append(p) } }
        var samples: [[[Float]]] = []  // [layer][channel][values]
        for frame in frames {
            var x = ReferenceEngine.spaceToDepth(
                runner.inputTensor(for: frame).reflectPadded(toMultipleOf: w.spec.stride), block: w.spec.unshuffle)
            for (k, p) in prefixes.dropLast().enumerated() {
                x = ReferenceEngine.conv(x, weight: w[p + ".weight"]!, bias: w[p + ".bias"]!, kernel: 3)
                x.data = x.data.map { max($0, 0) }
                if samples.count <= k { samples.append(Array(repeating: [], count: x.channels)) }
                let plane = x.height * x.width
                for c in 0..<x.channels { samples[k][c] += x.data[(c * plane)..<((c + 1) * plane)] }
            }
        }
        return samples.map { layer in
            let sorted = layer.flatMap { $0 }.sorted()
            let v = sorted.isEmpty ? 1 : sorted[min(sorted.count - 1, Int(Double(sorted.count) * percentile))]
            return Array(repeating: max(v, 1e-6) / 255, count: layer.count)
        }
    }

    /// How closely int8 with wide weights in layers 0..<k follows fp32, for each k.
    public struct WideLayerChoice: Sendable {
        /// The chosen wide layers.
        public let layers: [Int]
        /// Mean PSNR (dB) of the int8 output luma against the fp32 engine's, per number of
        /// wide layers (index k: layers 0..<k wide).
        public let agreement: [Double]
    }

    /// Chooses the wide layers by measurement: the fused engine in int8 with layers 0..<k wide,
    /// k = 1 ... min(hidden layers, `maxLayers`), against itself in fp32 on the calibration
    /// frames; the smallest k whose agreement reaches `target` dB (each wide layer doubles its
    /// cost), else the best of those measured. 50 dB (an error MSE of 0.65) adds under 1 % to
    /// the error of a 28 dB result: ≤ 0.03 dB. `maxLayers` bounds the cost: deeper students
    /// trained longer can need 4-6 wide layers to reach 50 dB, and on AVX2 each runs twice.
    public static func chooseWideLayers(
        _ calibrated: Weights, frames: [Frame], target: Double = 50, maxLayers: Int? = nil
    ) throws -> WideLayerChoice {
        guard let json = calibrated.metadata[FusedStudentEngine.activationScalesKey],
            let hidden = try? JSONDecoder().decode([[Float]].self, from: Data(json.utf8)).count, hidden > 0
        else {
            throw SharpCamError("choosing wide layers needs calibrated activation scales")
        }
        let width = frames.map(\.width).max() ?? 1
        let fp32 = try FusedStudentEngine(
            weights: calibrated, precision: .fp32, maxWidth: width, threads: 2, transferChroma: false)
        let references = frames.map { f -> Frame in
            let out = Frame(format: f.format, colorSpace: f.colorSpace)
            fp32.process(f, strength: 1, into: out)
            return out
        }
        if let maxLayers, maxLayers < 1 {
            throw SharpCamError("at most \(maxLayers) wide layers: layer 0 is always wide (1 or more)")
        }
        let last = min(hidden, maxLayers ?? hidden)
        var agreement: [Double] = [.nan]
        for k in 1...last {
            // `quant.wide-layers` belongs to the AVX2 scheme (6-bit weights): measure that scheme,
            // whatever set this CPU would pick (the AVX-512 VNNI set's 8-bit weights hardly need it).
            let int8 = try FusedStudentEngine(
                weights: withWideLayers(calibrated, Array(0..<k)), precision: .int8, maxWidth: width, threads: 2,
                isa: KernelISA.avx2.isSupported ? .avx2 : .portable, int8Weights: .sixBitWide, transferChroma: false)
            var total = 0.0
            for (f, ref) in zip(frames, references) {
                let out = Frame(format: f.format, colorSpace: f.colorSpace)
                int8.process(f, strength: 1, into: out)
                total += lumaPSNR(out, ref)
            }
            agreement.append(total / Double(frames.count))
        }
        let k = (1...last).first { agreement[$0] >= target } ?? (1...last).max { agreement[$0] < agreement[$1] }!
        return WideLayerChoice(layers: Array(0..<k), agreement: agreement)
    }

    /// The weights with `layers` (sorted, without repeats) as their wide int8 layers.
    public static func withWideLayers(_ weights: Weights, _ layers: [Int]) -> Weights {
        var out = weights
        out.metadata[FusedStudentEngine.wideLayersKey] =
            "[" + Array(Set(layers)).sorted().map(String.init).joined(separator: ",") + "]"
        return out
    }

    static func lumaPSNR(_ a: Frame, _ b: Frame) -> Double {
        var se = 0.0, n = 0
        for y in 0..<a.height {
            let ra = a.lumaRow(y), rb = b.lumaRow(y)
            for x in 0..<a.width { let d = Double(ra[x]) - Double(rb[x]); se += d * d; n += 1 }
        }
        return PSNR.decibels(meanSquaredError: se / Double(n))
    }

    /// The weights with calibrated scales in their metadata, and the hidden layers to run with
    /// wide (11-bit) int8 weights.
    public static func calibrated(_ weights: Weights, frames: [Frame], wideLayers: [Int] = [0]) throws -> Weights {
        let scales = try activationScales(weights, frames: frames)
        if let bad = wideLayers.first(where: { $0 < 0 || $0 >= scales.count }) {
            throw SharpCamError("wide layer \(bad) is not a hidden layer (0..<\(scales.count))")
        }
        var out = withWideLayers(weights, wideLayers)
        out.metadata[FusedStudentEngine.activationScalesKey] = String(
            decoding: try JSONEncoder().encode(scales), as: UTF8.self)
        out.metadata["quant.calibration"] =
            "\(frames.count) frames, \((percentile * 100_000).rounded() / 1000)th percentile"
        return out
    }
}
