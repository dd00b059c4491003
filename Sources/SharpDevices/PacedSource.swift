import Glibc
import SharpFrames
import SharpMedia
import SharpSupport

/// A file, URL or generated clip played in real time: frames are released at the stream's
/// frame rate (30 fps when it states none), optionally looping at the end.
///
/// Invariant: frame k of a run is not returned before start + k / rate; timestamps are the
/// CLOCK_MONOTONIC release times.
public final class PacedSource: LiveSource {
    public let name: String
    public private(set) var info: StreamInfo
    private let open: () throws -> FrameSource
    private var source: FrameSource
    private let loop: Bool
    private let period: UInt64
    private var due: UInt64 = 0
    private var index: UInt64 = 0
    /// Damaged frames the file reader dropped (the output repeats the last good frame instead).
    public private(set) var damagedFrames = 0

    public init(name: String, loop: Bool, open: @escaping () throws -> FrameSource) throws {
        self.name = name
        self.open = open
        self.loop = loop
        source = try open()
        info = source.info
        let rate = info.frameRate ?? Rational(30, 1)
        period = UInt64(1e9 / max(rate.doubleValue, 1))
    }

    public func next(into frame: Frame, timeoutMillis: Int32) throws -> LiveRead {
        let now = monotonicNanos()
        if due == 0 { due = now }
        if due > now {
            sleepNanoseconds(min(due - now, UInt64(timeoutMillis) * 1_000_000))
            if due > monotonicNanos() { return .timeout }
        }
        let damagedBefore = source.damagedFrames
        defer { damagedFrames += max(0, source.damagedFrames - damagedBefore) }
        if !(try source.read(into: frame)) {
            guard loop else { return .ended }
            source = try open()
            guard source.info.format == info.format, try source.read(into: frame) else { return .ended }
        }
        due += period
        if due + 4 * period < monotonicNanos() { due = monotonicNanos() }  // fell far behind: do not burst
        frame.timestamp = Int64(monotonicNanos())
        frame.sequence = index
        index += 1
        return .frame
    }
}
