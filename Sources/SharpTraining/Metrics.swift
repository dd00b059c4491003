import Foundation
import SharpImaging
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

    public static func ssim(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "SSIM of different sizes")
        return StructuralSimilarity.index(luma(a), luma(b), width: a.width, height: a.height)
    }
}
