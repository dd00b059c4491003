import Foundation
import SharpNet
import SharpSupport

/// A training run's state: the weights with the run's settings, step and curve in their
/// metadata, plus the optimiser's moments. Written every few steps beside the output (OUT.checkpoint)
/// and when a run stops; `--resume` continues from it exactly.
///
/// Invariant: `weights.metadata` holds the fields under `Key` and nothing else of the trainer's;
/// reading what was written gives back equal fields.
public struct TrainingCheckpoint {
    /// The metadata keys of a trained or training model.
    public enum Key {
        public static let step = "trainer.step"
        public static let configuration = "trainer.config"
        public static let history = "trainer.history"
        public static let trained = "trained"
    }

    /// The weights, with the fields below in their metadata.
    public private(set) var weights: Weights
    /// The optimiser's state (empty in a finished model).
    public var optimizerState: [String: Tensor]
    /// Steps done.
    public var step: Int { Int(weights.metadata[Key.step] ?? "0") ?? 0 }
    /// The run's settings (nil: not written by the trainer).
    public var configuration: TrainingConfiguration? {
        weights.metadata[Key.configuration].flatMap {
            try? JSONDecoder().decode(TrainingConfiguration.self, from: Data($0.utf8))
        }
    }
    /// The training curve so far.
    public var history: [TrainingRecord] { Self.history(of: weights) }

    /// The checkpoint of a run at `step` of `configuration`.
    public init(
        weights: Weights, optimizerState: [String: Tensor], step: Int, configuration: TrainingConfiguration,
        history: [TrainingRecord]
    ) {
        var w = weights
        w.metadata[Key.step] = String(step)
        w.metadata[Key.configuration] = String(
            decoding: (try? JSONEncoder().encode(configuration)) ?? Data(), as: UTF8.self)
        w.metadata[Key.history] = String(decoding: (try? JSONEncoder().encode(history)) ?? Data(), as: UTF8.self)
        w.metadata[Key.trained] =
            step >= configuration.steps ? "yes" : "partial (\(step) of \(configuration.steps) steps)"
        self.weights = w
        self.optimizerState = optimizerState
    }

    private init(read weights: Weights, state: [String: Tensor]) {
        self.weights = weights
        optimizerState = state
    }

    /// Reads a checkpoint file; throws when it is not a training checkpoint.
    public static func load(_ path: String) throws -> TrainingCheckpoint {
        let (weights, state) = try WeightsFile.loadWithState(path)
        let checkpoint = TrainingCheckpoint(read: weights, state: state)
        guard checkpoint.configuration != nil else {
            throw SharpCamError("not a training checkpoint (no stored settings)", subject: path)
        }
        return checkpoint
    }

    /// Writes the checkpoint (with the optimiser state) to `path`.
    public func write(to path: String) throws {
        try WeightsFile.write(weights, to: path, state: optimizerState)
    }

    /// The training curve stored in a model's metadata (empty when it has none).
    public static func history(of weights: Weights) -> [TrainingRecord] {
        weights.metadata[Key.history].flatMap { try? JSONDecoder().decode([TrainingRecord].self, from: Data($0.utf8)) }
            ?? []
    }
}
