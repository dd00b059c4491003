import Foundation
import SharpSupport

/// Named parameter tensors of one network, plus free-form metadata (training recipe,
/// calibration scales...).
///
/// Invariant: after `validate(against:)` succeeded, holds exactly the graph's parameters with
/// their shapes and only finite values.
public struct Weights: Sendable, Equatable {
    public var spec: ArchitectureSpec
    public var tensors: [String: Tensor]
    public var metadata: [String: String]

    public init(spec: ArchitectureSpec, tensors: [String: Tensor], metadata: [String: String] = [:]) {
        self.spec = spec
        self.tensors = tensors
        self.metadata = metadata
    }

    public subscript(name: String) -> Tensor? {
        get { tensors[name] }
        set { tensors[name] = newValue }
    }

    /// What is wrong with these tensors for `spec`'s graph (nil when they fit).
    /// The largest weight or bias a usable network has (trained ones stay far below it; beyond
    /// it activations overflow and the output is garbage).
    public static let maxMagnitude: Float = 10_000

    public func mismatch(for graph: NetworkGraph) -> String? {
        let expected = graph.parameters
        for (name, shape) in expected {
            guard let t = tensors[name] else { return "missing tensor '\(name)'" }
            if t.shape != shape { return "tensor '\(name)' has shape \(t.shape), the architecture needs \(shape)" }
            if let bad = t.data.firstIndex(where: { !$0.isFinite }) {
                return "tensor '\(name)' holds a non-finite value at index \(bad)"
            }
            if let bad = t.data.firstIndex(where: { abs($0) > Self.maxMagnitude }) {
                let limit = Self.maxMagnitude
                return "tensor '\(name)' holds an absurd value \(t.data[bad]) at index \(bad) (|w| ≤ \(limit))"
            }
        }
        let names = Set(expected.map(\.name))
        if let extra = tensors.keys.sorted().first(where: { !names.contains($0) }) {
            return "unexpected tensor '\(extra)' (not part of \(graph.spec))"
        }
        return nil
    }

    /// He-initialised weights (normal, σ = √(2 / fan-in)) and small non-zero biases, from a
    /// seeded generator: the starting point for training, and random nets for tests.
    public static func heInitialized(_ spec: ArchitectureSpec, seed: UInt64) -> Weights {
        var rng = SplitMix64(seed: seed)
        let graph = NetworkGraph(spec)
        let transposed = Set(
            graph.nodes.compactMap { n -> String? in
                if case .convTranspose2x2(let p) = n.op { return "\(p).weight" }
                return nil
            })
        var tensors: [String: Tensor] = [:]
        for (name, shape) in graph.parameters {
            let count = shape.reduce(1, *)
            var data = [Float](repeating: 0, count: count)
            if name.hasSuffix(".scale") {
                for i in 0..<count { data[i] = Float(rng.normal() * 0.1) }
            } else if shape.count == 1 {
                for i in 0..<count { data[i] = Float(rng.uniform() * 0.2 - 0.1) }
            } else {
                // Conv weights are [out, in, k, k] (fan-in in·k·k); transposed conv weights are
                // [in, out, 2, 2] and each output pixel receives `in` taps.
                let fanIn = transposed.contains(name) ? shape[0] : shape[1] * shape[2] * shape[3]
                // Residual nets (teacher, student) start near the identity: their output layer
                // is drawn 10× smaller, so the first steps refine instead of undoing noise.
                let residualOutput = spec.kind != .seedUNet && name.hasPrefix("out.")
                let std = (2.0 / Double(fanIn)).squareRoot() * (residualOutput ? 0.1 : 1)
                for i in 0..<count { data[i] = Float(rng.normal() * std) }
            }
            tensors[name] = Tensor(shape: shape, data: data)
        }
        return Weights(spec: spec, tensors: tensors, metadata: ["init": "he-normal seed \(seed)", "trained": "no"])
    }

    /// The starting point for training a residual network (teacher, student): He-initialised,
    /// but with the output layer's last stage at zero — every `out.` weight and bias except
    /// the first 1×1 stage of two-stage re-parameterisable branches — so the network starts as
    /// the identity and the first steps refine the picture instead of undoing a random offset
    /// (a random output layer on luma-sized activations starts 10-15 dB below the input, which
    /// killed the ReLUs of a space-to-depth ×4 student in its first 50 steps). seed-unet (no
    /// residual path) keeps the plain He initialisation.
    public static func trainingStart(_ spec: ArchitectureSpec, seed: UInt64) -> Weights {
        var w = heInitialized(spec, seed: seed)
        guard spec.kind != .seedUNet else { return w }
        for name in w.tensors.keys where name.hasPrefix("out.") && !name.hasSuffix(".w1") && !name.hasSuffix(".b1") {
            w.tensors[name]!.data = [Float](repeating: 0, count: w.tensors[name]!.data.count)
        }
        w.metadata["init"] = "he-normal seed \(seed), zero residual output"
        return w
    }

    /// The deployment form: re-parameterisable blocks folded into plain 3×3 convolutions.
    public func collapsed() -> Weights {
        guard spec.reparameterizable else { return self }
        let graph = NetworkGraph(spec)
        var out: [String: Tensor] = [:]
        for n in graph.nodes {
            switch n.op {
            case .repConv(let p):
                let (w, b) = RepConvBlock.collapse(
                    prefix: p, inChannels: n.inChannels, outChannels: n.channels, weights: self)
                out["\(p).weight"] = w
                out["\(p).bias"] = b
            case .conv(let p, _), .convTranspose2x2(let p):
                out["\(p).weight"] = tensors["\(p).weight"]
                out["\(p).bias"] = tensors["\(p).bias"]
            default: break
            }
        }
        var meta = metadata
        meta["collapsed"] = "yes"
        return Weights(spec: spec.collapsed, tensors: out, metadata: meta)
    }
}
