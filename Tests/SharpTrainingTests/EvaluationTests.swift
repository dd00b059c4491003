import Foundation
import SharpNet
import SharpSupport
import TestSupport
import Testing

@testable import SharpTraining

@Suite(.serialized) struct EvaluationTests {
    /// PSNR and SSIM agree with scikit-image (1e-3 dB, 1e-4); INTER_AREA, INTER_LINEAR and the
    /// 21×21 Gaussian agree with OpenCV (float32 in [0, 1]; 1e-4, 1e-4, 1e-5).
    @Test func metricsAndResamplingMatchTheOracles() throws {
        let dir = TemporaryDirectory("evaloracle")
        let a = try RGBImage(contentsOf: try TestEnvironment.photo("skimage_chelsea"))
        var rng = SplitMix64(seed: 3)
        var b = a
        for i in b.pixels.indices { b.pixels[i] = UInt8(clamping: Int(b.pixels[i]) + Int(rng.normal() * 6)) }
        let grey = Metrics.luma(a).map { UInt8($0.rounded()) }
        try writeFile(dir.file("grey.raw"), Data(grey))
        try EvaluationReport.writePNG(a, to: dir.file("a.png"))
        try EvaluationReport.writePNG(b, to: dir.file("b.png"))
        try ProcessRunner.check(TestEnvironment.python, [TestEnvironment.oracle("eval_oracle.py"), dir.path])
        let oracle = try JSONDecoder().decode(
            [String: Double].self, from: Data(contentsOf: dir.url.appendingPathComponent("oracle.json")))
        #expect(abs(Metrics.psnr(a, b) - oracle["psnr"]!) < 1e-3)
        #expect(abs(Metrics.ssim(a, b) - oracle["ssim"]!) < 1e-4, "\(Metrics.ssim(a, b)) vs \(oracle["ssim"]!)")
        let parts = Metrics.components(b, a)
        #expect(abs(parts.luma - oracle["luma_psnr"]!) < 1e-3, "\(parts) vs \(oracle)")
        #expect(abs(parts.chroma - oracle["chroma_psnr"]!) < 1e-3, "\(parts) vs \(oracle)")
        #expect(abs(parts.referenceChroma - oracle["reference_chroma_psnr"]!) < 1e-3, "\(parts) vs \(oracle)")

        func raw(_ name: String) throws -> [Float] {
            try Data(contentsOf: dir.url.appendingPathComponent(name)).withUnsafeBytes {
                Array($0.bindMemory(to: Float.self))
            }
        }
        func maxDiff(_ x: [Float], _ y: [Float]) -> Float { zip(x, y).map { abs($0 - $1) }.max() ?? .infinity }
        let x = a.planar, w = a.width, h = a.height
        let area = ImageOps.areaResize(x, channels: 3, height: h, width: w, toHeight: h / 3, width: w / 3)
        #expect(maxDiff(area, try raw("area.raw")) < 1e-4)
        let linear = ImageOps.bilinearResize(
            x, channels: 3, height: h, width: w, toHeight: h / 2 + 3, width: w * 2 / 3 + 1)
        #expect(maxDiff(linear, try raw("linear.raw")) < 1e-4)
        let blur = ImageOps.gaussianBlur(x, channels: 3, height: h, width: w, kernel: PairGenerator.seedKernel)
        #expect(maxDiff(blur, try raw("blur.raw")) < 1e-5)
        // CLAHE: OpenCV's algorithm (tiles, clip, even residual spread, bilinear LUT blend); ±1
        // where float blending rounds differently.
        let clahe = CLAHE.equalise(grey, width: w, height: h, clipLimit: 2, tiles: 8)
        let expected = [UInt8](try Data(contentsOf: dir.url.appendingPathComponent("clahe.raw")))
        #expect(TestFrames.maxDifference(clahe, expected) <= 1, "\(mismatch(clahe, expected) ?? "")")
    }

