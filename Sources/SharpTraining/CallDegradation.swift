import Foundation
import SharpFrames
import SharpImaging
import SharpMedia
import SharpSupport

/// What a cheap webcam and a video call do to a picture (issue 16), as separate, seeded steps
/// on planar RGB [3, H, W] in [0, 1], in the order a camera applies them: optics (Gaussian
/// blur) → motion blur → sensor noise (Poisson–Gaussian: variance grows with the signal) →
/// the ISP's sharpening (unsharp mask: overshoot halos at edges) → a lower resolution scaled up
/// → 4:2:0 chroma and H.264 at call bitrates (CRF 28–38, libx264 through the FFmpeg already
/// linked). Used by the `call` training recipe and evaluation protocol.
///
/// Invariant: every step is a pure function of its input, its parameters and the generator it
/// is given; `Parameters.random` draws them from the generator only.
public enum CallDegradation {
    /// One camera-and-call chain.
    public struct Parameters: Codable, Sendable, Equatable {
        /// Optics / focus: Gaussian σ in pixels (0: none).
        public var blurSigma: Double
        /// Motion blur: a line `motionLength` pixels long at `motionAngle` radians (0: none).
        public var motionLength: Double
        public var motionAngle: Double
        /// Signal-dependent (shot) noise: variance = `shotNoise` × signal (signal in [0, 1]).
        public var shotNoise: Double
        /// Signal-independent (read) noise: σ in 8-bit levels.
        public var readNoise: Double
        /// The ISP's unsharp mask: amount (0: none) and Gaussian σ.
        public var sharpenAmount: Double
        public var sharpenSigma: Double
        /// Area-downscale by this factor, then bilinear back up (1: none).
        public var downscale: Double
        /// H.264 CRF (nil: no codec, only 4:2:0 chroma).
        public var crf: Int?

        public init(
            blurSigma: Double = 0, motionLength: Double = 0, motionAngle: Double = 0, shotNoise: Double = 0,
            readNoise: Double = 0, sharpenAmount: Double = 0, sharpenSigma: Double = 1, downscale: Double = 1,
            crf: Int? = nil
        ) {
            self.blurSigma = blurSigma
            self.motionLength = motionLength
            self.motionAngle = motionAngle
            self.shotNoise = shotNoise
            self.readNoise = readNoise
            self.sharpenAmount = sharpenAmount
            self.sharpenSigma = sharpenSigma
            self.downscale = downscale
            self.crf = crf
        }

        /// A webcam in a call: blur σ 0.5–2 (always), motion blur up to 6 px (30 %), read noise
        /// σ 0.5–3 levels plus shot noise up to 0.004 (low light: the brighter, the noisier),
        /// ISP sharpening amount 0.3–1.5 at σ 0.8–1.5 (60 %), a resolution ×1.25–2.5 lower
        /// (50 %), H.264 CRF 28–38 (always).
        public static func random(_ rng: inout SplitMix64) -> Parameters {
            var p = Parameters()
            p.blurSigma = 0.5 + 1.5 * rng.uniform()
            if rng.uniform() < 0.3 {
                p.motionLength = 1 + 5 * rng.uniform()
                p.motionAngle = Double.pi * rng.uniform()
            }
            p.readNoise = 0.5 + 2.5 * rng.uniform()
            p.shotNoise = 0.004 * rng.uniform()
            if rng.uniform() < 0.6 {
                p.sharpenAmount = 0.3 + 1.2 * rng.uniform()
                p.sharpenSigma = 0.8 + 0.7 * rng.uniform()
            }
            if rng.uniform() < 0.5 { p.downscale = 1.25 + 1.25 * rng.uniform() }
            p.crf = 28 + Int(rng.next() % 11)
            return p
        }
    }

    /// Normalised taps of a line `length` pixels long at `angle`, on a (2r+1)² grid (bilinear
    /// splatting of points spaced 0.25 px along the line).
    public static func motionKernel(length: Double, angle: Double) -> (radius: Int, taps: [Float]) {
        let r = max(1, Int((length / 2).rounded(.up)))
        let n = 2 * r + 1
        var k = [Float](repeating: 0, count: n * n)
        let steps = max(2, Int(length * 4))
        for s in 0...steps {
            let t = (Double(s) / Double(steps) - 0.5) * length
            let x = Double(r) + t * cos(angle), y = Double(r) + t * sin(angle)
            let x0 = Int(x.rounded(.down)), y0 = Int(y.rounded(.down)), fx = Float(x - Double(x0)),
                fy = Float(y - Double(y0))
            for (dx, dy, wgt) in [
                (0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy),
            ] {
                let xx = min(max(x0 + dx, 0), n - 1), yy = min(max(y0 + dy, 0), n - 1)
                k[yy * n + xx] += wgt
            }
        }
        let sum = k.reduce(0, +)
        return (r, k.map { $0 / sum })
    }

