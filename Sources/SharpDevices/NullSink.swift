import SharpFrames

/// Accepts frames and discards them (output "null").
public final class NullSink: LiveSink, @unchecked Sendable {
    public let name = "null"
    public let format: FrameFormat
    public let frameRate: Rational
    public let dropped = 0
    public private(set) var written = 0
    /// Checksum of the last frame's luma samples (lets tests see what went out).
    public private(set) var lastChecksum: UInt64 = 0

    public init(format: FrameFormat, frameRate: Rational) {
        self.format = format
        self.frameRate = frameRate
    }

    public func write(_ frame: Frame) throws {
        precondition(frame.format == format, "NullSink: frame \(frame.format) != \(format)")
        var h: UInt64 = 0xCBF2_9CE4_8422_2325
        let p = frame.planes[0]
        for y in stride(from: 0, to: p.rows, by: 7) {
            let r = p.row(y)
            for x in stride(from: 0, to: p.rowBytes, by: 13) { h = (h ^ UInt64(r[x])) &* 0x100_0000_01B3 }
        }
        lastChecksum = h
        written += 1
    }
}
