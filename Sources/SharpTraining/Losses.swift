import Foundation
import SharpNet

/// Training objectives on [C, H, W] tensors with values in [0, 1]; each returns the loss and its
/// gradient with respect to the prediction.
///
/// Invariant: gradients are exact derivatives of the returned values (checked against finite
/// differences); losses are means over all elements (SSIM: over all valid window positions and
/// channels).
public enum Loss: String, Codable, Sendable, CaseIterable {
    /// The seed's 0.4·MSE + 0.6·(1 − SSIM).
    case seed
    case mse
    case l1
    /// √((y − t)² + ε²), ε = 1e-3: a smooth L1.
    case charbonnier

    public func evaluate(_ y: Tensor, _ t: Tensor) -> (value: Double, gradient: Tensor) {
        switch self {
        case .mse: return Losses.mse(y, t)
        case .l1: return Losses.l1(y, t)
        case .charbonnier: return Losses.charbonnier(y, t)
        case .seed:
            let (m, gm) = Losses.mse(y, t)
            let (s, gs) = Losses.ssim(y, t)
            var g = gm
            for i in g.data.indices { g.data[i] = 0.4 * gm.data[i] - 0.6 * gs.data[i] }
            return (0.4 * m + 0.6 * (1 - s), g)
        }
    }
}

enum Losses {
    static func mse(_ y: Tensor, _ t: Tensor) -> (Double, Tensor) {
        let n = Double(y.count)
        var s = 0.0
        var g = Tensor(zeros: y.shape)
        for i in y.data.indices {
            let d = Double(y.data[i] - t.data[i])
            s += d * d
            g.data[i] = Float(2 * d / n)
        }
        return (s / n, g)
    }

    static func l1(_ y: Tensor, _ t: Tensor) -> (Double, Tensor) {
        let n = Double(y.count)
        var s = 0.0
        var g = Tensor(zeros: y.shape)
        for i in y.data.indices {
            let d = y.data[i] - t.data[i]
            s += Double(abs(d))
            g.data[i] = d > 0 ? Float(1 / n) : (d < 0 ? Float(-1 / n) : 0)
        }
        return (s / n, g)
    }

    static let charbonnierEpsilon: Double = 1e-3

    static func charbonnier(_ y: Tensor, _ t: Tensor) -> (Double, Tensor) {
        let n = Double(y.count), e2 = charbonnierEpsilon * charbonnierEpsilon
        var s = 0.0
        var g = Tensor(zeros: y.shape)
        for i in y.data.indices {
            let d = Double(y.data[i] - t.data[i])
            let r = (d * d + e2).squareRoot()
            s += r
            g.data[i] = Float(d / r / n)
        }
        return (s / n, g)
    }

    // MARK: SSIM

    /// The 11-tap Gaussian (σ = 1.5) of the SSIM window, normalised.
    static let window: [Double] = {
        let raw = (-5...5).map { exp(-Double($0 * $0) / (2 * 1.5 * 1.5)) }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }()

    /// Valid separable filtering of an h×w plane with `window` → (h − 10)×(w − 10).
    static func filterValid(_ plane: [Double], _ h: Int, _ w: Int) -> [Double] {
        let oh = h - 10, ow = w - 10
        var tmp = [Double](repeating: 0, count: h * ow)
        for y in 0..<h {
            for x in 0..<ow {
                var s = 0.0
                for k in 0..<11 { s += window[k] * plane[y * w + x + k] }
                tmp[y * ow + x] = s
            }
        }
        var out = [Double](repeating: 0, count: oh * ow)
        for y in 0..<oh {
            for x in 0..<ow {
                var s = 0.0
                for k in 0..<11 { s += window[k] * tmp[(y + k) * ow + x] }
                out[y * ow + x] = s
            }
        }
        return out
    }

    /// The adjoint of `filterValid`: (h − 10)×(w − 10) → h×w.
    static func filterValidAdjoint(_ g: [Double], _ h: Int, _ w: Int) -> [Double] {
        let oh = h - 10, ow = w - 10
        var tmp = [Double](repeating: 0, count: h * ow)
        for y in 0..<oh {
            for x in 0..<ow {
                let v = g[y * ow + x]
                for k in 0..<11 { tmp[(y + k) * ow + x] += window[k] * v }
            }
        }
        var out = [Double](repeating: 0, count: h * w)
        for y in 0..<h {
            for x in 0..<ow {
                let v = tmp[y * ow + x]
                for k in 0..<11 { out[y * w + x + k] += window[k] * v }
            }
        }
        return out
    }

    /// Mean SSIM (data range 1, K1 = 0.01, K2 = 0.03, Gaussian 11×11 σ = 1.5, valid windows,
    /// per channel) and its gradient with respect to `y`.
    static func ssim(_ y: Tensor, _ t: Tensor) -> (Double, Tensor) {
        let (c, h, w) = (y.channels, y.height, y.width)
        precondition(h >= 11 && w >= 11, "SSIM needs at least 11×11 pixels")
        let c1 = 0.01 * 0.01, c2 = 0.03 * 0.03
        let plane = h * w, n = Double(c * (h - 10) * (w - 10))
        var total = 0.0
        var grad = Tensor(zeros: y.shape)
        for ch in 0..<c {
            let xs = (0..<plane).map { Double(y.data[ch * plane + $0]) }
            let ts = (0..<plane).map { Double(t.data[ch * plane + $0]) }
            let mx = filterValid(xs, h, w), mt = filterValid(ts, h, w)
            let mxx = filterValid(xs.map { $0 * $0 }, h, w), mtt = filterValid(ts.map { $0 * $0 }, h, w)
            let mxt = filterValid(zip(xs, ts).map { $0 * $1 }, h, w)
            var d1 = [Double](repeating: 0, count: mx.count), d2 = d1, d3 = d1
            for i in mx.indices {
                let sxx = mxx[i] - mx[i] * mx[i], stt = mtt[i] - mt[i] * mt[i], sxt = mxt[i] - mx[i] * mt[i]
                let a1 = 2 * mx[i] * mt[i] + c1, a2 = 2 * sxt + c2
                let b1 = mx[i] * mx[i] + mt[i] * mt[i] + c1, b2 = sxx + stt + c2
                let s = a1 * a2 / (b1 * b2)
                total += s
                let dsDsxx = -s / b2, dsDsxt = 2 * a1 / (b1 * b2)
                let dsDmuDirect = 2 * mt[i] * a2 / (b1 * b2) - 2 * mx[i] * s / b1
                d1[i] = (dsDmuDirect + dsDsxx * (-2 * mx[i]) + dsDsxt * (-mt[i])) / n
                d2[i] = dsDsxx / n
                d3[i] = dsDsxt / n
            }
            let g1 = filterValidAdjoint(d1, h, w), g2 = filterValidAdjoint(d2, h, w), g3 = filterValidAdjoint(d3, h, w)
            for k in 0..<plane { grad.data[ch * plane + k] = Float(g1[k] + 2 * xs[k] * g2[k] + ts[k] * g3[k]) }
        }
        return (total / n, grad)
    }
}
