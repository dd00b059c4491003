import SharpNet
import SharpSupport

/// A trained student carried over into a deeper student's training form, computing the same
/// function: the start of a fine-tune that spends a larger compute budget (Net2Net-style
/// deepening, Chen et al. 2016).
///
/// The source may be in training or deployment form (what `quantize` writes and `sharpcamd`
/// ships). Each of its 3×3 convolutions becomes the `k3` branch of the matching block; the
/// block's other branches start with zero output (`k1k3.w3`, `k1k3.b3`, the masks' `scale` and
/// `bias` at zero; their first 1×1 stages keep a random He start so their gradients are not
/// zero). The convolutions the target adds go after the source's last hidden convolution, as
/// the identity (centre tap 1 per channel, zero bias): they read a ReLU's output, which the
/// identity and the next ReLU leave unchanged.
///
/// Invariant: `ReferenceEngine(weights: grown(…))` computes what the source computes, up to
/// float rounding (tested).
public enum StudentGrowth {
    /// What keeps `source` from growing into `target` (nil when it can).
    public static func obstacle(from source: ArchitectureSpec, to target: ArchitectureSpec) -> String? {
        guard source.kind == .student else { return "it is a \(source.kind.rawValue), not a student" }
        guard target.kind == .student else { return "the target \(target) is not a student" }
        guard target.reparameterizable else {
            return "the target \(target) has no re-parameterisable blocks (no training form); drop ':plain'"
        }
        guard source.widths.count == 1, target.widths == source.widths else {
            return "growing keeps the one level's width (the file has \(source), the target is \(target))"
        }
        guard source.usesMaps == target.usesMaps, source.unshuffle == target.unshuffle else {
            return
                "growing keeps the inputs and the space-to-depth size (the file has \(source), the target is \(target))"
        }
        guard target.convsPerLevel >= source.convsPerLevel else {
            return "the target has fewer convolutions (\(target.convsPerLevel)) than the file (\(source.convsPerLevel))"
        }
        return nil
    }

    /// `source` as the training form of `target`; `seed` draws the zero-output branches'
    /// first stages. Throws naming `sourceName` when the shapes do not allow it.
    public static func grown(
        _ source: Weights, to target: ArchitectureSpec, seed: UInt64, sourceName: String
    ) throws -> Weights {
        if let why = obstacle(from: source.spec, to: target) {
            throw SharpCamError("cannot grow \(sourceName) into \(target): \(why)")
        }
        let folded = source.collapsed()
        if let why = folded.mismatch(for: NetworkGraph(folded.spec)) {
            throw SharpCamError("\(sourceName): \(why)")
        }
        var w = Weights.heInitialized(target, seed: seed)
        let width = target.widths[0]
        for n in NetworkGraph(target).nodes {
            guard case .repConv(let p) = n.op else { continue }
            let kept: (weight: Tensor, bias: Tensor)
            if let weight = folded["\(p).weight"], let bias = folded["\(p).bias"] {
                kept = (weight, bias)
            } else {
                // An added hidden convolution: the identity on `width` channels.
                var identity = Tensor(zeros: [width, width, 3, 3])
                for c in 0..<width { identity.data[(c * width + c) * 9 + 4] = 1 }
                kept = (identity, Tensor(zeros: [width]))
            }
            w["\(p).k3.weight"] = kept.weight
            w["\(p).k3.bias"] = kept.bias
            for name in ["\(p).k1k3.w3", "\(p).k1k3.b3"]
                + RepConvBlock.masks.flatMap({ ["\(p).\($0.0).scale", "\(p).\($0.0).bias"] })
            {
                w[name] = Tensor(zeros: w[name]!.shape)
            }
        }
        let added = target.convsPerLevel - source.spec.convsPerLevel
        w.metadata = [
            "init": added == 0
                ? "training form of \(sourceName) (\(source.spec))"
                : "grown from \(sourceName) (\(source.spec)): \(added) identity convolution(s) added",
            "trained": "no",
        ]
        return w
    }
}
