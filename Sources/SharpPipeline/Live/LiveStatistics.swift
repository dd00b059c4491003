import SharpFrames

/// Counters and latency windows shared by the live stages; read by the periodic report.
///
/// Invariant: every member is thread-safe (atomics and locked windows).
public final class LiveStatistics: Sendable {
    public let captured = Counter()
    public let skipped = Counter()
    public let processed = Counter()
    public let written = Counter()
    public let repeated = Counter()
    public let placeholders = Counter()
    public let outputDrops = Counter()
    /// Time spent in the processor per frame.
    public let processing = LatencyRecorder("processing")
    /// Capture timestamp to hand-over to the loopback.
    public let endToEnd = LatencyRecorder("end-to-end")
    /// Waiting in the ring before processing started.
    public let queueing = LatencyRecorder("ring wait")
    /// Handing a frame to the output (loopback, PipeWire, null).
    public let output = LatencyRecorder("output")

    public init() {}

    /// Latency windows, for a measurement that starts now (counters keep counting).
    public var recorders: [LatencyRecorder] { [queueing, processing, output, endToEnd] }
}
