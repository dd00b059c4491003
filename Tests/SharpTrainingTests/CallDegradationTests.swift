import Foundation
import SharpFrames
import SharpMedia
import SharpSupport
import SharpTraining
import TestSupport
import Testing

/// The webcam-and-call degradations, step by step, against what each claims to do.
@Suite struct CallDegradationTests {
    /// Planar RGB of a photo crop, `w`×`h`.
    static func crop(_ w: Int, _ h: Int) throws -> [Float] {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo(TestEnvironment.standardPhotos[0]))
        return photo.cropped(x: 40, y: 40, width: w, height: h).planar
    }

    static func psnr(_ a: [Float], _ b: [Float]) -> Double {
        var se = 0.0
        for i in a.indices {
            let d = Double(a[i] - b[i]) * 255
            se += d * d
        }
        return PSNR.decibels(meanSquaredError: se / Double(a.count))
    }

    @Test func motionKernelIsANormalisedLine() {
        let k = CallDegradation.motionKernel(length: 5, angle: 0)
        let n = 2 * k.radius + 1
        #expect(abs(k.taps.reduce(0, +) - 1) < 1e-5)
        for (i, t) in k.taps.enumerated() where t > 0 { #expect(i / n == k.radius, "horizontal line: row \(i / n)") }
        let diagonal = CallDegradation.motionKernel(length: 6, angle: .pi / 4)
        let m = 2 * diagonal.radius + 1
        #expect(diagonal.taps[0] > 0 && diagonal.taps[m * m - 1] > 0 && diagonal.taps[m - 1] == 0)
    }

    @Test func sensorNoiseGrowsWithTheSignal() {
        var rng = SplitMix64(seed: 5)
        for level in [0.1, 0.8] as [Float] {
            let x = [Float](repeating: level, count: 200_000)
            let y = CallDegradation.sensorNoise(x, shot: 0.004, read: 1, &rng)
            let mean = y.map(Double.init).reduce(0, +) / Double(y.count)
            let variance = y.map { (Double($0) - mean) * (Double($0) - mean) }.reduce(0, +) / Double(y.count)
            let expected = 0.004 * Double(level) + 1.0 / 65025
            #expect(abs(variance / expected - 1) < 0.05, "level \(level): variance \(variance), expected \(expected)")
        }
    }

    @Test func cameraSharpeningMakesHalosAndTheMeasureSeesThem() {
        let soft = HaloMeasure.overshoot(HaloMeasure.chart(amount: 0))
        let sharpened = HaloMeasure.overshoot(HaloMeasure.chart(amount: 0.6))
        let over = HaloMeasure.overshoot(HaloMeasure.chart(amount: 1.5))
        #expect(soft < 0.5 && sharpened > 5 && over > sharpened, "\(soft) \(sharpened) \(over)")
        let rows = HaloMeasure.run([Evaluation.Method.classic])
        #expect(rows.filter { $0.method == "identity" }.allSatisfy { $0.extra == 0 })
        #expect(rows.filter { $0.method == "classic" }.allSatisfy { $0.extra > 5 }, "unsharp masking adds halos")
    }

    @Test func lowerResolutionLosesDetail() throws {
        let x = try Self.crop(96, 64)
        let y = CallDegradation.downUp(x, height: 64, width: 96, factor: 2)
        #expect(y.count == x.count && Self.psnr(x, y) < 40)
        #expect(CallDegradation.downUp(x, height: 64, width: 96, factor: 1) == x)
    }

    @Test func h264AtCallBitratesIsDeterministicAndLossy() throws {
        let clean = try Self.crop(128, 96)
        let frames = (0..<4).map { _ in clean }
        let a = try CallDegradation.codec(frames, height: 96, width: 128, crf: 33)
        let b = try CallDegradation.codec(frames, height: 96, width: 128, crf: 33)
        #expect(a.count == 4 && a == b, "same frames, same CRF: same bytes")
        let mild = try CallDegradation.codec(frames, height: 96, width: 128, crf: 20)
        let q33 = Self.psnr(a[3], clean), q20 = Self.psnr(mild[3], clean)
        let only420 = Self.psnr(try CallDegradation.codec(frames, height: 96, width: 128, crf: nil)[3], clean)
        #expect(q33 > 20 && q33 < q20 && q20 < only420, "CRF 33 \(q33) dB, CRF 20 \(q20) dB, 4:2:0 only \(only420) dB")
    }

    @Test func chainsAreSeededAndInRange() throws {
        var r1 = SplitMix64(seed: 9), r2 = SplitMix64(seed: 9)
        for _ in 0..<200 {
            let p = CallDegradation.Parameters.random(&r1)
            #expect(p == CallDegradation.Parameters.random(&r2))
            #expect((0.5...2).contains(p.blurSigma) && (28...38).contains(p.crf ?? 0) && p.downscale <= 2.5)
            #expect(p.motionLength == 0 || (1...6).contains(p.motionLength))
        }
        let clean = try Self.crop(64, 48)
        var a = SplitMix64(seed: 3), b = SplitMix64(seed: 3)
        let p = CallDegradation.Parameters.random(&a)
        _ = CallDegradation.Parameters.random(&b)
        let x = try CallDegradation.apply([clean, clean], height: 48, width: 64, p, &a)
        let y = try CallDegradation.apply([clean, clean], height: 48, width: 64, p, &b)
        #expect(x == y && x.count == 2 && x[0] != clean)
    }

    /// The camera-call mix is the camera mix with some webcam crops made by the call chain: its
    /// clean and heavily blurred crops and the rest of its webcam crops are exactly the camera
    /// mix's, about half of the webcam crops differ (the call chain), and all are reproducible.
    @Test func cameraCallRecipeReplacesHalfTheWebcamCropsWithTheCallChain() throws {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo(TestEnvironment.standardPhotos[1]))
        let mixed = PairGenerator(photos: [photo], recipe: .cameraCall, cropSize: 32, seed: 5, heavyBlurShare: 0.2)
        let camera = PairGenerator(photos: [photo], recipe: .camera, cropSize: 32, seed: 5, heavyBlurShare: 0.2)
        var same = 0, replaced = 0, callBranch = 0
        for i in 0..<48 {
            let m = mixed.pair(step: 7, index: i), c = camera.pair(step: 7, index: i)
            let again = mixed.pair(step: 7, index: i)
            #expect(m.sharp == again.sharp && m.degraded == again.degraded)
            #expect(m.sharp == c.sharp && m.size == 32)
            if mixed.callBranch(step: 7, index: i) { callBranch += 1 }
            if m.degraded == c.degraded {
                same += 1
            } else {
                replaced += 1
                // Only a webcam crop the call branch takes may differ; it is still degraded.
                #expect(mixed.callBranch(step: 7, index: i) && m.degraded != m.sharp)
            }
        }
        print("camera-call mix: \(replaced) of 48 crops by the call chain, \(same) as the camera mix")
        #expect(replaced >= 8 && replaced <= 30 && same >= 12)
        #expect(callBranch > replaced)  // the clean and heavy-blur crops stay the camera mix's
        #expect(DegradationRecipe(rawValue: "camera-call") == .cameraCall)
    }

    /// `--call-share`: a smaller share sends fewer webcam crops by the call chain, the crops it
    /// keeps for the call chain are a subset of the larger share's (one uniform draw per crop),
    /// 0 is exactly the camera mix, and a run refuses a share out of range or on another mix.
    @Test func cameraCallShareSetsHowManyWebcamCropsTakeTheCallChain() throws {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo(TestEnvironment.standardPhotos[1]))
        func generator(_ share: Double, _ recipe: DegradationRecipe = .cameraCall) -> PairGenerator {
            PairGenerator(photos: [photo], recipe: recipe, cropSize: 32, seed: 5, heavyBlurShare: 0.2, callShare: share)
        }
        let half = generator(PairGenerator.defaultCallShare), quarter = generator(0.25), none = generator(0)
        let camera = generator(0.25, .camera)
        var halfBranch = 0, quarterBranch = 0
        for i in 0..<200 {
            let h = half.callBranch(step: 3, index: i), q = quarter.callBranch(step: 3, index: i)
            if h { halfBranch += 1 }
            if q { quarterBranch += 1 }
            #expect(!q || h, "crop \(i): in the quarter's call branch but not in the half's")
            #expect(!none.callBranch(step: 3, index: i))
        }
        print("call branch: \(halfBranch) of 200 draws at share 0.5, \(quarterBranch) at 0.25")
        #expect(halfBranch >= 80 && halfBranch <= 120 && quarterBranch >= 30 && quarterBranch <= 70)
        for i in 0..<24 {
            let n = none.pair(step: 3, index: i), c = camera.pair(step: 3, index: i)
            #expect(n.sharp == c.sharp && n.degraded == c.degraded)
        }
        var config = TrainingConfiguration(
            architecture: .student(widths: [8], convsPerLevel: 1), recipe: .cameraCall, steps: 3, callShare: 0.25)
        #expect(config.validationError == nil)
        #expect(config.mixNote == " (call share 25 %)")
        config.heavyBlurShare = 0.4
        #expect(config.mixNote == " (heavy blur 40 %, call share 25 %)")
        #expect(config.inputNote == "")
        config.quantizedLuma = true
        #expect(config.inputNote == ", 8-bit luma input")
        var colour = config
        colour.architecture.usesChroma = true
        colour.kdWeight = 1
        colour.teacherPath = "teacher.scw"
        #expect(colour.validationError?.contains("distillation trains luma students") == true)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8)).callShare == 0.25)
        config.callShare = 1.5
        #expect(config.validationError?.contains("--call-share must be between 0 and 1") == true)
        config.callShare = 0.25
        config.recipe = .camera
        #expect(config.validationError?.contains("camera-call") == true)
    }

    @Test func callRecipeAndProtocolAreReproducible() throws {
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo(TestEnvironment.standardPhotos[1]))
        let g = PairGenerator(photos: [photo], recipe: .call, cropSize: 64, seed: 4)
        var degradedSome = false
        for i in 0..<8 {
            let p = g.pair(step: 3, index: i), q = g.pair(step: 3, index: i)
            #expect(p.sharp == q.sharp && p.degraded == q.degraded && p.size == 64)
            degradedSome = degradedSome || p.degraded != p.sharp
        }
        #expect(degradedSome)
        let c1 = try #require(EvaluationProtocol.call.prepare(photo, name: "x"))
        let c2 = try #require(EvaluationProtocol.call.prepare(photo, name: "x"))
        #expect(c1.degraded == c2.degraded && c1.reference.width == c1.degraded.width && c1.degraded != c1.reference)
        let s = try #require(EvaluationProtocol.oversharpened.prepare(photo, name: "x"))
        #expect(s.reference == s.degraded)
    }
}
