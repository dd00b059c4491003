import Foundation
import SharpSupport

/// The evaluation metrics, with the exact conventions the reports use (cross-checked against
/// scikit-image in the tests):
/// - PSNR over all R, G, B 8-bit samples, peak 255;
/// - SSIM on BT.601 luma (0.299 R + 0.587 G + 0.114 B, unrounded), Gaussian window σ = 1.5
///   truncated at 3.5σ (11 taps), scipy "reflect" borders, K1 = 0.01, K2 = 0.03, data range
///   255, population covariance, mean over the map without its 5-pixel border — i.e.
///   `structural_similarity(a, b, gaussian_weights=True, use_sample_covariance=False,
///   data_range=255)`.
public enum Metrics {
    public static func psnr(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "PSNR of different sizes")
        return PSNR.decibels(a.pixels, b.pixels)
    }

    static func luma(_ x: RGBImage) -> [Double] {
        var out = [Double](repeating: 0, count: x.width * x.height)
        for i in out.indices {
            let r = Double(x.pixels[3 * i]), g = Double(x.pixels[3 * i + 1]), b = Double(x.pixels[3 * i + 2])
            out[i] = 0.299 * r + 0.587 * g + 0.114 * b
        }
        return out
    }

    static let taps: [Double] = {
        let r = Int(3.5 * 1.5 + 0.5)
        let raw = (-r...r).map { exp(-0.5 * Double($0 * $0) / (1.5 * 1.5)) }
        let s = raw.reduce(0, +)
        return raw.map { $0 / s }
    }()

    /// scipy.ndimage "reflect" (half-sample symmetric: d c b a | a b c d | d c b a).
    static func reflect(_ i: Int, _ n: Int) -> Int {
        if n == 1 { return 0 }
        var i = i
        while i < 0 || i >= n { i = i < 0 ? -i - 1 : 2 * n - 1 - i }
        return i
    }

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

    public static func ssim(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "SSIM of different sizes")
        let w = a.width, h = a.height
        let x = luma(a), y = luma(b)
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
}
