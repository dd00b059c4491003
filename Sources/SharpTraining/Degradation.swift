import Foundation
import SharpImaging
import SharpNet
import SharpSupport

/// How training pairs are made from sharp photos.
public enum DegradationRecipe: String, Codable, Sendable, CaseIterable {
    /// The seed's: CLAHE on the sharp photo, Gaussian 21×21 σ = 2.5 at full resolution, both
    /// resized to 256×256 (bilinear); random crops, flips and rotations of those pairs.
    case seed
    /// The training mix, on photos downscaled by a random factor in [1, 8] (log-uniform, as the
    /// evaluation protocols and real webcams see scenes at lower resolution):
    /// - 30 % (`heavyBlurShare`): the seed's blur, Gaussian 21×21 σ = 2.5, rounded to 8 bit (no noise);
    /// - 58 % (the rest): a webcam mix — Gaussian blur σ ∈ [0.5, 3] (85 %), down-up scaling ×[1.25, 2]
    ///   (40 %), sensor noise σ ∈ [0, 4]/255 plus signal-dependent shot noise (70 %), JPEG
    ///   quality [35, 95] (60 %), 8-bit;
    /// - 12 %: clean crops (input = target) so sharp frames stay as they are.
    case webcam
    /// The webcam mix as a real camera delivers it: as `webcam`, but every crop of the webcam
    /// branch carries sensor noise (σ ∈ [1, 4]/255 plus shot noise) and 85 % are JPEG-compressed
    /// (quality [40, 95]), so the network learns to sharpen detail without amplifying noise and
    /// block artefacts (the `webcam` mix over-sharpens noisy frames).
    case camera
    /// A webcam in a video call (`CallDegradation`): optics and motion blur, Poisson–Gaussian
    /// noise, ISP sharpening halos, a lower resolution, 4:2:0 and H.264 at CRF 28–38, with
    /// random parameters per crop (`CallDegradation.Parameters.random`); 12 % clean crops.
    case call
    /// The `camera` mix with a share of its webcam crops (`PairGenerator.callShare`, half
    /// unless `--call-share` says otherwise) made by the `call` chain instead (the clean and
    /// heavy-blur shares stay): a student for calls that keeps what the `camera` mix
    /// teaches (the seed blur, clean frames), which training on `call` alone forgets.
    case cameraCall = "camera-call"
}

/// A sharp crop and its degraded version, planar RGB [3, S, S] in [0, 1] (8-bit levels).
public struct TrainingPair: Sendable {
    public var sharp: [Float]
    public var degraded: [Float]
    public let size: Int
}

/// Makes training pairs deterministically: pair `(step, index)` depends only on the seed,
/// the recipe, the crop size and the photos — never on thread scheduling or on earlier pairs —
/// which makes training reproducible and exactly resumable.
public struct PairGenerator: Sendable {
    public let photos: [RGBImage]
    public let recipe: DegradationRecipe
    public let cropSize: Int
    public let seed: UInt64
    /// Share of webcam/camera crops with the seed's heavy blur.
    public let heavyBlurShare: Double
    /// Share of the `camera-call` mix's webcam crops (neither clean nor heavily blurred) that
    /// take the `call` chain.
    public let callShare: Double
    /// Share of webcam/camera crops left clean (input = target).
    public static let cleanShare = 0.12
    public static let defaultHeavyBlurShare = 0.30
    /// For the seed recipe: the (sharp, blurred) 256×256 pairs, made once.
    private let seedPairs: [(RGBImage, RGBImage)]

    public init(
        photos: [RGBImage], recipe: DegradationRecipe, cropSize: Int, seed: UInt64,
        heavyBlurShare: Double = defaultHeavyBlurShare, callShare: Double = defaultCallShare
    ) {
        precondition(!photos.isEmpty, "no training photos")
        self.heavyBlurShare = heavyBlurShare
        self.callShare = callShare
        self.photos = photos
        self.recipe = recipe
        self.cropSize = cropSize
        self.seed = seed
        seedPairs = recipe == .seed ? photos.map(PairGenerator.seedPair) : []
    }

    /// The seed's degradation kernel: Gaussian 21×21, σ = 2.5.
    static let seedKernel = GaussianKernel(sigma: 2.5, size: 21)