    @Test func protocolsPrepareTheDocumentedPictures() throws {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo("lomiri16_bridge"))
        let p256 = try #require(EvaluationProtocol.p256.prepare(photo, name: "b"))
        #expect(p256.reference.width == 256 && p256.degraded.height == 256 && p256.psf!.sigmaX == 2.5)
        let p720 = try #require(EvaluationProtocol.p720.prepare(photo, name: "b"))
        #expect(p720.reference.width == 1280 && p720.reference.height == 720)
        #expect(EvaluationProtocol.p720.prepare(photo.cropped(x: 0, y: 0, width: 1000, height: 700), name: "s") == nil)
        let web = try #require(EvaluationProtocol.webcam.prepare(photo, name: "b"))
        #expect(web.reference.width == (photo.width + 1) / 2 && (1...2).contains(web.psf!.sigmaX))
        #expect(EvaluationProtocol.webcam.prepare(photo, name: "b")!.degraded == web.degraded)  // seeded by name
        let clean = try #require(EvaluationProtocol.clean.prepare(photo, name: "b"))
        #expect(clean.degraded == clean.reference)
        let seed = try #require(EvaluationProtocol.seed.prepare(photo, name: "b"))
        #expect(seed.reference.width == 256 && seed.reference != p256.reference)
    }

    /// With the exact PSF, Wiener deconvolution undoes much of a noise-free blur.
    @Test func wienerImprovesABlurWithTheKnownPSF() throws {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo("skimage_coffee"))
        let r = Evaluation.run(.p256, photos: [("coffee", photo)], methods: [])
        let psnr = Dictionary(uniqueKeysWithValues: r.methods.map { ($0.method, $0.mean.psnr) })
        #expect(psnr["wiener"]! > psnr["identity"]! + 1.5, "\(psnr)")
        #expect(psnr["classic"]! > psnr["identity"]!)
        #expect(r.wienerK != nil)
    }

    /// The luma/chroma split: a grey offset is all luma (chroma exact, and perfect chroma adds
    /// nothing); the reference's own chroma rebuilds it exactly; in a protocol run every method
    /// gets the split, and on a colour photo blurred by p256 perfect chroma and Wiener's chroma
    /// both score above the model's own.
    @Test func componentsSplitLumaFromChroma() throws {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo("skimage_coffee"))
        var base = photo
        for i in base.pixels.indices { base.pixels[i] = min(base.pixels[i], 250) }
        var lifted = base
        for i in lifted.pixels.indices { lifted.pixels[i] += 2 }
        let grey = Metrics.components(lifted, base)
        #expect(abs(grey.luma - 20 * log10(255.0 / 2)) < 1e-9, "\(grey)")
        #expect(grey.chroma > 99, "\(grey)")
        #expect(abs(grey.referenceChroma - grey.luma) < 0.01, "\(grey)")
        let (y, cb, cr) = Metrics.ycbcr(photo)
        #expect(Metrics.rgb(luma: y, cb: cb, cr: cr, width: photo.width, height: photo.height) == photo)

        let keep = Evaluation.Method(name: "input") { $0 }
        let r = Evaluation.run(.p256, photos: [("coffee", photo)], methods: [keep], components: true)
        for m in r.methods {
            let c = try #require(m.mean.components, "\(m.method) has no split")
            #expect(c.referenceChroma > m.mean.psnr && c.luma < c.chroma, "\(m.method): \(c)")
        }
        let input = try #require(r.methods.first { $0.method == "input" })
        let identity = try #require(r.methods.first { $0.method == "identity" })
        #expect(input.mean.components == identity.mean.components)
        #expect(identity.wienerChroma == nil)
        let wiener = try #require(input.wienerChroma)
        #expect(wiener > input.mean.psnr + 0.1 && wiener < input.mean.components!.referenceChroma, "\(wiener)")
        let plain = Evaluation.run(.p256, photos: [("coffee", photo)], methods: [keep])
        #expect(plain.methods.allSatisfy { $0.mean.components == nil && $0.wienerChroma == nil })
    }

    @Test func fftRoundTripsAndMatchesADirectDFT() {
        var rng = SplitMix64(seed: 1)
        let n = 16
        var re = (0..<n).map { _ in rng.normal() }, im = (0..<n).map { _ in rng.normal() }
        let (r0, i0) = (re, im)
        FFT.transform(&re, &im, inverse: false)
        for k in 0..<n {
            var sr = 0.0, si = 0.0
            for t in 0..<n {
                let a = -2 * Double.pi * Double(k * t) / Double(n); sr += r0[t] * cos(a) - i0[t] * sin(a);
                si += r0[t] * sin(a) + i0[t] * cos(a)
            }
            #expect(abs(sr - re[k]) < 1e-9 && abs(si - im[k]) < 1e-9)
        }
        FFT.transform(&re, &im, inverse: true)
        #expect(zip(re, r0).allSatisfy { abs($0 - $1) < 1e-12 })
    }
}