    /// `x` convolved with `taps` ((2r+1)², edge pixels repeated).
    static func convolve(
        _ x: [Float], channels: Int, height h: Int, width w: Int, radius r: Int, taps: [Float]
    )
        -> [Float]
    {
        let n = 2 * r + 1
        var out = [Float](repeating: 0, count: x.count)
        let nonzero = taps.indices.filter { taps[$0] != 0 }.map { ($0 % n - r, $0 / n - r, taps[$0]) }
        for c in 0..<channels {
            let base = c * h * w
            for y in 0..<h {
                for xx in 0..<w {
                    var s: Float = 0
                    for (dx, dy, t) in nonzero {
                        s += t * x[base + min(max(y + dy, 0), h - 1) * w + min(max(xx + dx, 0), w - 1)]
                    }
                    out[base + y * w + xx] = s
                }
            }
        }
        return out
    }

    public static func motionBlur(_ x: [Float], height h: Int, width w: Int, length: Double, angle: Double) -> [Float] {
        guard length > 0 else { return x }
        let k = motionKernel(length: length, angle: angle)
        return convolve(x, channels: 3, height: h, width: w, radius: k.radius, taps: k.taps)
    }

    /// Poisson–Gaussian sensor noise: each sample gets N(0, shot·x + (read/255)²).
    public static func sensorNoise(_ x: [Float], shot: Double, read: Double, _ rng: inout SplitMix64) -> [Float] {
        let r2 = (read / 255) * (read / 255)
        return x.map { v in Float(Double(v) + (shot * Double(max(v, 0)) + r2).squareRoot() * rng.normal()) }
    }

    /// The ISP's unsharp mask: x + amount·(x − Gaussian(x)), clipped to [0, 1] (halos at edges).
    public static func ispSharpen(
        _ x: [Float], height h: Int, width w: Int, amount: Double, sigma: Double
    )
        -> [Float]
    {
        guard amount > 0 else { return x }
        let blurred = ImageOps.gaussianBlur(x, channels: 3, height: h, width: w, kernel: GaussianKernel(sigma: sigma))
        let a = Float(amount)
        return zip(x, blurred).map { min(max($0 + a * ($0 - $1), 0), 1) }
    }

    /// Area down by `factor`, bilinear back up (a lower-resolution camera mode scaled up).
    public static func downUp(_ x: [Float], height h: Int, width w: Int, factor: Double) -> [Float] {
        guard factor > 1 else { return x }
        let sw = max(4, Int((Double(w) / factor).rounded())), sh = max(4, Int((Double(h) / factor).rounded()))
        return ImageOps.bilinearResize(
            ImageOps.areaResize(x, channels: 3, height: h, width: w, toHeight: sh, width: sw), channels: 3, height: sh,
            width: sw, toHeight: h, width: w)
    }

    /// Planar RGB [0, 1] → an I420 frame (BT.709 limited, as a 720p webcam) and back.
    static func frame(_ x: [Float], height h: Int, width w: Int) -> Frame {
        let rgb = RGBImage(planar: x, width: w, height: h).frame(colorSpace: .bt709Limited)
        let yuv = Frame(format: rgb.format.with(.i420), colorSpace: .bt709Limited)
        rgb.convert(into: yuv)
        return yuv
    }

    static func planar(_ f: Frame) -> [Float] { RGBImage(frame: f).planar }

    /// 4:2:0 chroma and, with `crf`, H.264 at that CRF over the whole sequence (one keyframe,
    /// then P-frames); sizes must be even.
    public static func codec(_ frames: [[Float]], height h: Int, width w: Int, crf: Int?) throws -> [[Float]] {
        let yuv = frames.map { frame($0, height: h, width: w) }
        guard let crf else { return yuv.map(planar) }
        return try H264RoundTrip.apply(yuv, crf: crf).map(planar)
    }

    /// The camera's part of the chain on one frame (optics, motion, noise, ISP, resolution),
    /// rounded to 8-bit levels.
    public static func camera(
        _ clean: [Float], height h: Int, width w: Int, _ p: Parameters, _ rng: inout SplitMix64
    )
        -> [Float]
    {
        var x = clean
        if p.blurSigma > 0 {
            x = ImageOps.gaussianBlur(x, channels: 3, height: h, width: w, kernel: GaussianKernel(sigma: p.blurSigma))
        }
        x = motionBlur(x, height: h, width: w, length: p.motionLength, angle: p.motionAngle)
        x = sensorNoise(x, shot: p.shotNoise, read: p.readNoise, &rng)
        x = ispSharpen(x, height: h, width: w, amount: p.sharpenAmount, sigma: p.sharpenSigma)
        x = downUp(x, height: h, width: w, factor: p.downscale)
        return ImageOps.quantized(x.map { min(max($0, 0), 1) })
    }

    /// The whole chain on a sequence (fresh noise per frame; the same camera for all frames);
    /// `width` and `height` even.
    public static func apply(
        _ frames: [[Float]], height h: Int, width w: Int, _ p: Parameters, _ rng: inout SplitMix64
    )
        throws -> [[Float]]
    {
        let shot = frames.map { camera($0, height: h, width: w, p, &rng) }
        return try codec(shot, height: h, width: w, crf: p.crf)
    }
}
