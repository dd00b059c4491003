import Dispatch
import Foundation
import SharpNet
import SharpSupport

/// Trains a network: batches of generated pairs, forward and backward over both cores,
/// optional distillation from a teacher, AdamW, checkpoints that resume exactly.
///
/// Determinism: pair (step, i) comes from `PairGenerator` keyed by (seed, step, i); batch item
/// i is always handled by worker i·W/B with a fixed reduction order; OpenBLAS runs one thread
/// per worker. The same configuration therefore gives bit-identical weights, in one run or
/// split across `--resume`s. During a step the workers only read the trainer's state (hence
/// `@unchecked Sendable`); it changes between steps, on the calling thread.
public final class Trainer: @unchecked Sendable {
    public let config: TrainingConfiguration
    public private(set) var weights: Weights
    public private(set) var optimizer: AdamW
    public private(set) var step: Int
    public private(set) var history: [TrainingRecord]
    private let generator: PairGenerator
    private let teacher: Weights?
    private let validation: [TrainingPair]
    private let workers: Int

    /// - Parameters:
    ///   - resume: a checkpoint to continue (weights, optimizer state, step, history).
    ///   - initial: start from these weights (fine-tuning; same architecture) instead of He
    ///     initialisation, with a fresh optimizer and schedule; `initialName` says where from.
    public init(
        config: TrainingConfiguration, photos: [RGBImage], validationPhotos: [RGBImage], teacher: Weights?,
        resume: TrainingCheckpoint? = nil, initial: Weights? = nil, initialName: String = "",
        workers: Int = 2
    ) throws {
        self.config = config
        self.teacher = teacher.map { $0.collapsed() }
        self.workers = max(1, min(workers, config.batchSize))
        generator = PairGenerator(
            photos: photos, recipe: config.recipe, cropSize: config.cropSize, seed: config.seed,
            heavyBlurShare: config.heavyBlurShare ?? PairGenerator.defaultHeavyBlurShare,
            callShare: config.callShare ?? PairGenerator.defaultCallShare)
        // Fixed validation crops: the centre 256×256 (stride-aligned) of each photo, webcam-degraded
        // with a fixed seed.
        let vgen = PairGenerator(
            photos: validationPhotos.isEmpty ? photos : validationPhotos,
            recipe: config.recipe == .seed ? .seed : .webcam,
            cropSize: min(256, config.cropSize * 2) / config.architecture.stride * config.architecture.stride,
            seed: 0xBA1)
        validation = (0..<min(12, max(4, validationPhotos.count))).map { vgen.pair(step: 0, index: $0) }
        if let resume {
            guard resume.weights.spec == config.architecture else {
                throw SharpCamError(
                    "the checkpoint holds \(resume.weights.spec), the run trains \(config.architecture)")
            }
            weights = resume.weights
            var adam = AdamW(weightDecay: config.weightDecay)
            adam.restore(resume.optimizerState)
            optimizer = adam
            step = resume.step
            history = resume.history
        } else if let initial {
            guard initial.spec == config.architecture else {
                throw SharpCamError(
                    """
                    \(initialName) holds \(initial.spec), the run trains \(config.architecture) (fine-tuning \
                    needs the same architecture in training form)
                    """
                )
            }
            weights = Weights(
                spec: initial.spec, tensors: initial.tensors, metadata: ["init": "fine-tuned from \(initialName)"])
            optimizer = AdamW(weightDecay: config.weightDecay)
            step = 0
            history = []
        } else {
            weights = Weights.trainingStart(config.architecture, seed: config.seed)
            optimizer = AdamW(weightDecay: config.weightDecay)
            step = 0
            history = []
        }
    }

    // MARK: One step

    /// Loss and effective-weight gradients of batch items `range` at `step`.
    private func work(
        _ range: Range<Int>, step: Int, effective: [String: Tensor], teacherEffective: [String: Tensor]?,
        pass: TrainingPass, teacherPass: TrainingPass?
    ) -> (Double, [String: Tensor]) {
        let spec = config.architecture
        var grads: [String: Tensor] = [:]
        var lossSum = 0.0
        for i in range {
            let pair = generator.pair(step: step, index: i)
            let n = pair.size
            // The engine's luma is 8-bit: full range (RGB and full-range frames) or limited
            // range (cameras), alternately.
            let levels: Float? = config.quantizedLuma == true ? ((step + i) % 2 == 0 ? 255 : 219) : nil
            let x = NetworkTensors.input(spec, rgb: pair.degraded, height: n, width: n, lumaLevels: levels)
            let y = pass.forward(x, weights: effective)
            let (y01, scale) = NetworkTensors.unitRange(spec, y)
            let (t01, _) = NetworkTensors.unitRange(
                spec, NetworkTensors.target(spec, rgb: pair.sharp, height: n, width: n))
            var (loss, g) = config.loss.evaluate(y01, t01)
            if let teacherPass, let teacherEffective, config.kdWeight > 0 {
                let tx = NetworkTensors.input(teacher!.spec, rgb: pair.degraded, height: n, width: n)
                let to = teacherPass.forward(tx, weights: teacherEffective, keep: false)
                let tRGB = to.data.map { min(max(($0 + 1) / 2, 0), 1) }
                let tLuma = Tensor(shape: [1, n, n], data: ImageOps.luma(tRGB, height: n, width: n))
                let (kd, gk) = Loss.l1.evaluate(y01, tLuma)
                loss += config.kdWeight * kd
                for j in g.data.indices { g.data[j] += Float(config.kdWeight) * gk.data[j] }
            }
            for j in g.data.indices { g.data[j] *= scale }
            lossSum += loss
            pass.backward(g, weights: effective, grads: &grads)
        }
        return (lossSum, grads)
    }

