import Logging
import SharpFrames
import SharpSupport

/// The processing stage: takes the newest captured frame from the input ring, runs the
/// processor (the network spreads its work over both cores), and publishes the result into
/// the output ring (capacity 1: newest wins, so a slow stage drops frames instead of
/// queueing them). The processor and its strength can be changed at any time (`ctl set`,
/// SIGHUP reload): the next frame uses them.
///
/// Invariant: one thread calls `run()`; it returns after `stop()` (which closes the input
/// ring) or when the input ring is closed otherwise. `lock` is never held while a frame is
/// processed, only while the next frame's processor and strength are taken and while a
/// snapshot is copied, so a control request, a status or a live view never waits for a
/// frame (a lock held across frames starved them for seconds on a loaded machine).
public final class ProcessingService: Service, @unchecked Sendable {
    public let name = "processing"
    private let input: FrameRing
    private let output: FrameRing
    private let statistics: LiveStatistics
    private let logger: Logger
    private let lock = ConditionLock()
    /// What the next frame runs with. The processor's own `strength` is set from it by
    /// `run()`'s thread, the only one that processes frames.
    private var wanted: (processor: FrameProcessor, strength: Float)
    /// A pending snapshot: the next processed frame's input and output are copied into these.
    private var snapshot: (input: Frame, output: Frame, done: Bool)?

    public init(
        input: FrameRing, output: FrameRing, processor: FrameProcessor, statistics: LiveStatistics, logger: Logger
    ) {
        self.input = input
        self.output = output
        self.statistics = statistics
        self.logger = logger
        wanted = (processor, processor.strength)
    }

    /// Replaces the processor (with its own strength); a frame being processed finishes with the old one.
    public func replaceProcessor(_ p: FrameProcessor) {
        lock.withLock { wanted = (p, p.strength) }
    }

    /// The name of what the next frame runs with.
    public var processorName: String { lock.withLock { wanted.processor.name(strength: wanted.strength) } }

    /// Sets the strength; the next frame uses it (a frame being processed finishes with the old value).
    public func setStrength(_ strength: Float) { lock.withLock { wanted.strength = strength } }

    /// Copies of the next frame processed within `timeoutNanos`: its input and its output
    /// (frames allocated here, by the caller's thread; the frame path only copies into them).
    public func snapshot(format: FrameFormat, timeoutNanos: UInt64) -> (input: Frame, output: Frame)? {
        let request = (input: Frame(format: format), output: Frame(format: format), done: false)
        let deadline = monotonicNanos() + timeoutNanos
        return lock.withLock { () -> (input: Frame, output: Frame)? in
            snapshot = request
            while snapshot?.done == false {
                if !lock.wait(untilMonotonicNanos: deadline) { break }
            }
            defer { snapshot = nil }
            return snapshot?.done == true ? (request.input, request.output) : nil
        }
    }

    /// Closes the input ring: the capture stage is stopped first, so nothing is lost.
    public func stop() { input.close() }

    public func run() throws {
        while true {
            switch input.acquireForReading(timeoutNanos: 500_000_000) {
            case .closed: return
            case .timedOut: continue
            case .frame(let frame):
                let start = monotonicNanos()
                if frame.timestamp > 0 && UInt64(frame.timestamp) < start {
                    statistics.queueing.record(nanoseconds: start - UInt64(frame.timestamp))
                }
                let out = output.acquireForWriting()
                let processor = lock.withLock { () -> FrameProcessor in
                    let p = wanted.processor
                    if p.strength != wanted.strength { p.strength = wanted.strength }
                    return p
                }
                processor.process(frame, into: out)
                out.copyMetadata(from: frame)
                lock.withLock {
                    if let s = snapshot, !s.done, s.input.format == frame.format {
                        s.input.copy(from: frame)
                        s.output.copy(from: out)
                        snapshot!.done = true
                        lock.broadcast()
                    }
                }
                input.release(frame)
                output.publish(out)
                statistics.processing.record(nanoseconds: monotonicNanos() - start)
                statistics.processed.increment()
            }
        }
    }
}
