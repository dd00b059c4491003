import SharpFrames

/// A short clip decoded or rendered once and then played back and forth without end (frames
/// 0, 1, …, n−1, n−2, …, 1, 0, 1, …): the live demo costs a frame copy instead of rendering a
/// scene per frame. Motion reverses at the ends instead of jumping.
///
/// Invariant: holds exactly the first `count` frames of its source (fewer if the source ends
/// sooner, at least one); frame k of playback is a copy of one of them, with timestamps and
/// sequence numbers continuing.
public final class PrerenderedClip: FrameSource {
    public let info: StreamInfo
    private let frames: [Frame]
    private var position = 0

    /// Reads up to `count` frames of `source` now, converted to `format` (the consumer's, so
    /// playback needs no conversion; nil: the source's own).
    public init(_ source: FrameSource, count: Int, format: FrameFormat? = nil) throws {
        let target = format ?? source.info.format
        let resizer =
            target == source.info.format
            ? nil : try FrameResizer(from: source.info.format, to: target, colorSpace: source.info.colorSpace)
        let scratch = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
        var stored: [Frame] = []
        while stored.count < max(1, count) {
            let f = Frame(format: target, colorSpace: source.info.colorSpace)
            guard try source.read(into: resizer == nil ? f : scratch) else { break }
            if let resizer {
                resizer.resize(scratch, into: f)
                f.colorSpace = scratch.colorSpace
            }
            stored.append(f)
        }
        guard !stored.isEmpty else {
            throw MediaError(.corrupt, path: "generated clip", "the source delivered no frames")
        }
        frames = stored
        var i = source.info
        i.format = target
        i.frameCount = nil
        info = i
    }

    /// Frames held in memory.
    public var storedFrames: Int { frames.count }

    public func read(into frame: Frame) throws -> Bool {
        let n = frames.count, cycle = max(1, 2 * n - 2)
        let k = position % cycle
        let source = frames[k < n ? k : cycle - k]
        frame.copy(from: source)
        frame.colorSpace = source.colorSpace
        frame.sequence = UInt64(position)
        frame.timestamp = Int64(Double(position) * 1e9 / (info.frameRate?.doubleValue ?? 30))
        position += 1
        return true
    }
}
