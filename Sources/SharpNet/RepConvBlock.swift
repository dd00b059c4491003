/// The training form of a student 3×3 convolution, after ECBSR (Zhang et al. 2021): the sum
/// of five branches that `collapse` folds into one 3×3 convolution with bias.
///
/// Branches (in → out channels, m = 2·out):
/// - `k3`: 3×3 conv (weight [out, in, 3, 3], bias [out]);
/// - `k1k3`: 1×1 conv in → m (w1, b1), then 3×3 conv m → out (w3, b3);
/// - `sobelx`, `sobely`, `laplacian`: 1×1 conv in → out (w1, b1), then a depthwise 3×3 with the
///   fixed mask scaled per channel (scale [out], bias [out]).
/// The intermediate of each two-stage branch is padded with its own 1×1 bias (not zero), so
/// the folded convolution (zero-padded) is exact at the borders too.
///
/// Invariant: `collapse(…)` computes the same function as the sum of the branches.
public enum RepConvBlock {
    public static let sobelX: [Float] = [1, 0, -1, 2, 0, -2, 1, 0, -1]
    public static let sobelY: [Float] = [1, 2, 1, 0, 0, 0, -1, -2, -1]
    public static let laplacian: [Float] = [0, 1, 0, 1, -4, 1, 0, 1, 0]
    public static let masks: [(String, [Float])] = [("sobelx", sobelX), ("sobely", sobelY), ("laplacian", laplacian)]

    public static func parameterShapes(
        prefix p: String, inChannels i: Int, outChannels o: Int
    ) -> [(name: String, shape: [Int])] {
        let m = 2 * o
        var out: [(String, [Int])] = [
            ("\(p).k3.weight", [o, i, 3, 3]), ("\(p).k3.bias", [o]),
            ("\(p).k1k3.w1", [m, i, 1, 1]), ("\(p).k1k3.b1", [m]),
            ("\(p).k1k3.w3", [o, m, 3, 3]), ("\(p).k1k3.b3", [o]),
        ]
        for (name, _) in masks {
            out += [
                ("\(p).\(name).w1", [o, i, 1, 1]), ("\(p).\(name).b1", [o]), ("\(p).\(name).scale", [o]),
                ("\(p).\(name).bias", [o]),
            ]
        }
        return out
    }

    /// The equivalent single 3×3 convolution: (weight [out, in, 3, 3], bias [out]).
    public static func collapse(
        prefix p: String, inChannels ci: Int, outChannels co: Int, weights w: Weights
    ) -> (Tensor, Tensor) {
        let m = 2 * co
        var weight = w[p + ".k3.weight"]!
        var bias = w[p + ".k3.bias"]!
        // 1×1 → 3×3: W[o,i,t] += Σ_k w3[o,k,t]·w1[k,i];  b[o] += b3[o] + Σ_k Σ_t w3[o,k,t]·b1[k].
        let w1 = w[p + ".k1k3.w1"]!, b1 = w[p + ".k1k3.b1"]!, w3 = w[p + ".k1k3.w3"]!, b3 = w[p + ".k1k3.b3"]!
        for o in 0..<co {
            var b = Double(b3.data[o])
            for k in 0..<m {
                for t in 0..<9 {
                    let v = w3.data[(o * m + k) * 9 + t]
                    b += Double(v) * Double(b1.data[k])
                    for i in 0..<ci { weight.data[(o * ci + i) * 9 + t] += v * w1.data[k * ci + i] }
                }
            }
            bias.data[o] += Float(b)
        }
        // 1×1 → scaled fixed mask: W[o,i,t] += scale[o]·mask[t]·w1[o,i];
        // b[o] += bias[o] + scale[o]·Σ_t mask[t]·b1[o] (Σ mask = 0 for all three masks).
        for (name, mask) in masks {
            let w1 = w[p + ".\(name).w1"]!, b1 = w[p + ".\(name).b1"]!, scale = w[p + ".\(name).scale"]!,
                bb = w[p + ".\(name).bias"]!
            let maskSum = mask.reduce(0, +)
            for o in 0..<co {
                for i in 0..<ci {
                    for t in 0..<9 {
                        weight.data[(o * ci + i) * 9 + t] += scale.data[o] * mask[t] * w1.data[o * ci + i]
                    }
                }
                bias.data[o] += bb.data[o] + scale.data[o] * maskSum * b1.data[o]
            }
        }
        return (weight, bias)
    }
}
