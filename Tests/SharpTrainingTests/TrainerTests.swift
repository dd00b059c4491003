import Foundation
import SharpFrames
import SharpMedia
import SharpNet
import SharpSupport
import TestSupport
import Testing

@testable import SharpTraining

/// A tiny real training on generated pictures (SharpCam's synthetic scene).
@Suite struct TrainerTests {
    static let photos: [RGBImage] = (0..<3).map { i in
        let source = SyntheticClipSource(width: 160, height: 120, frames: 40, blurSigma: 0)
        let f = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
        for _ in 0...(i * 13) { _ = try! source.read(into: f) }
        return RGBImage(frame: f)
    }

    static func config(
        steps: Int, arch: ArchitectureSpec = .student(widths: [8], convsPerLevel: 1)
    ) -> TrainingConfiguration {
        TrainingConfiguration(
            architecture: arch, recipe: .webcam, loss: .charbonnier, steps: steps, batchSize: 4, cropSize: 32,
            learningRate: 3e-3, seed: 5, validationEvery: 0)
    }

    @Test func sameSeedSameWeights() throws {
        let a = try Trainer(config: Self.config(steps: 4), photos: Self.photos, validationPhotos: [], teacher: nil)
        let b = try Trainer(config: Self.config(steps: 4), photos: Self.photos, validationPhotos: [], teacher: nil)
        try a.run { _ in }
        try b.run { _ in }
        #expect(a.weights == b.weights)
        var other = Self.config(steps: 4)
        other.seed = 6
        let c = try Trainer(config: other, photos: Self.photos, validationPhotos: [], teacher: nil)
        try c.run { _ in }
        #expect(c.weights != a.weights)
    }

