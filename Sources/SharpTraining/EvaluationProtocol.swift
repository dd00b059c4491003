import Foundation
import SharpImaging
import SharpNet
import SharpSupport

/// The fixed evaluation protocols (figures are comparable across runs only because these never
/// change).
public enum EvaluationProtocol: String, Codable, Sendable, CaseIterable {
    /// The seed's pipeline as written: CLAHE on the sharp photo, Gaussian 21×21 σ = 2.5 at full
    /// resolution, then both resized to 256×256 (bilinear).
    case seed
    /// Area-downscale to 256×256, then Gaussian 21×21 σ = 2.5 (reflect-101), rounded to 8 bit.
    case p256
    /// Centre-crop to 16:9, area-downscale to 1280×720 (smaller photos skipped), same blur.
    case p720
    /// Area-downscale 2×, Gaussian σ ∈ [1, 2] (seeded per image), Gaussian noise σ = 2,
    /// JPEG quality 75.
    case webcam
    /// Area-downscale 2×, no degradation; scored against the input (do no harm).
    case clean
    /// As `clean`, but the camera already sharpened it (unsharp mask amount 0.6, σ 1): scored
    /// against the input (do no harm to sharpened pictures).
    case sharpened
    /// As `clean`, over-sharpened by the camera (amount 1.5, σ 1.2, halos): scored against
    /// the input (no extra halos).
    case oversharpened
    /// A video call: area-downscale 2×, centre 640×360 (smaller photos: the largest even window
    /// that fits); 8 frames panned 0.4 px per frame
    /// across it, each through a webcam-and-call chain drawn per photo
    /// (`CallDegradation.Parameters.random`: blur, motion blur, Poisson–Gaussian noise, ISP
    /// sharpening, lower resolution, H.264 CRF 28–38 over the 8 frames); the last frame (a
    /// P-frame) against its clean version.
    case call

    /// One photo prepared for a protocol: the picture the methods get, the one they are scored
    /// against, and the blur (PSF) when it is known.
    public struct Case: Sendable {
        public let name: String
        public let reference: RGBImage
        public let degraded: RGBImage
        public let psf: (sigmaX: Double, sigmaY: Double, radiusX: Int, radiusY: Int)?
    }

    /// A seed per photo name (FNV-1a), so a photo's random draws do not depend on the order.
    static func seed(for name: String) -> UInt64 {
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return h
    }

    public func prepare(_ photo: RGBImage, name: String) -> Case? {
        let w = photo.width, h = photo.height
        func blurred(_ x: RGBImage, _ k: GaussianKernel) -> RGBImage {
            RGBImage(
                planar: ImageOps.gaussianBlur(x.planar, channels: 3, height: x.height, width: x.width, kernel: k),
                width: x.width, height: x.height)
        }
        func area(_ x: RGBImage, _ ow: Int, _ oh: Int) -> RGBImage {
            RGBImage(
                planar: ImageOps.areaResize(
                    x.planar, channels: 3, height: x.height, width: x.width, toHeight: oh, width: ow), width: ow,
                height: oh)
        }
        switch self {
        case .seed:
            let (sharp, degraded) = PairGenerator.seedPair(photo)
            return Case(
                name: name, reference: sharp, degraded: degraded,
                psf: (2.5 * 256 / Double(w), 2.5 * 256 / Double(h), 2, 2))
        case .p256:
            let sharp = area(photo, 256, 256)
            return Case(
                name: name, reference: sharp, degraded: blurred(sharp, PairGenerator.seedKernel),
                psf: (2.5, 2.5, 10, 10))
        case .p720:
            let (cw, ch) = w * 9 > h * 16 ? (h * 16 / 9, h) : (w, w * 9 / 16)
            guard cw >= 1280 && ch >= 720 else { return nil }
            let sharp = area(photo.cropped(x: (w - cw) / 2, y: (h - ch) / 2, width: cw, height: ch), 1280, 720)
            return Case(
                name: name, reference: sharp, degraded: blurred(sharp, PairGenerator.seedKernel),
                psf: (2.5, 2.5, 10, 10))
        case .webcam:
            let sharp = area(photo, (w + 1) / 2, (h + 1) / 2)
            var rng = SplitMix64(seed: Self.seed(for: name))
            let sigma = 1 + rng.uniform()
            // OpenCV's kernel size for 8-bit images with ksize (0, 0): round(σ·3·2 + 1) | 1.
            let size = Int((sigma * 6 + 1).rounded()) | 1
            var x = ImageOps.gaussianBlur(
                sharp.planar, channels: 3, height: sharp.height, width: sharp.width,
                kernel: GaussianKernel(sigma: sigma, size: size))
            x = ImageOps.quantized(x).map { $0 + Float(rng.normal() * 2 / 255) }
            x = ImageOps.jpeg(ImageOps.quantized(x), height: sharp.height, width: sharp.width, quality: 75)
            return Case(
                name: name, reference: sharp, degraded: RGBImage(planar: x, width: sharp.width, height: sharp.height),
                psf: (sigma, sigma, size / 2, size / 2))
        case .clean:
            let sharp = area(photo, (w + 1) / 2, (h + 1) / 2)
            return Case(name: name, reference: sharp, degraded: sharp, psf: nil)
        case .sharpened, .oversharpened:
            let sharp = area(photo, (w + 1) / 2, (h + 1) / 2)
            let (amount, sigma) = self == .sharpened ? (0.6, 1.0) : (1.5, 1.2)
            let x = CallDegradation.ispSharpen(
                sharp.planar, height: sharp.height, width: sharp.width, amount: amount, sigma: sigma)
            let input = RGBImage(planar: ImageOps.quantized(x), width: sharp.width, height: sharp.height)
            return Case(name: name, reference: input, degraded: input, psf: nil)
        case .call:
            let half = area(photo, (w + 1) / 2, (h + 1) / 2)
            // 640×360, or the largest even window that fits a small photo.
            let cw = min(640, (half.width - 8) & ~1), ch = min(360, (half.height - 8) & ~1), frames = 8
            guard cw >= 128 && ch >= 128 else { return nil }
            let base = half.planar
            let x0 = Double(half.width - cw) / 2 - 2, y0 = Double(half.height - ch) / 2
            // A cw×ch window at (x0 + 0.4 t, y0) in frame t: sub-pixel camera motion.
            let ys = (0..<ch).map { y0 + Double($0) }
            let clean = (0..<frames).map { t in
                ImageOps.bilinearSample(
                    base, channels: 3, height: half.height, width: half.width,
                    xs: (0..<cw).map { x0 + 0.4 * Double(t) + Double($0) }, ys: ys)
            }
            var rng = SplitMix64(seed: Self.seed(for: name) ^ 0xCA11)
            let p = CallDegradation.Parameters.random(&rng)
            guard let coded = try? CallDegradation.apply(clean, height: ch, width: cw, p, &rng) else { return nil }
            return Case(
                name: name, reference: RGBImage(planar: ImageOps.quantized(clean[frames - 1]), width: cw, height: ch),
                degraded: RGBImage(planar: coded[frames - 1], width: cw, height: ch), psf: nil)
        }
    }
}
