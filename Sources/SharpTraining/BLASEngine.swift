import SharpNet

/// Fast FP32 inference (im2col + OpenBLAS) for evaluation and distillation: the training
/// engine's forward pass behind the `TensorEngine` protocol, so `NetworkFrameRunner` can use
/// it in place of the reference engine.
///
/// Invariant: computes what `ReferenceEngine` computes (to float rounding); one thread at a time.
public final class BLASEngine: TensorEngine {
    public let spec: ArchitectureSpec
    private let effective: [String: Tensor]
    private let pass: TrainingPass

    public init(weights: Weights) {
        let collapsed = weights.collapsed()
        spec = collapsed.spec
        effective = collapsed.tensors
        pass = TrainingPass(graph: NetworkGraph(spec))
    }

    public func forward(_ input: Tensor) -> Tensor {
        pass.forward(input, weights: effective, keep: false)
    }
}
