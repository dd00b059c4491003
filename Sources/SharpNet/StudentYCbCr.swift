/// The colour planes a chroma student (`ArchitectureSpec.usesChroma`) reads and writes:
/// full-range BT.601 on values in [0, 1], Cb and Cr offset by 0.5 (as 8-bit chroma is by 128).
///
/// Invariant: the trainer's tensors (`NetworkTensors`) and the frame runner
/// (`NetworkFrameRunner`) both convert through these two functions, so a network sees in
/// inference exactly the planes it was trained on; `inverse` undoes `forward` up to float
/// rounding.
public enum StudentYCbCr {
    @inlinable
    public static func forward(r: Float, g: Float, b: Float) -> (y: Float, cb: Float, cr: Float) {
        let y = 0.299 * r + 0.587 * g + 0.114 * b
        return (y, 0.564 * (b - y) + 0.5, 0.713 * (r - y) + 0.5)
    }

    @inlinable
    public static func inverse(y: Float, cb: Float, cr: Float) -> (r: Float, g: Float, b: Float) {
        let r = y + (cr - 0.5) / 0.713, b = y + (cb - 0.5) / 0.564
        return (r, (y - 0.299 * r - 0.114 * b) / 0.587, b)
    }
}
