import SharpFrames

/// One frame-to-frame processing step (sharpening, bypass...).
///
/// Invariant: `process` writes every pixel of `output` (same format as `input`), copies the
/// input's metadata, never allocates after the first call for a given format, and never
/// fails: any frame is valid input.
public protocol FrameProcessor: AnyObject {
    /// Short name for logs and progress ("classic", "bypass"...).
    var name: String { get }
    func process(_ input: Frame, into output: Frame)
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
    public let name = "bypass"
    public init() {}
    public func process(_ input: Frame, into output: Frame) {
        if output !== input { output.copy(from: input) }
    }
}
