import Foundation
import SharpNet
import SharpSupport

/// Everything that determines a training run (stored in checkpoints so `--resume` continues
/// the same run).
///
/// Invariant: `steps ≥ 1`, `batchSize ≥ 1`, `cropSize` a multiple of the architecture's stride
/// and ≥ 16.
public struct TrainingConfiguration: Codable, Sendable, Equatable {
    public var architecture: ArchitectureSpec
    public var recipe: DegradationRecipe
    public var loss: Loss
    public var steps: Int
    public var batchSize: Int
    public var cropSize: Int
    public var learningRate: Double
    public var finalLearningRateFraction: Double
    public var warmupSteps: Int
    public var weightDecay: Double
    public var gradientClip: Double
    public var seed: UInt64
    /// Knowledge distillation: weight α of L1(student, teacher luma); 0 disables.
    public var kdWeight: Double
    /// Teacher weights file for distillation (its path, as given).
    public var teacherPath: String?
    /// Which teacher that file held (`TrainingConfiguration.fingerprint`: architecture, size and
    /// FNV-1a 64 of its bytes), so that a report can say which teacher a student came from.
    public var teacher: String?
    public var validationEvery: Int
    /// The share of training crops given the seed's heavy blur in the webcam and camera mixes
    /// (nil: the recipe's 30 %); the webcam branch gets what the clean share (12 %) leaves.
    public var heavyBlurShare: Double?
    /// The share of the `camera-call` mix's webcam crops that take the `call` chain (nil: half,
    /// `PairGenerator.defaultCallShare`, as older checkpoints).
    public var callShare: Double?
    /// Students: round the training input's luma to 8-bit levels (full and limited range
    /// alternately), as the real-time engine sees frames (nil: off, as older checkpoints).
    public var quantizedLuma: Bool?

    public init(
        architecture: ArchitectureSpec, recipe: DegradationRecipe = .webcam, loss: Loss = .charbonnier, steps: Int,
        batchSize: Int = 16, cropSize: Int = 96, learningRate: Double = 2e-3, finalLearningRateFraction: Double = 0.02,
        warmupSteps: Int? = nil, weightDecay: Double = 0, gradientClip: Double = 1, seed: UInt64 = 1,
        kdWeight: Double = 0,
        teacherPath: String? = nil, validationEvery: Int = 200, heavyBlurShare: Double? = nil,
        quantizedLuma: Bool? = nil, callShare: Double? = nil
    ) {
        self.architecture = architecture
        self.recipe = recipe
        self.loss = loss
        self.steps = steps
        self.batchSize = batchSize
        self.cropSize = cropSize
        self.learningRate = learningRate
        self.finalLearningRateFraction = finalLearningRateFraction
        self.warmupSteps = warmupSteps ?? min(200, steps / 20)
        self.weightDecay = weightDecay
        self.gradientClip = gradientClip
        self.seed = seed
        self.kdWeight = kdWeight
        self.teacherPath = teacherPath
        self.validationEvery = validationEvery
        self.heavyBlurShare = heavyBlurShare
        self.quantizedLuma = quantizedLuma
        self.callShare = callShare
    }

    /// The mix's shares the run set itself, e.g. " (heavy blur 40 %, call share 25 %)"; empty
    /// when it kept the recipe's.
    public var mixNote: String {
        let shares = [("heavy blur", heavyBlurShare), ("call share", callShare)].compactMap { name, share in
            share.map { "\(name) \(Int(($0 * 100).rounded())) %" }
        }
        return shares.isEmpty ? "" : " (" + shares.joined(separator: ", ") + ")"
    }

    /// ", 8-bit luma input" when the student read 8-bit luma (`--quantized-luma`), else empty.
    public var inputNote: String { quantizedLuma == true ? ", 8-bit luma input" : "" }

    public var validationError: String? {
        if steps < 1 { return "--steps must be at least 1" }
        if batchSize < 1 { return "--batch must be at least 1" }
        if cropSize < 16 || cropSize % architecture.stride != 0 {
            return
                "--crop must be at least 16 and a multiple of \(architecture.stride) for \(architecture.kind.rawValue)"
        }
        if cropSize < 11 && loss == .seed { return "the seed loss (SSIM) needs crops of at least 11 pixels" }
        if kdWeight > 0 && teacherPath == nil { return "--kd-weight needs --teacher" }
        if kdWeight > 0 && architecture.kind != .student { return "distillation trains a student" }
        if kdWeight > 0 && architecture.usesChroma { return "distillation trains luma students (not ':chroma')" }
        if learningRate <= 0 { return "--lr must be positive" }
        if let h = heavyBlurShare, !(0...(1 - PairGenerator.cleanShare)).contains(h) {
            return "--heavy-blur-share must be between 0 and \(1 - PairGenerator.cleanShare)"
        }
        if let c = callShare {
            if !(0...1).contains(c) { return "--call-share must be between 0 and 1" }
            if recipe != .cameraCall { return "--call-share applies to the camera-call degradation only" }
        }
        return nil
    }
}

/// One point of the training curve.
public struct TrainingRecord: Codable, Sendable, Equatable {
    public var step: Int
    public var loss: Double
    /// PSNR (dB) of the network on the validation crops, and of the degraded input.
    public var validationPSNR: Double?
    public var identityPSNR: Double?
    public var samplesPerSecond: Double
}

extension TrainingConfiguration {
    /// "ARCH, N bytes, fnv1a64 HEX" of a weights file: names a teacher whatever its path.
    public static func fingerprint(ofFile path: String, architecture: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw SharpCamError("cannot read the teacher", subject: path)
        }
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        for b in data { h = (h ^ UInt64(b)) &* 0x100_0000_01B3 }
        return "\(architecture), \(data.count) bytes, fnv1a64 \(String(h, radix: 16))"
    }
}
