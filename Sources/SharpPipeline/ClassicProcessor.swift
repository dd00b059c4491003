import SharpFrames
import SharpImaging

/// The classic tier: unsharp mask on luma, chroma untouched, scaled by `strength`.
///
/// Invariant: one `UnsharpMask` per frame size, created on the first frame of that size.
public final class ClassicProcessor: FrameProcessor {
    public func name(strength: Float) -> String {
        "classic (σ \(settings.sigma), amount \(settings.amount), strength \(strength))"
    }
    public let settings: UnsharpMask.Settings
    public var strength: Float
    private var mask: UnsharpMask?

    public init(settings: UnsharpMask.Settings = .default, strength: Float = 1) {
        self.settings = settings
        self.strength = strength
    }

    public func process(_ input: Frame, into output: Frame) {
        if mask == nil || mask!.width != input.width || mask!.height != input.height {
            mask = UnsharpMask(width: input.width, height: input.height, settings: settings)
        }
        mask!.apply(input, strength: strength, into: output)
    }
}
