import SharpFrames

/// Where the live pipeline's frames go: a v4l2loopback device, a PipeWire camera node, several
/// of them (`SinkGroup`), or nowhere (`NullSink`, for measurements and tests on machines
/// without either).
///
/// Invariant: `format` is fixed for the sink's life; `write` returns promptly.
public protocol LiveSink: AnyObject {
    var name: String { get }
    var format: FrameFormat { get }
    var frameRate: Rational { get }
    /// Frames that could not be handed over in time.
    var dropped: Int { get }
    /// Apps using the output now, when the sink itself knows (PipeWire links); nil when it is
    /// counted elsewhere (the loopback's `ConsumerWatcher`) or not at all.
    var consumers: Int? { get }
    func write(_ frame: Frame) throws
}

extension LiveSink {
    public var consumers: Int? { nil }
}

extension LoopbackSink: LiveSink {
    public var name: String { device.path }
}

/// Several outputs fed the same processed frame (`output = /dev/video10, pipewire`).
///
/// Invariant: every member has the group's format and rate; a write goes to each member in
/// order, and the first member's error is thrown after the others were written.
public final class SinkGroup: LiveSink, @unchecked Sendable {
    public let sinks: [LiveSink]
    public let format: FrameFormat
    public let frameRate: Rational

    public init(_ sinks: [LiveSink]) {
        precondition(!sinks.isEmpty, "SinkGroup needs at least one sink")
        self.sinks = sinks
        format = sinks[0].format
        frameRate = sinks[0].frameRate
    }

    public var name: String { sinks.map(\.name).joined(separator: ", ") }
    public var dropped: Int { sinks.reduce(0) { $0 + $1.dropped } }
    public var consumers: Int? {
        let known = sinks.compactMap(\.consumers)
        return known.isEmpty ? nil : known.reduce(0, +)
    }

    public func write(_ frame: Frame) throws {
        var failure: Error?
        for s in sinks {
            do { try s.write(frame) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }
}
