import Foundation
import SharpFrames
import SharpImaging
import SharpNet
import SharpSupport

/// `sharpcam-train eval --temporal`: how a sharpener behaves over time, on sequences made from
/// photos (issue 16). All on 8-bit luma of I420 frames (BT.709 limited, as a 720p webcam).
///
/// - **static**: one photo, softened like a webcam (Gaussian σ `blur`), 60 frames each with
///   fresh noise σ `noise`. Noise gain = mean over pixels of the temporal standard deviation of
///   the output / that of the input (≤ 1: no noisier over time than the camera); temporal-mean
///   PSNR = PSNR of the mean output frame against the sharp photo (what stays when the noise is
///   averaged away: blur or bias a filter adds); frame PSNR = the mean over frames of each
///   output frame's PSNR against the sharp photo (what a viewer sees in each frame).
/// - **motion**: a clean sequence c_t panned (0.6, 0.25 px per frame) and zoomed (+0.3 % per
///   frame) across the photo, each frame softened and given fresh noise. E_td(v) = mean over
///   frames of mean |(v_t − v_{t−1}) − (c_t − c_{t−1})|; the ratio E_td(output) / E_td(input)
///   below 1 means frame-to-frame changes closer to the truth than the camera's. Per-frame
///   PSNR against c_t shows ghosting (a filter that lags loses it on moving content).
///
/// Invariant: sequences are a function of the photo and `seed` only.
public struct TemporalEvaluation {
    public struct MethodResult: Codable, Sendable {
        public var method: String
        public var staticNoiseGain: Double
        public var staticMeanPSNR: Double
        public var staticFramePSNR: Double
        public var motionTemporalErrorRatio: Double
        public var motionPSNR: Double
    }

    public struct Result: Codable, Sendable {
        public var photos: [String]
        public var width: Int, height: Int
        public var staticFrames: Int, motionFrames: Int
        public var noise: Double, blur: Double
        public var methods: [MethodResult]
    }

    /// A way to process a sequence: `reset` before each, then `process` frame after frame.
    public struct Method {
        public let name: String
        public let reset: () -> Void
        public let process: (Frame, Frame) -> Void

        public init(name: String, reset: @escaping () -> Void = {}, process: @escaping (Frame, Frame) -> Void) {
            self.name = name
            self.reset = reset
            self.process = process
        }

        public static var identity: Method { Method(name: "identity") { i, o in o.copy(from: i) } }

        public static func classic(width: Int, height: Int) -> Method {
            let u = UnsharpMask(width: width, height: height, settings: .default)
            return Method(name: "classic (unsharp mask)") { i, o in u.apply(i, strength: 1, into: o) }
        }

        /// The student through the fused engine as `sharpcamd` runs it, with or without the
        /// temporal filter.
        public static func student(_ weights: Weights, temporal: Bool, isa: KernelISA? = nil) throws -> Method {
            let engine = try FusedStudentEngine(
                weights: weights, precision: FusedStudentEngine.defaultPrecision(for: weights), maxWidth: 4096,
                threads: 2, isa: isa)
            let filter = temporal ? TemporalFilter() : nil
            engine.temporal = filter
            return Method(name: temporal ? "student + temporal filter" : "student", reset: { filter?.reset() }) {
                i, o in engine.process(i, strength: 1, into: o)
            }
        }
    }

    public let width: Int, height: Int
    public var staticFrames = 60, motionFrames = 30
    public var noise = 2.0, blur = 1.2
    public var seed: UInt64 = 16

    public init(width: Int = 640, height: Int = 360) {
        self.width = width
        self.height = height
    }

    public func run(photos: [(name: String, image: RGBImage)], methods: [Method]) -> Result {
        var gain = [Double](repeating: 0, count: methods.count), meanPSNR = gain, framePSNR = gain, etd = gain
        var psnr = gain
        for (index, photo) in photos.enumerated() {
            let base = fitted(photo.image)
            var rng = SplitMix64(seed: seed &+ UInt64(index) &* 0x9E37)
            // Static: the sharp frame, and 60 soft noisy copies.
            let sharp = frame(base, dx: 0, dy: 0, zoom: 1)
            let stills = (0..<staticFrames).map { _ in degraded(sharp, &rng) }
            let motionClean = (0..<motionFrames).map {
                frame(base, dx: 0.6 * Double($0), dy: 0.25 * Double($0), zoom: 1 + 0.003 * Double($0))
            }
            let motionIn = motionClean.map { degraded($0, &rng) }
            let inputStd = Self.temporalStd(stills)
            let inputETD = Self.temporalError(motionIn, motionClean)
            for (m, method) in methods.enumerated() {
                let outs = run(method, stills)
                gain[m] += Self.temporalStd(outs) / inputStd
                meanPSNR[m] += Self.psnr(Self.temporalMean(outs), Self.luma(sharp))
                framePSNR[m] +=
                    outs.map { Self.psnr(Self.luma($0).map(Double.init), Self.luma(sharp)) }.reduce(0, +)
                    / Double(staticFrames)
                let moving = run(method, motionIn)
                etd[m] += Self.temporalError(moving, motionClean) / inputETD
                psnr[m] +=
                    zip(moving, motionClean).map { Self.psnr(Self.luma($0).map(Double.init), Self.luma($1)) }
                    .reduce(0, +) / Double(motionFrames)
            }
        }
        let n = Double(max(photos.count, 1))
        return Result(
            photos: photos.map(\.name), width: width, height: height, staticFrames: staticFrames,
            motionFrames: motionFrames, noise: noise, blur: blur,
            methods: methods.indices.map {
                MethodResult(
                    method: methods[$0].name, staticNoiseGain: gain[$0] / n, staticMeanPSNR: meanPSNR[$0] / n,
                    staticFramePSNR: framePSNR[$0] / n,
                    motionTemporalErrorRatio: etd[$0] / n, motionPSNR: psnr[$0] / n)
            })
    }

