import SharpFrames
import SharpNet

/// The `nn` tier: a network from a weights file run on every frame,
/// `out = in + strength · (net(in) − in)`.
///
/// Invariant: frames of any size and layout come out in the same size and layout.
public final class NetworkProcessor: FrameProcessor {
    public let name: String
    public let weights: Weights
    public let strength: Float
    private let runner: NetworkFrameRunner

    /// Uses the reference engine (exact, slow); the fused engine replaces it for students.
    public init(weights: Weights, strength: Float = 1) {
        self.weights = weights
        self.strength = strength
        name = "nn (\(weights.spec.kind.rawValue))"
        runner = NetworkFrameRunner(engine: ReferenceEngine(weights: weights.collapsed()))
    }

    public func process(_ input: Frame, into output: Frame) {
        runner.process(input, strength: strength, into: output)
    }
}
