import SharpFrames

/// One frame-to-frame processing step (sharpening, bypass...).
///
/// Invariant: `process` writes every pixel of `output` (same format as `input`), copies the
/// input's metadata, never allocates after the first call for a given format, and never
/// fails: any frame is valid input.
public protocol FrameProcessor: AnyObject {
    /// Short name for logs and status, in the user's terms ("nn (built-in model, int8,
    /// strength 1)", "classic (…)", "bypass"), as it reads with `strength`. Reads only what
    /// `process` never changes, so any thread may ask while a frame is being processed.
    func name(strength: Float) -> String
    /// How much of the correction is applied, 0...1 (bypass ignores it). Set between frames
    /// (`sharpcamd ctl set strength`); the next frame uses the new value.
    var strength: Float { get set }
    func process(_ input: Frame, into output: Frame)
}

extension FrameProcessor {
    /// The name with the strength in use.
    public var name: String { name(strength: strength) }
}

/// How `sharpcamd` treats frames.
public enum ProcessingMode: String, Sendable, CaseIterable {
    /// Unsharp mask on luma: the cheap tier that always works.
    case classic
    /// Frames pass through untouched (for comparisons and troubleshooting).
    case bypass
    /// A neural network from a weights file.
    case nn
}

/// Copies frames unchanged.
public final class BypassProcessor: FrameProcessor {
    public var strength: Float = 1
    public init() {}
    public func name(strength: Float) -> String { "bypass" }
    public func process(_ input: Frame, into output: Frame) {
        if output !== input { output.copy(from: input) }
    }
}