    func run(_ method: Method, _ frames: [Frame]) -> [Frame] {
        method.reset()
        return frames.map { f in
            let o = Frame(format: f.format, colorSpace: f.colorSpace)
            method.process(f, o)
            return o
        }
    }

    /// The photo scaled (area) so that a 1.3× larger window than the frame fits, as floats.
    func fitted(_ image: RGBImage) -> (w: Int, h: Int, rgb: [Float]) {
        let scale = min(Double(image.width) / (Double(width) * 1.3), Double(image.height) / (Double(height) * 1.3))
        let w = max(width + 8, Int(Double(image.width) / max(scale, 1))),
            h = max(height + 8, Int(Double(image.height) / max(scale, 1)))
        let planar = image.planar
        return (
            w, h,
            ImageOps.areaResize(planar, channels: 3, height: image.height, width: image.width, toHeight: h, width: w)
        )
    }

    /// A `width`×`height` I420 frame sampled (bilinear) from `base`, centred, shifted by
    /// (dx, dy) and magnified by `zoom`.
    func frame(_ base: (w: Int, h: Int, rgb: [Float]), dx: Double, dy: Double, zoom: Double) -> Frame {
        let cx = Double(base.w) / 2, cy = Double(base.h) / 2
        let xs = (0..<width).map { cx + (Double($0) - Double(width) / 2 + 0.5) / zoom - 0.5 + dx - 20 }
        let ys = (0..<height).map { cy + (Double($0) - Double(height) / 2 + 0.5) / zoom - 0.5 + dy - 8 }
        let planar = ImageOps.bilinearSample(base.rgb, channels: 3, height: base.h, width: base.w, xs: xs, ys: ys)
        let rgb = RGBImage(planar: planar, width: width, height: height).frame(colorSpace: .bt709Limited)
        let yuv = Frame(format: rgb.format.with(.i420), colorSpace: .bt709Limited)
        rgb.convert(into: yuv)
        return yuv
    }

    /// Softened (Gaussian σ `blur`, every plane) and given fresh Gaussian noise σ `noise`.
    func degraded(_ clean: Frame, _ rng: inout SplitMix64) -> Frame {
        let f = Frame(format: clean.format, colorSpace: clean.colorSpace)
        f.copy(from: clean)
        GaussianBlur(kernel: GaussianKernel(sigma: blur), maxWidth: width, maxHeight: height).blur(f)
        for p in f.planes {
            for y in 0..<p.rows {
                let row = p.row(y)
                for x in 0..<p.rowBytes {
                    row[x] = UInt8(clamping: Int((Double(row[x]) + noise * rng.normal()).rounded()))
                }
            }
        }
        return f
    }

    static func luma(_ f: Frame) -> [UInt8] {
        let g = GrayImage(width: f.width, height: f.height)
        g.loadGrey(from: f)
        return g.pixels
    }

    /// Mean over pixels of the temporal standard deviation of luma.
    static func temporalStd(_ frames: [Frame]) -> Double {
        let lumas = frames.map(luma), n = Double(frames.count), count = lumas[0].count
        var total = 0.0
        for i in 0..<count {
            var s = 0.0, s2 = 0.0
            for l in lumas {
                let v = Double(l[i])
                s += v
                s2 += v * v
            }
            let mean = s / n
            total += max(s2 / n - mean * mean, 0).squareRoot()
        }
        return total / Double(count)
    }

    static func temporalMean(_ frames: [Frame]) -> [Double] {
        let lumas = frames.map(luma)
        var out = [Double](repeating: 0, count: lumas[0].count)
        for l in lumas { for i in out.indices { out[i] += Double(l[i]) } }
        return out.map { $0 / Double(frames.count) }
    }

    /// E_td: mean over frames of mean |(v_t − v_{t−1}) − (c_t − c_{t−1})|.
    static func temporalError(_ v: [Frame], _ c: [Frame]) -> Double {
        let lv = v.map(luma), lc = c.map(luma)
        var total = 0.0
        for t in 1..<v.count {
            var s = 0.0
            for i in lv[t].indices {
                s += abs(
                    (Double(lv[t][i]) - Double(lv[t - 1][i])) - (Double(lc[t][i]) - Double(lc[t - 1][i])))
            }
            total += s / Double(lv[t].count)
        }
        return total / Double(v.count - 1)
    }

    static func psnr(_ a: [Double], _ b: [UInt8]) -> Double {
        var se = 0.0
        for i in a.indices {
            let d = a[i] - Double(b[i])
            se += d * d
        }
        return PSNR.decibels(meanSquaredError: se / Double(a.count))
    }
}
