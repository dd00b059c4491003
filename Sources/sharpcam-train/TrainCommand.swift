import ArgumentParser
import Foundation
import SharpNet
import SharpSupport
import SharpTraining

extension DegradationRecipe: ExpressibleByArgument {}
extension Loss: ExpressibleByArgument {}

struct Train: TrainToolCommand {
    static let configuration = CommandConfiguration(
        abstract: "Train a network on photos (checkpoints resume exactly; runs are deterministic for a seed).",
        discussion: """
            The model is written to --out when training ends; a checkpoint with the optimizer state is
            kept beside it (OUT.checkpoint) every --checkpoint-every steps and when a run stops
            (--stop-after, Ctrl-C). --resume continues from that checkpoint with its stored settings.
            """)

    @Option(help: "Architecture: seed-unet | teacher[:W,...] | student[:W,...][:cN][:maps|:nomaps][:plain].")
    var arch: ArchitectureSpec?

    @Option(help: "Folder of training photos (PNG/JPEG).")
    var data: String

    @Option(help: "Folder of validation photos (never trained on).")
    var val: String?

    @Option(help: "Output weights file (.scw).")
    var out: String

    @Option(help: "Total optimisation steps.")
    var steps: Int = 2000

    @Option(help: "Crops per step.")
    var batch: Int = 16

    @Option(help: "Crop side in pixels.")
    var crop: Int = 96

    @Option(help: "Peak learning rate (warm-up, then cosine decay to 2 % of it).")
    var lr: Double = 2e-3

    @Option(help: "AdamW weight decay (0: Adam).")
    var weightDecay: Double = 0

    @Option(help: "Clip the global gradient norm to this (0: off).")
    var clip: Double = 1

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Loss: seed (0.4·MSE + 0.6·(1−SSIM)), charbonnier, l1, mse.")
    var loss: Loss = .charbonnier

    @Option(
        help:
            """
            Degradation: seed (Gaussian 21×21 σ 2.5, CLAHE, 256×256), webcam (blur, noise, JPEG, scaling, clean \
            share), camera (webcam with noise on every webcam-branch crop and JPEG on most), call (a webcam in a \
            video call: blur, motion blur, Poisson-Gaussian noise, ISP sharpening, lower resolution, H.264) or \
            camera-call (camera with a share of its webcam crops by the call chain, --call-share).
            """
    )
    var degradation: DegradationRecipe = .webcam

    @Option(help: "Share of crops with the seed's heavy blur in the webcam/camera mixes (default 0.30).")
    var heavyBlurShare: Double?

    @Option(help: "Share of the camera-call mix's webcam crops that take the call chain (default 0.5).")
    var callShare: Double?

    @Flag(help: "Students: round the input luma to 8-bit levels (full/limited range) as the real-time engine sees it.")
    var quantizedLuma = false

    @Option(help: "Teacher weights for knowledge distillation.")
    var teacher: String?

    @Option(help: "Distillation weight α: loss = task + α·L1(student, teacher luma).")
    var kdWeight: Double = 0

    @Option(help: "Write a checkpoint every N steps (0: only at the end of the run).")
    var checkpointEvery: Int = 500

    @Option(help: "Validate every N steps (for the training curve).")
    var validateEvery: Int = 200

    @Option(help: "Stop this run after step N (the schedule still spans --steps); resume later.")
    var stopAfter: Int?

    @Option(
        name: .customLong("init"),
        help: "Start from this model (fine-tuning: same architecture, training form) instead of He initialisation.")
    var initial: String?

    @Flag(help: "Continue from OUT.checkpoint with its stored settings.")
    var resume = false

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int = ProcessInfo.processInfo.activeProcessorCount

    @Flag(name: .shortAndLong, help: "No progress bar.")
    var quiet = false

    var checkpointPath: String { out + ".checkpoint" }

    var interruptedMessage: String {
        "interrupted; the checkpoint \(checkpointPath) has the progress (--resume continues)"
    }

