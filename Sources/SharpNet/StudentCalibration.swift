import Foundation
import SharpFrames

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
        if let problem = FusedStudentEngine.supportError(w.spec) { throw FusedEngineError(problem) }
        let graph = NetworkGraph(w.spec)
        let runner = NetworkFrameRunner(engine: ReferenceEngine(weights: w))
        var prefixes: [String] = []
        for n in graph.nodes { if case .conv(let p, _) = n.op { prefixes.append(p) } }
        var samples: [[[Float]]] = []  // [layer][channel][values]
        for frame in frames {
            var x = ReferenceEngine.spaceToDepth(runner.inputTensor(for: frame).reflectPadded(toMultipleOf: w.spec.stride), block: w.spec.unshuffle)
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

    /// The weights with calibrated scales in their metadata, and the hidden layers to run with
    /// wide (11-bit) int8 weights.
    public static func calibrated(_ weights: Weights, frames: [Frame], wideLayers: [Int] = [0]) throws -> Weights {
        let scales = try activationScales(weights, frames: frames)
        if let bad = wideLayers.first(where: { $0 < 0 || $0 >= scales.count }) {
            throw FusedEngineError("wide layer \(bad) is not a hidden layer (0..<\(scales.count))")
        }
        var out = weights
        out.metadata[FusedStudentEngine.activationScalesKey] = String(decoding: try JSONEncoder().encode(scales), as: UTF8.self)
        out.metadata[FusedStudentEngine.wideLayersKey] = String(decoding: try JSONEncoder().encode(Array(Set(wideLayers)).sorted()), as: UTF8.self)
        out.metadata["quant.calibration"] = "\(frames.count) frames, \((percentile * 100_000).rounded() / 1000)th percentile"
        return out
    }
}