    /// Stopping at step 3, saving a checkpoint file, and resuming gives exactly the weights and
    /// optimizer state of an uninterrupted run.
    @Test func resumeFromACheckpointFileIsExact() throws {
        let dir = TemporaryDirectory("resume")
        let straight = try Trainer(
            config: Self.config(steps: 6), photos: Self.photos, validationPhotos: [], teacher: nil)
        try straight.run { _ in }

        let first = try Trainer(config: Self.config(steps: 6), photos: Self.photos, validationPhotos: [], teacher: nil)
        try first.run(stopAt: 3) { t in
            try t.snapshot().write(to: dir.file("ckpt.scw"))
        }
        #expect(first.step == 3)
        let loaded = try TrainingCheckpoint.load(dir.file("ckpt.scw"))
        #expect(loaded.step == 3 && loaded.configuration == Self.config(steps: 6) && loaded.history == first.history)
        #expect(throws: SharpCamError.self) {
            try WeightsFile.write(Weights.heInitialized(.student(widths: [8]), seed: 1), to: dir.file("plain.scw"))
            _ = try TrainingCheckpoint.load(dir.file("plain.scw"))
        }
        let second = try Trainer(
            config: Self.config(steps: 6), photos: Self.photos, validationPhotos: [], teacher: nil, resume: loaded)
        #expect(second.step == 3)
        try second.run { _ in }
        #expect(second.step == 6)
        #expect(second.weights.tensors == straight.weights.tensors)
        #expect(second.optimizer.state == straight.optimizer.state)
    }

    /// The loss goes down and validation PSNR goes up over a short run.
    @Test func lossDecreases() throws {
        var config = Self.config(steps: 60)
        config.validationEvery = 20
        let t = try Trainer(config: config, photos: Self.photos, validationPhotos: [Self.photos[0]], teacher: nil)
        try t.run { _ in }
        let h = t.history
        #expect(h.count == 3)
        #expect(h.last!.loss < h.first!.loss, "\(h.map(\.loss))")
        #expect(h.last!.validationPSNR! > h.first!.validationPSNR!, "\(h.map { $0.validationPSNR! })")
    }

    /// Fine-tuning (`--init`) starts from the given weights, not from He initialisation, says so
    /// in the metadata, and refuses another architecture.
    @Test func fineTuningStartsFromTheGivenModel() throws {
        var other = Self.config(steps: 8)
        other.seed = 9  // another start than the runs below
        let base = try Trainer(config: other, photos: Self.photos, validationPhotos: [], teacher: nil)
        try base.run { _ in }
        var tiny = Self.config(steps: 1)
        tiny.learningRate = 1e-9
        let tuned = try Trainer(
            config: tiny, photos: Self.photos, validationPhotos: [], teacher: nil, initial: base.weights,
            initialName: "base.scw")
        #expect(tuned.step == 0 && tuned.weights.tensors == base.weights.tensors)
        try tuned.run { _ in }
        let fresh = try Trainer(config: tiny, photos: Self.photos, validationPhotos: [], teacher: nil)
        try fresh.run { _ in }
        func distance(_ a: Weights, _ b: Weights) -> Float {
            a.tensors.keys.map { k in zip(a.tensors[k]!.data, b.tensors[k]!.data).map { abs($0 - $1) }.max() ?? 0 }
                .max() ?? 0
        }
        #expect(distance(tuned.weights, base.weights) < 1e-5, "one step at lr 1e-9 keeps the fine-tuned weights")
        #expect(distance(fresh.weights, base.weights) > 1e-2)
        #expect(tuned.snapshot().weights.metadata["init"] == "fine-tuned from base.scw")
        #expect(throws: SharpCamError.self) {
            try Trainer(
                config: Self.config(steps: 1, arch: .student(widths: [8], convsPerLevel: 2)), photos: Self.photos,
                validationPhotos: [],
                teacher: nil, initial: base.weights, initialName: "base.scw")
        }
    }

    /// Distillation runs a teacher alongside and changes the result.
    @Test func distillationUsesTheTeacher() throws {
        let teacher = Weights.heInitialized(.teacher(widths: [4, 8]), seed: 2)
        var kd = Self.config(steps: 3)
        kd.kdWeight = 0.5
        kd.teacherPath = "in-memory"
        let a = try Trainer(config: kd, photos: Self.photos, validationPhotos: [], teacher: teacher)
        try a.run { _ in }
        let b = try Trainer(config: Self.config(steps: 3), photos: Self.photos, validationPhotos: [], teacher: nil)
        try b.run { _ in }
        #expect(a.weights != b.weights)
    }

    @Test func pairsAreDeterministicAndDegraded() {
        let g = PairGenerator(photos: Self.photos, recipe: .webcam, cropSize: 32, seed: 9)
        let p = g.pair(step: 5, index: 2), q = g.pair(step: 5, index: 2), r = g.pair(step: 5, index: 3)
        #expect(p.sharp == q.sharp && p.degraded == q.degraded)
        #expect(p.sharp != r.sharp)
        // Most pairs differ between input and target (12 % are clean on purpose).
        let changed = (0..<50).filter {
            let x = g.pair(step: 1, index: $0); return x.sharp != x.degraded
        }.count
        #expect(changed > 35 && changed < 50)
        let s = PairGenerator(photos: Self.photos, recipe: .seed, cropSize: 64, seed: 1).pair(step: 0, index: 0)
        #expect(s.size == 64 && s.sharp != s.degraded)
    }

    /// The camera mix differs from the webcam mix, and the heavy-blur share moves the balance:
    /// with all non-clean crops heavily blurred (σ 2.5) inputs are further from their targets
    /// than with none; the clean share stays.
    @Test func cameraRecipeAndHeavyBlurShare() throws {
        func pairs(_ recipe: DegradationRecipe, _ heavy: Double) -> [TrainingPair] {
            let g = PairGenerator(photos: Self.photos, recipe: recipe, cropSize: 32, seed: 9, heavyBlurShare: heavy)
            return (0..<60).map { g.pair(step: 2, index: $0) }
        }
        /// Mean |horizontal difference| of the degraded crops that are not clean: high for noisy
        /// (camera branch) crops, low for the noise-free σ 2.5 blur.
        func detail(_ ps: [TrainingPair]) -> Float {
            let blurred = ps.filter { $0.sharp != $0.degraded }
            return blurred.map { p in
                (1..<p.degraded.count).filter { $0 % p.size != 0 }.map { abs(p.degraded[$0] - p.degraded[$0 - 1]) }
                    .reduce(0, +) / Float(p.degraded.count)
            }.reduce(0, +) / Float(blurred.count)
        }
        let web = pairs(.webcam, 0.3), cam = pairs(.camera, 0.3)
        #expect(zip(web, cam).contains { $0.degraded != $1.degraded })
        #expect(zip(web, cam).allSatisfy { $0.sharp == $1.sharp })
        let none = pairs(.camera, 0), all = pairs(.camera, 0.88)
        let dNone = detail(none), dAll = detail(all)
        print("camera mix: detail of degraded crops \(dNone) with no heavy blur, \(dAll) with 88 %")
        #expect(dAll < dNone * 0.7)
        for ps in [none, all] {
            let clean = ps.filter { $0.sharp == $0.degraded }.count
            #expect(clean >= 2 && clean <= 14, "clean share: \(clean) of 60")
        }
        // Old checkpoints (no share stored) decode with the default; out-of-range shares are refused.
        var config = Self.config(steps: 3)
        let json = String(decoding: try JSONEncoder().encode(config), as: UTF8.self)
        #expect(!json.contains("heavyBlurShare"))
        #expect(try JSONDecoder().decode(TrainingConfiguration.self, from: Data(json.utf8)).heavyBlurShare == nil)
        config.heavyBlurShare = 0.95
        #expect(config.validationError?.contains("--heavy-blur-share") == true)
    }

    /// 8-bit luma input: the student's input is rounded to full- or limited-range levels (what
    /// the engine sees), the target is not; training with it is deterministic and differs.
    @Test func quantizedLumaInput() throws {
        let spec = ArchitectureSpec.student(widths: [8], convsPerLevel: 1)
        let rgb: [Float] = (0..<(3 * 8 * 8)).map { (i: Int) -> Float in Float((i * 37) % 97) / 97 }
        let exact = NetworkTensors.input(spec, rgb: rgb, height: 8, width: 8).data
        for levels: Float in [255, 219] {
            let q = NetworkTensors.input(spec, rgb: rgb, height: 8, width: 8, lumaLevels: levels).data
            #expect(q.allSatisfy { abs($0 * levels - ($0 * levels).rounded()) < 1e-3 })
            #expect(zip(q, exact).allSatisfy { abs($0 - $1) <= 0.5 / levels + 1e-6 })
            #expect(q != exact)
        }
        var config = Self.config(steps: 3)
        config.quantizedLuma = true
        let a = try Trainer(config: config, photos: Self.photos, validationPhotos: [], teacher: nil)
        let b = try Trainer(config: config, photos: Self.photos, validationPhotos: [], teacher: nil)
        let c = try Trainer(config: Self.config(steps: 3), photos: Self.photos, validationPhotos: [], teacher: nil)
        try a.run { _ in }
        try b.run { _ in }
        try c.run { _ in }
        #expect(a.weights == b.weights && a.weights != c.weights)
    }

    @Test func jpegRoundTripMatchesLibjpegQualitySemantics() {
        let img = Self.photos[0].planar
        let q95 = ImageOps.jpeg(img, height: 120, width: 160, quality: 95),
            q20 = ImageOps.jpeg(img, height: 120, width: 160, quality: 20)
        func err(_ x: [Float]) -> Float { zip(x, img).map { abs($0 - $1) }.reduce(0, +) / Float(img.count) }
        #expect(err(q95) < err(q20) && err(q95) > 0)
    }
}
