import SharpFrames

/// What a source knows about its stream before the first frame.
///
/// Invariant: `format` is the layout of every frame the source delivers.
public struct StreamInfo: Sendable, Equatable, CustomStringConvertible {
    public var format: FrameFormat
    public var colorSpace: ColorSpace
    /// Average frame rate, when the container states one (nil for a still image).
    public var frameRate: Rational?
    /// Number of frames, when known in advance (container metadata or file size).
    public var frameCount: Int?
    /// True for a single still picture (PNG/JPEG...).
    public var isStillImage: Bool
    /// Name of the codec or container the frames come from, for messages.
    public var codecName: String

    public init(
        format: FrameFormat, colorSpace: ColorSpace, frameRate: Rational?, frameCount: Int?,
        isStillImage: Bool = false, codecName: String
    ) {
        self.format = format
        self.colorSpace = colorSpace
        self.frameRate = frameRate
        self.frameCount = frameCount
        self.isStillImage = isStillImage
        self.codecName = codecName
    }

    public var description: String {
        var s = "\(format) \(colorSpace) \(codecName)"
        if let frameRate { s += " @ \(frameRate) fps" }
        if let frameCount { s += ", \(frameCount) frames" }
        return s
    }
}

/// A producer of frames: a file, a camera, a generator. Reads fill frames the caller owns.
///
/// Invariant: every frame passed to `read(into:)` has `info.format`; after `read` returns
/// false (end of stream) or throws, no further frames are produced.
public protocol FrameSource: AnyObject {
    var info: StreamInfo { get }
    /// Fills `frame` with the next picture and its timestamp; false at the end of the stream.
    func read(into frame: Frame) throws -> Bool
    /// Frames skipped so far because they were damaged (lenient reading; strict reading throws).
    var damagedFrames: Int { get }
    /// Frames the stream declares but did not deliver (known at its end; lenient reading).
    var missingFrames: Int { get }
}

extension FrameSource {
    public var damagedFrames: Int { 0 }
    public var missingFrames: Int { 0 }
}

/// A consumer of frames that ends in a file or device.
///
/// Invariant: output becomes visible under its final name only through `finish()`; after
/// `abort()` (or a throwing `write`/`finish`) nothing is left behind.
public protocol FrameSink: AnyObject {
    func write(_ frame: Frame) throws
    /// Flushes and commits the output.
    func finish() throws
    /// Discards everything written so far.
    func abort()
}
