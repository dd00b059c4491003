import Dispatch
import Foundation
import Logging
import SharpFrames
import SharpSupport
import SharpVideoIO

/// The live daemon: camera (or file) → FrameRing → processing → paced loopback output, with
/// on-demand camera use, hot-plug, statistics, systemd notification, reload and clean stop.
/// Shutdown and reload flow from one place: `requestStop()` / `requestReload()` (signals).
///
/// Invariant: the loopback is opened and configured before anything else and stays open until
/// `run()` returns; its format never changes in between.
public final class LiveDaemon: @unchecked Sendable {
    public private(set) var configuration: LiveConfiguration
    private let logger: Logger
    private let notifier: SystemdNotifier
    private let reloadConfiguration: () throws -> LiveConfiguration
    private let control = ConditionLock()
    private var stopRequested = false
    private var reloadRequested = false
    public let statistics = LiveStatistics()
    private var rings: [FrameRing] = []
    /// The output in use while `run()` runs.
    public private(set) var sink: LiveSink?
    /// Seconds the camera stays open after the last consumer leaves.
    public static let releaseGrace = 2.0

    public init(configuration: LiveConfiguration, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
                reload: @escaping () throws -> LiveConfiguration) {
        self.configuration = configuration
        self.logger = logger
        self.notifier = notifier
        reloadConfiguration = reload
    }

    public func requestStop() { control.withLock { stopRequested = true; control.broadcast() } }
    public func requestReload() { control.withLock { reloadRequested = true; control.broadcast() } }

    /// Runs until stopped. Throws setup errors (loopback missing, bad model...) and a fatal
    /// output error (the loopback device vanished).
    public func run() throws {
        let c = configuration
        if let problem = c.validationError { throw ConfigurationError(problem) }
        let sink: LiveSink
        if c.output == LiveConfiguration.nullOutput {
            sink = NullSink(format: c.outputFrameFormat, frameRate: c.frameRate)
            logger.info("output discarded (null) at \(c.frameRate) fps")
        } else {
            let log = logger
            let loopback = try LoopbackSink(path: c.output, format: c.outputFrameFormat, frameRate: c.frameRate,
                                            onWait: { log.warning("\($0)") })
            logger.info("\(c.output): \(loopback.device.card) fed with \(loopback.format) at \(loopback.frameRate) fps (mmap streaming)")
            sink = loopback
        }
        self.sink = sink
        let watcher = c.onDemand && sink is LoopbackSink ? try ConsumerWatcher(path: c.output) : nil
        let processor = try c.processing.makeProcessor()
        let captureRing = FrameRing(capacity: 2, format: c.outputFrameFormat)
        let processedRing = FrameRing(capacity: 1, format: c.outputFrameFormat)
        rings = [captureRing, processedRing]

        func consumersAbsent() -> Bool {
            guard let watcher else { return false }
            return watcher.count == 0 && Double(monotonicNanos() - watcher.lastChangeNanos) / 1e9 > LiveDaemon.releaseGrace
        }
        let capture = CaptureService(configuration: c, ring: captureRing, statistics: statistics, logger: logger, wanted: { !consumersAbsent() })
        let processing = ProcessingService(input: captureRing, output: processedRing, processor: processor, statistics: statistics, logger: logger)
        let output = OutputService(sink: sink, input: processedRing, configuration: c, statistics: statistics, notifier: notifier,
                                   logger: logger, idle: consumersAbsent)
        let group = DispatchGroup()
        func spawn(_ name: String, _ body: @escaping @Sendable () -> Void) {
            group.enter()
            let t = Thread {
                body()
                group.leave()
            }
            t.name = name
            t.start()
        }
        spawn("capture") { capture.run() }
        spawn("processing") { processing.run() }
        spawn("output") {
            output.run()
            self.requestStop()  // the output only returns on stop or a fatal loopback error
        }
        if let watcher {
            spawn("consumers") {
                watcher.run { n in
                    self.logger.info("\(c.output): \(n) consumer\(n == 1 ? "" : "s")")
                    capture.poke()
                }
            }
        }
        logger.info("running: \(processing.processorName); on demand: \(c.onDemand ? "yes" : "no")")
        notifier.notify("READY=1\nSTATUS=\(status())")

        var nextStats = monotonicNanos() + UInt64(c.statsInterval * 1e9)
        while true {
            let (stop, reload) = control.withLock { () -> (Bool, Bool) in
                if !stopRequested && !reloadRequested { _ = control.wait(untilMonotonicNanos: min(nextStats, monotonicNanos() + 1_000_000_000)) }
                let r = (stopRequested, reloadRequested)
                reloadRequested = false
                return r
            }
            if stop { break }
            if reload { self.reload(processing) }
            if monotonicNanos() >= nextStats {
                let line = status(detail: true)
                logger.info("stats: \(line)")
                notifier.notify("STATUS=\(status())")
                nextStats = monotonicNanos() + UInt64(configuration.statsInterval * 1e9)
            }
        }
        notifier.notify("STOPPING=1")
        logger.info("stopping")
        capture.stop()
        output.stop()
        watcher?.stop()
        captureRing.close()
        processedRing.close()
        group.wait()
        if let failure = output.failure { throw failure }
        logger.info("stopped; \(c.output) released")
    }

    private func reload(_ processing: ProcessingService) {
        notifier.notify("RELOADING=1")
        do {
            let new = try reloadConfiguration()
            if let problem = new.validationError { throw ConfigurationError(problem) }
            let old = configuration
            if new.processing != old.processing {
                processing.replaceProcessor(try new.processing.makeProcessor())
            } else if new.processing.mode == .nn {
                processing.replaceProcessor(try new.processing.makeProcessor())  // the model file may have changed
            }
            var changed: [String] = []
            if new.output != old.output || new.width != old.width || new.height != old.height || new.outputFormat != old.outputFormat || new.frameRate != old.frameRate {
                changed.append("output, size, format and rate (kept: consumers may be attached; restart to change them)")
            }
            if new.input != old.input || new.onDemand != old.onDemand { changed.append("input and on-demand (restart to change them)") }
            configuration.processing = new.processing
            let unchanged = changed.isEmpty ? "" : "; unchanged: " + changed.joined(separator: "; ")
            logger.info("reloaded: \(processing.processorName)\(unchanged)")
        } catch {
            logger.error("reload failed, keeping the running configuration: \(error)")
        }
        notifier.notify("READY=1\nSTATUS=\(status())")
    }

    /// One-line status: geometry, rate, latency (and, in detail, counters).
    public func status(detail: Bool = false) -> String {
        let c = configuration, s = statistics
        var text = "\(c.width)x\(c.height) \(c.outputFormat) @ \(c.frameRate) fps"
        if let e = s.endToEnd.percentiles() { text += ", latency p50 \(fmt(e.p50)) ms p99 \(fmt(e.p99)) ms" }
        if detail {
            if let p = s.processing.percentiles() { text += ", processing p50 \(fmt(p.p50)) ms p99 \(fmt(p.p99)) ms" }
            if let q = s.queueing.percentiles() { text += ", capture→processing p50 \(fmt(q.p50)) ms" }
            let drops = rings.map { "\($0.statistics.dropped)" }.joined(separator: "/")
            text += "; captured \(s.captured.count), skipped \(s.skipped.count), processed \(s.processed.count), written \(s.written.count), repeated \(s.repeated.count), placeholder \(s.placeholders.count); dropped (ring/processed/output) \(drops)/\(s.outputDrops.count)"
        }
        return text
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
