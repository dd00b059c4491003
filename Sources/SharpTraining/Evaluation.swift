import Foundation
import SharpFrames
import SharpImaging
import SharpNet
import SharpSupport

/// Scores a model and the baselines (identity, classic unsharp mask, Wiener deconvolution with
/// the known PSF) on one protocol.
///
/// Wiener's noise-to-signal ratio K is chosen from a fixed grid as the value with the best
/// mean PSNR over the evaluated images (an oracle-tuned, i.e. strong, baseline); the chosen K
/// is reported.
public struct Evaluation {
    public struct Score: Codable, Sendable {
        public var psnr: Double
        public var ssim: Double
        /// Luma and chroma PSNR, and the PSNR with the reference's chroma (`components` runs only).
        public var components: Metrics.Components?
    }

    public struct MethodResult: Codable, Sendable {
        public var method: String
        public var mean: Score
        public var perImage: [String: Score]
        /// Mean RGB PSNR of this method's luma with the Wiener output's chroma (the protocol's K):
        /// what colour deblurred with the known PSF would add (`components` runs of protocols with
        /// a PSF, for the methods evaluated; not for the baselines).
        public var wienerChroma: Double?
    }

    public struct ProtocolResult: Codable, Sendable {
        public var protocolName: String
        public var images: Int
        public var methods: [MethodResult]
        public var wienerK: Double?
    }

