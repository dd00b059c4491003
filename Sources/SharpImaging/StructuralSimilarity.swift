import Foundation

/// SSIM of two 8-bit grey pictures, the convention of Wang et al. (2004) as scikit-image's
/// `structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
/// data_range=255)` computes it: Gaussian window σ 1.5 (11 taps), reflected borders, the mean
/// of the SSIM map without the 5-pixel border.
///
/// Invariant: identical pictures give exactly 1; the result is in -1...1.
public enum StructuralSimilarity {
    static let radius = 5, sigma = 1.5

    static let weights: [Double] = {
        let w = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = w.reduce(0, +)
        return w.map { $0 / sum }
    }()

    /// SSIM of `a` and `b`, both `width`×`height` samples, row after row (each at least 11×11).
    public static func index(_ a: [UInt8], _ b: [UInt8], width: Int, height: Int) -> Double {
        precondition(a.count == width * height && b.count == a.count, "SSIM of pictures of different sizes")
        precondition(width > 2 * radius && height > 2 * radius, "SSIM needs at least 11x11 samples")
        let n = width * height
        var x = [Double](repeating: 0, count: n), y = x, xx = x, yy = x, xy = x
        for i in 0..<n {
            let p = Double(a[i]), q = Double(b[i])
            x[i] = p
            y[i] = q
            xx[i] = p * p
            yy[i] = q * q
            xy[i] = p * q
        }
        let mx = blur(x, width, height), my = blur(y, width, height)
        let sxx = blur(xx, width, height), syy = blur(yy, width, height), sxy = blur(xy, width, height)
        let c1 = (0.01 * 255) * (0.01 * 255), c2 = (0.03 * 255) * (0.03 * 255)
        var sum = 0.0
        for row in radius..<(height - radius) {
            for col in radius..<(width - radius) {
                let i = row * width + col
                let ux = mx[i], uy = my[i]
                let vx = sxx[i] - ux * ux, vy = syy[i] - uy * uy, cxy = sxy[i] - ux * uy
                sum += ((2 * ux * uy + c1) * (2 * cxy + c2)) / ((ux * ux + uy * uy + c1) * (vx + vy + c2))
            }
        }
        return sum / Double((width - 2 * radius) * (height - 2 * radius))
    }

    /// Separable Gaussian with scipy's "reflect" borders (d c b a | a b c d | d c b a).
    static func blur(_ src: [Double], _ w: Int, _ h: Int) -> [Double] {
        var tmp = [Double](repeating: 0, count: src.count), out = tmp
        for row in 0..<h {
            for col in 0..<w {
                var s = 0.0
                for k in -radius...radius { s += weights[k + radius] * src[row * w + reflect(col + k, w)] }
                tmp[row * w + col] = s
            }
        }
        for row in 0..<h {
            for col in 0..<w {
                var s = 0.0
                for k in -radius...radius { s += weights[k + radius] * tmp[reflect(row + k, h) * w + col] }
                out[row * w + col] = s
            }
        }
        return out
    }

    static func reflect(_ i: Int, _ n: Int) -> Int {
        var i = i
        while i < 0 || i >= n { i = i < 0 ? -i - 1 : 2 * n - i - 1 }
        return i
    }
}