    func execute() throws {
        let photos = try PhotoLibrary.load(data)
        let validation = try val.map(PhotoLibrary.load) ?? []
        var resumeState: TrainingCheckpoint?
        var config: TrainingConfiguration
        if resume {
            let checkpoint = try TrainingCheckpoint.load(checkpointPath)
            config = checkpoint.configuration!
            resumeState = checkpoint
        } else {
            guard let arch else { throw SharpCamError("--arch is required (unless --resume)") }
            config = TrainingConfiguration(
                architecture: arch, recipe: degradation, loss: loss, steps: steps, batchSize: batch, cropSize: crop,
                learningRate: lr, weightDecay: weightDecay, gradientClip: clip, seed: seed, kdWeight: kdWeight,
                teacherPath: teacher, validationEvery: validateEvery, heavyBlurShare: heavyBlurShare,
                quantizedLuma: quantizedLuma ? true : nil, callShare: callShare)
            if let problem = config.validationError { throw SharpCamError(problem) }
        }
        let teacherWeights = try config.teacherPath.map { try WeightsFile.load($0, expecting: .teacher) }
        if let path = config.teacherPath, let t = teacherWeights, config.teacher == nil {
            config.teacher = try TrainingConfiguration.fingerprint(ofFile: path, architecture: t.spec.argument)
        }
        if let t = teacherWeights, config.kdWeight > 0, t.spec.kind == .seedUNet {
            throw SharpCamError("the teacher must be a `teacher` network")
        }
        if resume && initial != nil {
            throw SharpCamError("--init starts a new run; --resume continues one: use one of them")
        }
        let initialWeights = try initial.map { try WeightsFile.load($0) }
        let trainer = try Trainer(
            config: config, photos: photos, validationPhotos: validation, teacher: teacherWeights,
            resume: resumeState, initial: initialWeights, initialName: initial ?? "", workers: threads)
        StandardError.write(
            """
            sharpcam-train: \(resume ? "resuming" : "training") \(config.architecture) at step \(trainer.step) of \
            \(config.steps); \(photos.count) training photos, \(validation.count) validation photos; batch \
            \(config.batchSize) × \(config.cropSize)², \(config.recipe.rawValue) \
            degradation\(config.mixNote), \
            \(config.loss.rawValue) loss\(config.inputNote)\
            \(config.kdWeight > 0 ? ", distillation α \(config.kdWeight)" : "")\n
            """
        )
        let flag = CancellationFlag()
        let signals = SignalWatcher(cancelling: flag)
        defer { signals.cancel() }
        let progress = ProgressBar(
            total: config.steps, label: config.architecture.kind.rawValue, units: .steps, enabled: !quiet)
        let start = monotonicNanos()
        let startStep = trainer.step
        do {
            try trainer.run(
                stopAt: stopAfter, checkpointEvery: checkpointEvery, progress: progress, cancellation: flag,
                log: { line in if quiet || !progress.isEnabled { StandardError.write("sharpcam-train: \(line)\n") } }
            ) { t in
                try t.snapshot().write(to: checkpointPath)
            }
        } catch is CancelledError {
            progress.finish()
            try trainer.snapshot().write(to: checkpointPath)
            throw CancelledError()
        }
        progress.finish()
        let seconds = monotonicSeconds(since: start)
        let done = trainer.step - startStep
        let rate = Double(done * config.batchSize) / max(seconds, 1e-9)
        if trainer.step >= config.steps {
            try WeightsFile.write(trainer.snapshot().weights, to: out)
            StandardError.write(
                """
                sharpcam-train: wrote \(out) after \(trainer.step) steps (\(String(format: "%.0f", seconds)) s \
                this run, \(String(format: "%.1f", rate)) samples/s)\n
                """
            )
        } else {
            StandardError.write(
                """
                sharpcam-train: stopped at step \(trainer.step) of \(config.steps) \
                (\(String(format: "%.1f", rate)) samples/s); continue with --resume\n
                """
            )
        }
        if let last = trainer.history.last, let v = last.validationPSNR, let i = last.identityPSNR {
            StandardError.write(
                "sharpcam-train: validation \(String(format: "%.2f", v)) dB vs input \(String(format: "%.2f", i)) dB\n")
        }
    }
}
