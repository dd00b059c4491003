import SharpFrames

/// Where the live pipeline's frames go: a v4l2loopback device, or nowhere (`NullSink`, for
/// measurements and tests on machines without the loopback driver).
///
/// Invariant: `format` is fixed for the sink's life; `write` returns promptly.
public protocol LiveSink: AnyObject {
    var name: String { get }
    var format: FrameFormat { get }
    var frameRate: Rational { get }
    /// Frames that could not be handed over in time.
    var dropped: Int { get }
    func write(_ frame: Frame) throws
}

extension LoopbackSink: LiveSink {
    public var name: String { device.path }
}
