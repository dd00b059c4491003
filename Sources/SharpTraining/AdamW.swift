import Foundation
import SharpNet

/// Adam with decoupled weight decay (AdamW; decay 0 gives Adam), bias-corrected, with
/// global-norm gradient clipping and a warm-up + cosine learning-rate schedule.
///
/// Invariant: the moments hold one tensor per parameter, updated in sorted-name order, so a
/// step is deterministic and a restored state continues exactly.
public struct AdamW: Sendable {
    public var beta1 = 0.9, beta2 = 0.999, epsilon = 1e-8
    public var weightDecay: Double
    public var m: [String: Tensor] = [:]
    public var v: [String: Tensor] = [:]

    public init(weightDecay: Double) { self.weightDecay = weightDecay }

    /// Scales `grads` so their global L2 norm is at most `maxNorm`; returns the norm before.
    @discardableResult
    public static func clip(_ grads: inout [String: Tensor], maxNorm: Double) -> Double {
        var sq = 0.0
        for k in grads.keys.sorted() { for x in grads[k]!.data { sq += Double(x) * Double(x) } }
        let norm = sq.squareRoot()
        if maxNorm > 0 && norm > maxNorm {
            let f = Float(maxNorm / norm)
            for k in grads.keys { for i in grads[k]!.data.indices { grads[k]!.data[i] *= f } }
        }
        return norm
    }

    /// One update at 1-based `step` with learning rate `lr`.
    public mutating func update(_ params: inout [String: Tensor], grads: [String: Tensor], step: Int, lr: Double) {
        let c1 = 1 - Foundation.pow(beta1, Double(step)), c2 = 1 - Foundation.pow(beta2, Double(step))
        for name in params.keys.sorted() {
            guard let g = grads[name] else { continue }
            var p = params[name]!
            var mm = m[name] ?? Tensor(zeros: p.shape), vv = v[name] ?? Tensor(zeros: p.shape)
            for i in p.data.indices {
                let gi = Double(g.data[i])
                let mi = beta1 * Double(mm.data[i]) + (1 - beta1) * gi
                let vi = beta2 * Double(vv.data[i]) + (1 - beta2) * gi * gi
                mm.data[i] = Float(mi)
                vv.data[i] = Float(vi)
                var x = Double(p.data[i])
                x -= lr * weightDecay * x
                x -= lr * (mi / c1) / ((vi / c2).squareRoot() + epsilon)
                p.data[i] = Float(x)
            }
            params[name] = p
            m[name] = mm
            v[name] = vv
        }
    }

    /// Linear warm-up to `base`, then cosine decay to `base · finalFraction` at `total`.
    public static func learningRate(step: Int, total: Int, base: Double, warmup: Int, finalFraction: Double) -> Double {
        if step <= warmup && warmup > 0 { return base * Double(step) / Double(warmup) }
        let t = Double(step - warmup) / Double(max(1, total - warmup))
        return base * (finalFraction + (1 - finalFraction) * 0.5 * (1 + Foundation.cos(Double.pi * min(t, 1))))
    }

    /// The moments as checkpoint state tensors ("adam.m.NAME", "adam.v.NAME").
    public var state: [String: Tensor] {
        var out: [String: Tensor] = [:]
        for (k, t) in m { out["adam.m.\(k)"] = t }
        for (k, t) in v { out["adam.v.\(k)"] = t }
        return out
    }

    public mutating func restore(_ state: [String: Tensor]) {
        for (k, t) in state {
            if k.hasPrefix("adam.m.") { m[String(k.dropFirst(7))] = t }
            if k.hasPrefix("adam.v.") { v[String(k.dropFirst(7))] = t }
        }
    }
}
