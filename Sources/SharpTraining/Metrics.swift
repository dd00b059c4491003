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

    /// How an output's error splits between brightness and colour, against `reference`.
    ///
    /// Full-range BT.601 YCbCr, unrounded (Y = 0.299 R + 0.587 G + 0.114 B, Cb = 0.564 (B − Y),
    /// Cr = 0.713 (R − Y)): `luma` is the PSNR of Y, `chroma` that of Cb and Cr together (peak
    /// 255), and `referenceChroma` the RGB PSNR of the picture made of the output's Y and the
    /// reference's Cb and Cr (exact inverse, rounded to 8 bits): what perfect colour would score.
    public struct Components: Codable, Sendable, Equatable {
        public var luma: Double
        public var chroma: Double
        public var referenceChroma: Double
    }

    public static func components(_ a: RGBImage, _ reference: RGBImage) -> Components {
        precondition(a.width == reference.width && a.height == reference.height, "components of different sizes")
        let (ya, cba, cra) = ycbcr(a), (yr, cbr, crr) = ycbcr(reference)
        var sy = 0.0, sc = 0.0
        for i in ya.indices {
            sy += (ya[i] - yr[i]) * (ya[i] - yr[i])
            sc += (cba[i] - cbr[i]) * (cba[i] - cbr[i]) + (cra[i] - crr[i]) * (cra[i] - crr[i])
        }
        let n = Double(ya.count)
        return Components(
            luma: PSNR.decibels(meanSquaredError: sy / n), chroma: PSNR.decibels(meanSquaredError: sc / (2 * n)),
            referenceChroma: psnr(
                rgb(luma: ya, cb: cbr, cr: crr, width: a.width, height: a.height), reference))
    }

    /// Full-range BT.601 Y, Cb, Cr planes (Cb and Cr centred on 0).
    static func ycbcr(_ x: RGBImage) -> (y: [Double], cb: [Double], cr: [Double]) {
        let y = luma(x)
        var cb = [Double](repeating: 0, count: y.count), cr = cb
        for i in y.indices {
            cb[i] = 0.564 * (Double(x.pixels[3 * i + 2]) - y[i])
            cr[i] = 0.713 * (Double(x.pixels[3 * i]) - y[i])
        }
        return (y, cb, cr)
    }

    /// The exact inverse of `ycbcr`, rounded and clamped to 8 bits.
    static func rgb(luma y: [Double], cb: [Double], cr: [Double], width: Int, height: Int) -> RGBImage {
        var out = RGBImage(width: width, height: height)
        func byte(_ v: Double) -> UInt8 { UInt8(min(max(v.rounded(), 0), 255)) }
        for i in y.indices {
            let r = y[i] + cr[i] / 0.713, b = y[i] + cb[i] / 0.564
            let g = (y[i] - 0.299 * r - 0.114 * b) / 0.587
            out.pixels[3 * i] = byte(r)
            out.pixels[3 * i + 1] = byte(g)
            out.pixels[3 * i + 2] = byte(b)
        }
        return out
    }

    public static func ssim(_ a: RGBImage, _ b: RGBImage) -> Double {
        precondition(a.width == b.width && a.height == b.height, "SSIM of different sizes")
        return StructuralSimilarity.index(luma(a), luma(b), width: a.width, height: a.height)
    }
}
