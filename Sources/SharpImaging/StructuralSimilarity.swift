import Foundation

/// SSIM, the convention of Wang et al. (2004) as scikit-image's
/// `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=255)` computes it: Gaussian window σ 1.5 truncated at 3.5σ (11 taps), scipy's
/// "reflect" borders, K1 0.01, K2 0.03, the mean of the SSIM map without its 5-pixel border.
/// The one implementation behind the training reports (`Metrics.ssim`, on float luma) and the
/// web console's picture scores (8-bit luma).
///
/// Invariant: identical pictures give exactly 1; the result is in -1...1.
public enum StructuralSimilarity {
    static let taps: [Double] = {
        let r = Int(3.5 * 1.5 + 0.5)
        let raw = (-r...r).map { exp(-0.5 * Double($0 * $0) / (1.5 * 1.5)) }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }()

    /// SSIM of two 8-bit grey pictures, `width`×`height` samples row after row (at least 11×11).
    public static func index(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int) -> Double {
        precondition(a.count == width * height && b.count == a.count, "SSIM of pictures of different sizes")
        precondition(width >= taps.count && height >= taps.count, "SSIM needs at least 11x11 samples")
        return index(a.map(Double.init), b.map(Double.init), width: width, height: height)
    }

    /// SSIM of two grey pictures with samples in 0...255 (unrounded luma, say).
    public static func index(_ x: [Double], _ y: [Double], width w: Int, height h: Int) -> Double {
        precondition(x.count == w * h && y.count == x.count, "SSIM of pictures of different sizes")
        let ux = gaussianFilter(x, w, h), uy = gaussianFilter(y, w, h)
        let uxx = gaussianFilter(x.map { $0 * $0 }, w, h), uyy = gaussianFilter(y.map { $0 * $0 }, w, h)
        let uxy = gaussianFilter(zip(x, y).map { $0 * $1 }, w, h)
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        let pad = taps.count / 2
        var total = 0.0, count = 0
        for yy in pad..<(h - pad) {
            for xx in pad..<(w - pad) {
                let i = yy * w + xx
                let vx = uxx[i] - ux[i] * ux[i], vy = uyy[i] - uy[i] * uy[i], vxy = uxy[i] - ux[i] * uy[i]
                total +=
                    (2 * ux[i] * uy[i] + c1) * (2 * vxy + c2) / ((ux[i] * ux[i] + uy[i] * uy[i] + c1) * (vx + vy + c2))
                count += 1
            }
        }
        return total / Double(max(count, 1))
    }

    /// scipy.ndimage "reflect" (half-sample symmetric: d c b a | a b c d | d c b a).
    public static func reflect(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        var i = i
        while i < 0 || i >= n { i = i < 0 ? -i - 1 : 2 * n - 1 - i }
        return i
    }

    /// The separable Gaussian window with reflected borders.
    static func gaussianFilter(_ x: [Double], _ w: Int, _ h: Int) -> [Double] {
        let r = taps.count / 2
        var tmp = [Double](repeating: 0, count: x.count), out = tmp
        for y in 0..<h {
            for xx in 0..<w {
                var s = 0.0
                for k in -r...r { s += taps[k + r] * x[y * w + reflect(xx + k, w)] }
                tmp[y * w + xx] = s
            }
        }
        for y in 0..<h {
            for xx in 0..<w {
                var s = 0.0
                for k in -r...r { s += taps[k + r] * tmp[reflect(y + k, h) * w + xx] }
                out[y * w + xx] = s
            }
        }
        return out
    }
}
