import Logging
import SharpFrames
import SharpSupport

/// The processing stage: takes the newest captured frame from the input ring, runs the
/// processor (the network spreads its work over both cores), and publishes the result into
/// the output ring (capacity 1: newest wins, so a slow stage drops frames instead of
/// queueing them). The processor can be replaced at any time (SIGHUP reload).
///
/// Invariant: one thread calls `run()`; it returns after `stop()` (which closes the input
/// ring) or when the input ring is closed otherwise.
public final class ProcessingService: Service, @unchecked Sendable {
    public let name = "processing"
    private let input: FrameRing
    private let output: FrameRing
    private let statistics: LiveStatistics
    private let logger: Logger
    private let lock = ConditionLock()
    private var processor: FrameProcessor

    public init(
        input: FrameRing, output: FrameRing, processor: FrameProcessor, statistics: LiveStatistics, logger: Logger
    ) {
        self.input = input
        self.output = output
        self.statistics = statistics
        self.logger = logger
        self.processor = processor
    }

    public func replaceProcessor(_ p: FrameProcessor) {
        lock.withLock { processor = p }
    }

    public var processorName: String { lock.withLock { processor.name } }

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
                lock.withLock { processor.process(frame, into: out) }
                out.copyMetadata(from: frame)
                input.release(frame)
                output.publish(out)
                statistics.processing.record(nanoseconds: monotonicNanos() - start)
                statistics.processed.increment()
            }
        }
    }
}
