import CSharpKernels
import SharpFrames

/// Temporal stability for a sharpening network (issue 16): a motion-gated recursive filter on
/// luma (`sc_temporal_luma`, C loops per instruction set). Where the input does not change beyond its noise, the input
/// and the network's correction are averaged over frames (a new frame weighs 1/4), so sensor
/// noise amplified by sharpening no longer flickers; where it does change, the output follows
/// at once. The noise floor is measured per frame (the median motion).
///
/// Invariant: deterministic given the frame sequence (integer arithmetic); the first frame
/// after `init`, `reset()` or a size change passes through unchanged, and a static scene
/// converges to exactly the network's output for it. Holds its state between frames: one
/// filter per stream, frames of one size at a time.
public final class TemporalFilter {
    private var state: OpaquePointer?
    private var width = 0, height = 0

    private let isa: sc_temporal_isa

    /// Which copy of the loops runs: the CPU's best, or a given one (falls back to what the
    /// CPU has); `portable` is the reference the others are tested against.
    public enum Kernels: Sendable { case best, avx512, avx2, portable }

    public init(kernels: Kernels = .best) {
        switch kernels {
        case .best: isa = SC_TEMPORAL_AUTO
        case .avx512: isa = SC_TEMPORAL_AVX512
        case .avx2: isa = SC_TEMPORAL_AVX2
        case .portable: isa = SC_TEMPORAL_REF
        }
    }

    /// The instruction set of the loops in use ("avx512", "avx2", "portable"; "" before a frame).
    public var kernelName: String { state.map { String(cString: sc_temporal_isa_name($0)) } ?? "" }

    deinit { sc_temporal_destroy(state) }

    /// Forget the past (a new stream, a new strength): the next frame passes through.
    public func reset() { if let state { sc_temporal_reset(state) } }

    /// Filters `output`'s luma (the network's result for `input`) in place. YUV frames only
    /// (pictures in RGB are stills: nothing to do).
    public func apply(input: Frame, output: Frame) {
        guard input.pixelFormat != .rgb24 else { return }
        precondition(input.format == output.format, "TemporalFilter: input and output formats differ")
        if state == nil || width != input.width || height != input.height {
            sc_temporal_destroy(state)
            state = sc_temporal_create_isa(Int32(input.width), Int32(input.height), isa)
            precondition(state != nil, "TemporalFilter: out of memory for \(input.width)x\(input.height)")
            width = input.width
            height = input.height
        }
        let i = input.lumaRow(0), o = output.lumaRow(0)
        sc_temporal_luma(
            state, i.base, i.step, input.planes[0].bytesPerRow, o.base, o.step, output.planes[0].bytesPerRow, 0, 255)
    }

    /// The last frame's noise floor: its median motion (mean |Δ| over 3×3, luma levels).
    public var noiseFloor: Double { state.map { Double(sc_temporal_noise_floor9($0)) / 9 } ?? 0 }
    /// The share of the last frame's pixels that were averaged (seen as static).
    public var staticShare: Double { state.map { sc_temporal_static_share($0) } ?? 0 }
}