    public static let wienerGrid: [Double] = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1]

    /// A named way to sharpen a picture.
    public struct Method {
        public let name: String
        public let apply: (RGBImage) -> RGBImage
        public init(name: String, apply: @escaping (RGBImage) -> RGBImage) { self.name = name; self.apply = apply }

        public static var classic: Method {
            Method(name: "classic") { img in
                let f = img.frame(), out = Frame(format: f.format, colorSpace: f.colorSpace)
                UnsharpMask(width: img.width, height: img.height, settings: .default).apply(f, strength: 1, into: out)
                return RGBImage(frame: out)
            }
        }

        /// A student through the fused real-time engine (what `sharpcamd` runs).
        /// - Parameter isa: the kernel set (nil: `SHARPCAM_ISA`, else the CPU's best).
        /// - Parameter int8Weights: the int8 weight scheme (nil: the set's own).
        public static func fused(
            _ weights: Weights, precision: FusedStudentEngine.Precision, name: String,
            transferChroma: Bool = true, isa: KernelISA? = nil, int8Weights: Int8WeightScheme? = nil
        ) throws -> Method {
            let engine = try FusedStudentEngine(
                weights: weights, precision: precision, maxWidth: 4096, threads: 2,
                isa: isa, int8Weights: int8Weights, transferChroma: transferChroma)
            return Method(name: name) { img in
                let f = img.frame(), out = Frame(format: f.format, colorSpace: f.colorSpace)
                engine.process(f, strength: 1, into: out)
                return RGBImage(frame: out)
            }
        }

        /// A student in int8 as kernel set `set` computes it, on any CPU: on that set where the CPU
        /// has it, else on the portable kernels with the set's weight scheme (bit for bit the same
        /// output, only slower).
        public static func int8(
            _ weights: Weights, as set: KernelISA, name: String, transferChroma: Bool = true
        ) throws -> Method {
            try fused(
                weights, precision: .int8, name: name, transferChroma: transferChroma,
                isa: set.isSupported ? set : .portable, int8Weights: set.int8WeightScheme)
        }

        /// A network through the fast FP32 engine and the frame runner.
        public static func model(_ weights: Weights, name: String = "model", transferChroma: Bool = true) -> Method {
            let runner = NetworkFrameRunner(engine: BLASEngine(weights: weights), transferChroma: transferChroma)
            return Method(name: name) { img in
                let f = img.frame(), out = Frame(format: f.format, colorSpace: f.colorSpace)
                runner.process(f, strength: 1, into: out)
                return RGBImage(frame: out)
            }
        }
    }

    /// Evaluates `methods` (after identity, classic and Wiener) on the photos; `onImage` sees
    /// each case and every method's output (for reports). With `components`, every score also
    /// splits into luma and chroma (`Metrics.components`) and each of `methods` gets its
    /// `wienerChroma`.
    public static func run(
        _ proto: EvaluationProtocol, photos: [(name: String, image: RGBImage)], methods: [Method],
        components: Bool = false,
        onImage: (EvaluationProtocol.Case, [(String, RGBImage)]) -> Void = { _, _ in }
    ) -> ProtocolResult {
        let cases = photos.compactMap { proto.prepare($0.image, name: $0.name) }
        var scores: [String: [String: Score]] = [:]
        var wienerScores: [Double: [String: Score]] = [:]
        var wienerOutputs: [String: [RGBImage]] = [:]
        var outputs: [String: [(String, RGBImage)]] = [:]
        for c in cases {
            func score(_ x: RGBImage) -> Score {
                Score(
                    psnr: Metrics.psnr(x, c.reference), ssim: Metrics.ssim(x, c.reference),
                    components: components ? Metrics.components(x, c.reference) : nil)
            }
            scores["identity", default: [:]][c.name] = score(c.degraded)
            outputs[c.name] = [("identity", c.degraded)]
            for m in [Method.classic] + methods {
                let out = m.apply(c.degraded)
                scores[m.name, default: [:]][c.name] = score(out)
                outputs[c.name]!.append((m.name, out))
            }
            if let p = c.psf {
                let wiener = WienerDeconvolution.gaussian(
                    sigmaX: p.sigmaX, sigmaY: p.sigmaY, radiusX: p.radiusX, radiusY: p.radiusY)
                let results = wiener.apply(c.degraded, ks: wienerGrid)
                wienerOutputs[c.name] = results
                for (k, out) in zip(wienerGrid, results) { wienerScores[k, default: [:]][c.name] = score(out) }
            }
        }
        func mean(_ s: [String: Score]) -> Score {
            let n = Double(max(s.count, 1))
            let parts = s.values.compactMap(\.components)
            let meanParts =
                parts.count == s.count && !parts.isEmpty
                ? Metrics.Components(
                    luma: parts.map(\.luma).reduce(0, +) / n, chroma: parts.map(\.chroma).reduce(0, +) / n,
                    referenceChroma: parts.map(\.referenceChroma).reduce(0, +) / n) : nil
            return Score(
                psnr: s.values.map(\.psnr).reduce(0, +) / n, ssim: s.values.map(\.ssim).reduce(0, +) / n,
                components: meanParts)
        }
        var result: [MethodResult] = [
            MethodResult(method: "identity", mean: mean(scores["identity"] ?? [:]), perImage: scores["identity"] ?? [:])
        ]
        result.append(
            MethodResult(method: "classic", mean: mean(scores["classic"] ?? [:]), perImage: scores["classic"] ?? [:]))
        var bestK: Double?
        if !wienerScores.isEmpty {
            let k = wienerGrid.max { mean(wienerScores[$0]!).psnr < mean(wienerScores[$1]!).psnr }!
            bestK = k
            result.append(MethodResult(method: "wiener", mean: mean(wienerScores[k]!), perImage: wienerScores[k]!))
            let ki = wienerGrid.firstIndex(of: k)!
            for (name, outs) in wienerOutputs { outputs[name]!.insert(("wiener", outs[ki]), at: 2) }
        }
        // Wiener's colour at the chosen K, per photo (converted once for every method).
        var wienerColour: [String: (cb: [Double], cr: [Double])] = [:]
        if components, let k = bestK, let ki = wienerGrid.firstIndex(of: k) {
            for (name, outs) in wienerOutputs {
                let (_, cb, cr) = Metrics.ycbcr(outs[ki])
                wienerColour[name] = (cb, cr)
            }
        }
        for m in methods {
            var r = MethodResult(method: m.name, mean: mean(scores[m.name]!), perImage: scores[m.name]!)
            if !wienerColour.isEmpty {
                var sum = 0.0, n = 0
                for c in cases {
                    guard let own = outputs[c.name]?.first(where: { $0.0 == m.name })?.1,
                        let (cb, cr) = wienerColour[c.name]
                    else { continue }
                    let (y, _, _) = Metrics.ycbcr(own)
                    let mixed = Metrics.rgb(luma: y, cb: cb, cr: cr, width: own.width, height: own.height)
                    sum += Metrics.psnr(mixed, c.reference)
                    n += 1
                }
                if n > 0 { r.wienerChroma = sum / Double(n) }
            }
            result.append(r)
        }
        for c in cases { onImage(c, outputs[c.name]!) }
        return ProtocolResult(protocolName: proto.rawValue, images: cases.count, methods: result, wienerK: bestK)
    }
}
