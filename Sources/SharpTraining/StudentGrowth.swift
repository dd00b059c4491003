import SharpNet
import SharpSupport

/// A trained student carried over into a deeper or wider student's training form, computing
/// the same function: the start of a fine-tune that spends a larger compute budget (Net2Net-style
/// deepening and widening, Chen et al. 2016).
///
/// The source may be in training or deployment form (what `quantize` writes and `sharpcamd`
/// ships). Each of its 3×3 convolutions becomes the `k3` branch of the matching block; the
/// block's other branches start with zero output (`k1k3.w3`, `k1k3.b3`, the masks' `scale` and
/// `bias` at zero; their first 1×1 stages keep a random He start so their gradients are not
/// zero). The convolutions the target adds go after the source's last hidden convolution, as
/// the identity (centre tap 1 per channel, zero bias): they read a ReLU's output, which the
/// identity and the next ReLU leave unchanged. The channels a wider target adds read every
/// input through a random He start (zero bias), and every convolution's weights from them to
/// the source's channels start at zero: they compute something from the first step, so the
/// weights that read them have gradients, but nothing the source computed depends on them.
/// A luma student grows into a `:chroma` one the same way: its first convolution reads Cb and
/// Cr through zero weights, and its last predicts their correction from zero weights and bias,
/// so chroma passes through unchanged until training moves them.
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
        guard source.widths.count == 1, target.widths.count == 1 else {
            return "growing needs one-level students (the file has \(source), the target is \(target))"
        }
        guard target.widths[0] >= source.widths[0] else {
            return "the target is narrower (\(target.widths[0]) channels) than the file (\(source.widths[0]))"
        }
        guard !source.usesChroma || target.usesChroma else {
            return "the target \(target) drops the chroma the file corrects (add ':chroma')"
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
        // Space-to-depth and depth-to-space interleave channels (index = offset · C + c): where
        // the target has chroma and the source not, the first convolution's inputs and the last
        // one's outputs move to their new places.
        let (cs, ct) = (source.spec.inputChannels, target.inputChannels)
        let (os, ot) = (source.spec.outputChannels, target.outputChannels)
        func inputPlace(_ i: Int) -> Int {
            let c = i % cs
            return (i / cs) * ct + (c == 0 ? 0 : c + (ct - cs))
        }
        func outputPlace(_ o: Int) -> Int { (o / os) * ot + o % os }
        var first = true
        for n in NetworkGraph(target).nodes {
            guard case .repConv(let p) = n.op else { continue }
            defer { first = false }
            let last = p == "out"
            var weight = w["\(p).k3.weight"]!
            var bias = Tensor(zeros: [weight.shape[0]])
            if let kept = folded["\(p).weight"], let keptBias = folded["\(p).bias"] {
                // The source's taps in the corner of the target's (in their new places); the
                // added outputs keep the random start in every input, the source's outputs read
                // nothing added, and added outputs of the last convolution (chroma) start at zero.
                let (cout, cin) = (kept.shape[0], kept.shape[1])
                let (targetOut, targetIn) = (weight.shape[0], weight.shape[1])
                var fromSource = [Int?](repeating: nil, count: targetOut)
                for o in 0..<cout { fromSource[last ? outputPlace(o) : o] = o }
                for to in 0..<targetOut {
                    // Added hidden outputs keep their random start; every other row starts at zero.
                    if fromSource[to] == nil && !last { continue }
                    for k in 0..<(targetIn * 9) { weight.data[to * targetIn * 9 + k] = 0 }
                    guard let o = fromSource[to] else { continue }
                    for i in 0..<cin {
                        let ti = first ? inputPlace(i) : i
                        for t in 0..<9 { weight.data[(to * targetIn + ti) * 9 + t] = kept.data[(o * cin + i) * 9 + t] }
                    }
                    bias.data[to] = keptBias.data[o]
                }
            } else {
                // An added hidden convolution: the identity on `width` channels.
                weight = Tensor(zeros: [width, width, 3, 3])
                for c in 0..<width { weight.data[(c * width + c) * 9 + 4] = 1 }
            }
            w["\(p).k3.weight"] = weight
            w["\(p).k3.bias"] = bias
            for name in ["\(p).k1k3.w3", "\(p).k1k3.b3"]
                + RepConvBlock.masks.flatMap({ ["\(p).\($0.0).scale", "\(p).\($0.0).bias"] })
            {
                w[name] = Tensor(zeros: w[name]!.shape)
            }
        }
        let added = target.convsPerLevel - source.spec.convsPerLevel
        let widened = width - source.spec.widths[0]
        var how = [String]()
        if added > 0 { how.append("\(added) identity convolution(s) added") }
        if widened > 0 { how.append("\(widened) channel(s) added per convolution") }
        if target.usesChroma && !source.spec.usesChroma { how.append("Cb and Cr added as inputs and outputs") }
        w.metadata = [
            "init": how.isEmpty
                ? "training form of \(sourceName) (\(source.spec))"
                : "grown from \(sourceName) (\(source.spec)): " + how.joined(separator: ", "),
            "trained": "no",
        ]
        return w
    }
}
