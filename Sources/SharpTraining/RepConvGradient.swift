import SharpNet

/// The adjoint of `RepConvBlock.collapse`: maps gradients of the folded 3×3 convolution
/// (dW [out, in, 3, 3], db [out]) to gradients of the five branches' parameters.
///
/// A block's output equals the folded convolution exactly, and folding is bilinear in the
/// branch parameters, so training through the fold gives the same gradients as running the
/// branches one by one, at the cost of one convolution.
enum RepConvGradient {
    static func branchGradients(
        prefix p: String, inChannels ci: Int, outChannels co: Int, weights w: Weights,
        dW: Tensor, db: Tensor
    ) -> [String: Tensor] {
        let m = 2 * co
        var out: [String: Tensor] = [:]
        out[p + ".k3.weight"] = dW
        out[p + ".k3.bias"] = db
        // W[o,i,t] += Σ_k w3[o,k,t]·w1[k,i];  b[o] += b3[o] + Σ_k Σ_t w3[o,k,t]·b1[k]
        let w1 = w[p + ".k1k3.w1"]!, b1 = w[p + ".k1k3.b1"]!, w3 = w[p + ".k1k3.w3"]!
        var dw1 = Tensor(zeros: w1.shape), db1 = Tensor(zeros: b1.shape), dw3 = Tensor(zeros: w3.shape)
        for o in 0..<co {
            for k in 0..<m {
                for t in 0..<9 {
                    let v = w3.data[(o * m + k) * 9 + t]
                    var s: Float = db.data[o] * b1.data[k]
                    for i in 0..<ci {
                        let g = dW.data[(o * ci + i) * 9 + t]
                        s += g * w1.data[k * ci + i]
                        dw1.data[k * ci + i] += g * v
                    }
                    dw3.data[(o * m + k) * 9 + t] = s
                    db1.data[k] += db.data[o] * v
                }
            }
        }
        out[p + ".k1k3.w1"] = dw1
        out[p + ".k1k3.b1"] = db1
        out[p + ".k1k3.w3"] = dw3
        out[p + ".k1k3.b3"] = db
        // W[o,i,t] += scale[o]·mask[t]·w1[o,i];  b[o] += bias[o] + scale[o]·Σmask·b1[o]
        for (name, mask) in RepConvBlock.masks {
            let w1 = w[p + ".\(name).w1"]!, b1 = w[p + ".\(name).b1"]!, scale = w[p + ".\(name).scale"]!
            let maskSum = mask.reduce(0, +)
            var dw1 = Tensor(zeros: w1.shape), db1 = Tensor(zeros: b1.shape), dscale = Tensor(zeros: scale.shape)
            for o in 0..<co {
                var ds: Float = db.data[o] * maskSum * b1.data[o]
                for i in 0..<ci {
                    var gm: Float = 0
                    for t in 0..<9 { gm += dW.data[(o * ci + i) * 9 + t] * mask[t] }
                    ds += gm * w1.data[o * ci + i]
                    dw1.data[o * ci + i] = gm * scale.data[o]
                }
                dscale.data[o] = ds
                db1.data[o] = db.data[o] * scale.data[o] * maskSum
            }
            out[p + ".\(name).w1"] = dw1
            out[p + ".\(name).b1"] = db1
            out[p + ".\(name).scale"] = dscale
            out[p + ".\(name).bias"] = db
        }
        return out
    }

    /// Gradients of the training-form parameters from those of the effective weights.
    static func trainingGradients(_ effective: [String: Tensor], weights w: Weights) -> [String: Tensor] {
        guard w.spec.reparameterizable else { return effective }
        var out: [String: Tensor] = [:]
        for n in NetworkGraph(w.spec).nodes {
            switch n.op {
            case .repConv(let p):
                let dW = effective[p + ".weight"] ?? Tensor(zeros: [n.channels, n.inChannels, 3, 3])
                let db = effective[p + ".bias"] ?? Tensor(zeros: [n.channels])
                out.merge(
                    branchGradients(
                        prefix: p, inChannels: n.inChannels, outChannels: n.channels, weights: w, dW: dW, db: db)
                ) { $1 }
            case .conv(let p, _), .convTranspose2x2(let p):
                for s in [".weight", ".bias"] { if let t = effective[p + s] { out[p + s] = t } }
            default: break
            }
        }
        return out
    }
}