    /// Runs training steps until `config.steps` (or `stopAt`), calling `checkpoint` every
    /// `checkpointEvery` steps and at the end.
    public func run(
        stopAt: Int? = nil, checkpointEvery: Int = 0, progress: ProgressBar? = nil,
        cancellation: CancellationFlag? = nil,
        log: (String) -> Void = { _ in }, checkpoint: (Trainer) throws -> Void
    ) throws {
        let spec = config.architecture
        let graph = NetworkGraph(spec)
        let passes = (0..<workers).map { _ in TrainingPass(graph: graph) }
        let teacherPasses: [TrainingPass]? = teacher.map { t in
            (0..<workers).map { _ in TrainingPass(graph: NetworkGraph(t.spec)) }
        }
        let teacherEffective = teacher?.tensors
        let end = min(stopAt ?? config.steps, config.steps)
        let b = config.batchSize
        var windowLoss = 0.0, windowSteps = 0
        var windowStart = monotonicNanos()
        while step < end {
            if cancellation?.isCancelled == true { throw CancelledError() }
            let s = step + 1
            let effective = weights.collapsed().tensors
            nonisolated(unsafe) var results = [(Double, [String: Tensor])](repeating: (0, [:]), count: workers)
            DispatchQueue.concurrentPerform(iterations: workers) { wk in
                let range = (wk * b / workers)..<((wk + 1) * b / workers)
                results[wk] = work(
                    range, step: s, effective: effective, teacherEffective: teacherEffective,
                    pass: passes[wk], teacherPass: teacherPasses?[wk])
            }
            var grads = results[0].1
            var loss = results[0].0
            for wk in 1..<workers {
                loss += results[wk].0
                for (k, t) in results[wk].1 {
                    if var g = grads[k] {
                        for j in g.data.indices { g.data[j] += t.data[j] }; grads[k] = g
                    } else {
                        grads[k] = t
                    }
                }
            }
            for k in grads.keys { for j in grads[k]!.data.indices { grads[k]!.data[j] /= Float(b) } }
            var trainingGrads = RepConvGradient.trainingGradients(grads, weights: weights)
            AdamW.clip(&trainingGrads, maxNorm: config.gradientClip)
            let lr = AdamW.learningRate(
                step: s, total: config.steps, base: config.learningRate, warmup: config.warmupSteps,
                finalFraction: config.finalLearningRateFraction)
            var params = weights.tensors
            optimizer.update(&params, grads: trainingGrads, step: s, lr: lr)
            weights.tensors = params
            step = s
            windowLoss += loss / Double(b)
            windowSteps += 1
            progress?.update(done: step, detail: "loss \(String(format: "%.5f", windowLoss / Double(windowSteps)))")
            let validateNow = config.validationEvery > 0 && (step % config.validationEvery == 0 || step == end)
            if validateNow {
                let elapsed = monotonicSeconds(since: windowStart)
                let (psnr, identity) = validate()
                let record = TrainingRecord(
                    step: step, loss: windowLoss / Double(windowSteps), validationPSNR: psnr, identityPSNR: identity,
                    samplesPerSecond: Double(windowSteps * b) / max(elapsed, 1e-9))
                history.append(record)
                log(
                    """
                    step \(step): loss \(String(format: "%.5f", record.loss)), validation \
                    \(String(format: "%.2f", psnr)) dB (input \(String(format: "%.2f", identity)) dB), \
                    \(String(format: "%.1f", record.samplesPerSecond)) samples/s
                    """
                )
                windowLoss = 0; windowSteps = 0; windowStart = monotonicNanos()
            }
            if checkpointEvery > 0 && step % checkpointEvery == 0 && step < end { try checkpoint(self) }
        }
        try checkpoint(self)
    }

    /// PSNR (dB, on the network's output channels) of the current net and of the degraded
    /// input on the fixed validation crops.
    public func validate() -> (Double, Double) {
        let spec = config.architecture
        let pass = TrainingPass(graph: NetworkGraph(spec))
        let effective = weights.collapsed().tensors
        var se = 0.0, seIdentity = 0.0, count = 0.0
        for pair in validation {
            let n = pair.size
            let y = NetworkTensors.unitRange(
                spec,
                pass.forward(
                    NetworkTensors.input(spec, rgb: pair.degraded, height: n, width: n), weights: effective, keep: false
                )
            ).tensor
            let t = NetworkTensors.unitRange(spec, NetworkTensors.target(spec, rgb: pair.sharp, height: n, width: n))
                .tensor
            let d = NetworkTensors.unitRange(spec, NetworkTensors.target(spec, rgb: pair.degraded, height: n, width: n))
                .tensor
            for i in y.data.indices {
                let e = Double(min(max(y.data[i], 0), 1) - t.data[i]), ei = Double(d.data[i] - t.data[i])
                se += e * e
                seIdentity += ei * ei
            }
            count += Double(y.count)
        }
        func psnr(_ s: Double) -> Double { PSNR.decibels(meanSquaredError: s / count, peak: 1) }
        return (psnr(se), psnr(seIdentity))
    }

    /// The run so far: the weights with the run's metadata and the optimiser state, ready to
    /// save (`checkpoint.weights` alone is the finished model).
    public func snapshot() -> TrainingCheckpoint {
        TrainingCheckpoint(
            weights: weights, optimizerState: optimizer.state, step: step, configuration: config, history: history)
    }
}