    /// The seed's data preparation of one photo.
    public static func seedPair(_ photo: RGBImage) -> (RGBImage, RGBImage) {
        let sharp = CLAHE.apply(photo)
        let x = sharp.planar
        let blurred = ImageOps.gaussianBlur(
            x, channels: 3, height: photo.height, width: photo.width, kernel: seedKernel)
        let s = ImageOps.bilinearResize(
            x, channels: 3, height: photo.height, width: photo.width, toHeight: 256, width: 256)
        let b = ImageOps.bilinearResize(
            ImageOps.quantized(blurred), channels: 3, height: photo.height, width: photo.width, toHeight: 256,
            width: 256)
        return (RGBImage(planar: s, width: 256, height: 256), RGBImage(planar: b, width: 256, height: 256))
    }

    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var r = SplitMix64(seed: a ^ (b &* 0x9E37_79B9_7F4A_7C15))
        return r.next()
    }

    public func pair(step: Int, index: Int) -> TrainingPair {
        var rng = SplitMix64(seed: Self.mix(Self.mix(seed, UInt64(step)), UInt64(index) &+ 0x5EED))
        let s = cropSize
        switch recipe {
        case .seed:
            let (sharp, blurred) = seedPairs[Int(rng.next() % UInt64(seedPairs.count))]
            let n = min(s, 256)
            let x = Int(rng.next() % UInt64(256 - n + 1)), y = Int(rng.next() % UInt64(256 - n + 1))
            let mode = Int(rng.next() % 8)
            return TrainingPair(
                sharp: ImageOps.augment(
                    sharp.cropped(x: x, y: y, width: n, height: n).planar, channels: 3, size: n, mode: mode),
                degraded: ImageOps.augment(
                    blurred.cropped(x: x, y: y, width: n, height: n).planar, channels: 3, size: n, mode: mode),
                size: n)
        case .call:
            let big = s + 20
            let crop = randomCrop(size: big, maxScale: 4, &rng)
            let sharp = PairGenerator.center(crop, big: big, size: s)
            if rng.uniform() < Self.cleanShare { return TrainingPair(sharp: sharp, degraded: sharp, size: s) }
            return TrainingPair(sharp: sharp, degraded: Self.callDegraded(crop, big: big, size: s, &rng), size: s)
        case .webcam, .camera, .cameraCall:
            let camera = recipe != .webcam
            let big = s + 20
            let crop = randomCrop(size: big, maxScale: 8, &rng)
            let sharp = PairGenerator.center(crop, big: big, size: s)
            let kind = rng.uniform()
            if kind < Self.cleanShare { return TrainingPair(sharp: sharp, degraded: sharp, size: s) }
            if kind < Self.cleanShare + heavyBlurShare {
                let blurred = ImageOps.gaussianBlur(crop, channels: 3, height: big, width: big, kernel: Self.seedKernel)
                return TrainingPair(
                    sharp: sharp, degraded: ImageOps.quantized(PairGenerator.center(blurred, big: big, size: s)),
                    size: s)
            }
            if recipe == .cameraCall && callBranch(step: step, index: index) {
                return TrainingPair(sharp: sharp, degraded: Self.callDegraded(crop, big: big, size: s, &rng), size: s)
            }
            var d = crop
            if rng.uniform() < 0.85 {
                d = ImageOps.gaussianBlur(
                    d, channels: 3, height: big, width: big, kernel: GaussianKernel(sigma: 0.5 + 2.5 * rng.uniform()))
            }
            d = PairGenerator.center(d, big: big, size: s)
            if rng.uniform() < 0.4 {
                let f = 1.25 + 0.75 * rng.uniform()
                let small = max(8, Int((Double(s) / f).rounded()))
                d = ImageOps.bilinearResize(
                    ImageOps.areaResize(d, channels: 3, height: s, width: s, toHeight: small, width: small),
                    channels: 3, height: small, width: small, toHeight: s, width: s)
            }
            if camera || rng.uniform() < 0.7 {
                let sigma = Float((camera ? 1 + 3 * rng.uniform() : 4 * rng.uniform()) / 255),
                    shot = Float(0.01 * rng.uniform())
                for i in d.indices {
                    let sd = (sigma * sigma + shot * shot * max(d[i], 0) / 50).squareRoot()
                    d[i] += sd * Float(rng.normal())
                }
            }
            d = ImageOps.quantized(d)
            if camera {
                if rng.uniform() < 0.85 {
                    d = ImageOps.jpeg(d, height: s, width: s, quality: 40 + Int(rng.next() % 56))
                }
            } else if rng.uniform() < 0.6 {
                d = ImageOps.jpeg(d, height: s, width: s, quality: 35 + Int(rng.next() % 61))
            }
            return TrainingPair(sharp: sharp, degraded: d, size: s)
        }
    }

    /// The `camera-call` mix's `callShare` unless a run sets its own (`--call-share`).
    public static let defaultCallShare = 0.5

    /// Whether pair `(step, index)` of the `camera-call` mix, if it is a webcam crop, takes the
    /// `call` chain: drawn from a stream of its own, so that the mix's other crops are exactly
    /// the `camera` mix's.
    public func callBranch(step: Int, index: Int) -> Bool {
        var r = SplitMix64(seed: Self.mix(Self.mix(seed, UInt64(step)), UInt64(index) &+ 0xCA11))
        return r.uniform() < callShare
    }

    /// The `call` chain on a `big`² crop, centred to `size`²: random `CallDegradation`
    /// parameters, the camera stage, then H.264 (skipped for an odd size, which H.264 cannot
    /// code; the camera stage's result if the codec fails).
    static func callDegraded(_ crop: [Float], big: Int, size s: Int, _ rng: inout SplitMix64) -> [Float] {
        var p = CallDegradation.Parameters.random(&rng)
        if s % 2 != 0 { p.crf = nil }  // H.264 needs an even size
        let shot = PairGenerator.center(
            CallDegradation.camera(crop, height: big, width: big, p, &rng), big: big, size: s)
        return (try? CallDegradation.codec([shot], height: s, width: s, crf: p.crf))?.first ?? shot
    }

    /// A random `size`² crop (planar RGB) of a random photo seen at a random scale: a region
    /// up to `maxScale` times larger (log-uniform), area-downscaled to `size`, then flipped or
    /// rotated (one of 8). The random draws and their order are part of the recipes'
    /// reproducibility: photo, scale, x, y, orientation.
    func randomCrop(size big: Int, maxScale: Double, _ rng: inout SplitMix64) -> [Float] {
        var photo = photos[Int(rng.next() % UInt64(photos.count))]
        if photo.width < big || photo.height < big { photo = PairGenerator.upscaled(photo, toAtLeast: big) }
        // >= 1: small photos were enlarged so that a crop fits.
        let maxFactor = min(maxScale, Double(min(photo.width, photo.height)) / Double(big))
        let factor = Foundation.exp(rng.uniform() * Foundation.log(maxFactor))
        let region = min(min(photo.width, photo.height), max(big, Int((Double(big) * factor).rounded())))
        let x = Int(rng.next() % UInt64(photo.width - region + 1)),
            y = Int(rng.next() % UInt64(photo.height - region + 1))
        var pixels = photo.cropped(x: x, y: y, width: region, height: region).planar
        if region > big {
            pixels = ImageOps.quantized(
                ImageOps.areaResize(pixels, channels: 3, height: region, width: region, toHeight: big, width: big))
        }
        return ImageOps.augment(pixels, channels: 3, size: big, mode: Int(rng.next() % 8))
    }

    static func center(_ x: [Float], big: Int, size s: Int) -> [Float] {
        let m = (big - s) / 2
        var out = [Float](repeating: 0, count: 3 * s * s)
        for c in 0..<3 {
            for y in 0..<s { for xx in 0..<s { out[(c * s + y) * s + xx] = x[(c * big + y + m) * big + xx + m] } }
        }
        return out
    }

    /// Small photos are enlarged (bilinear) so a crop fits.
    static func upscaled(_ p: RGBImage, toAtLeast n: Int) -> RGBImage {
        let f = Double(n) / Double(min(p.width, p.height))
        let w = max(n, Int((Double(p.width) * f).rounded(.up))), h = max(n, Int((Double(p.height) * f).rounded(.up)))
        return RGBImage(
            planar: ImageOps.bilinearResize(
                p.planar, channels: 3, height: p.height, width: p.width, toHeight: h, width: w), width: w, height: h)
    }
}
