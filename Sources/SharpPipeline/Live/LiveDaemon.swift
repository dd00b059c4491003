import Logging
import SharpDevices
import SharpFrames
import SharpMedia
import SharpSupport

/// The live daemon: camera (or file) → FrameRing → processing → paced output, with on-demand
/// camera use, hot-plug, statistics, systemd notification, reload and clean stop. Every stage
/// is a `Service` in one `ServiceGroup`, which starts them, stops them in reverse order, owns
/// the signals (SIGTERM/SIGINT stop, SIGHUP reloads) and rethrows the first stage's error.
///
/// Invariant: the output (loopback) is opened and configured before any stage starts and
/// stays open until `run()` returns; its format never changes in between.
public final class LiveDaemon: @unchecked Sendable {
    /// The running configuration (changed by reloads and `ctl set`; read from any thread).
    public var configuration: LiveConfiguration {
        get { control.withLock { current } }
        set { control.withLock { current = newValue } }
    }
    private var current: LiveConfiguration
    let logger: Logger
    let notifier: SystemdNotifier
    private let reloadConfiguration: () throws -> LiveConfiguration
    private let makeSink: (LiveConfiguration, Logger) throws -> LiveSink
    private let handleSignals: Bool
    private let control = ConditionLock()
    private var stopRequested = false
    private var group: ServiceGroup?
    private var processing: ProcessingService?
    private var capture: CaptureService?
    private var demand: OnDemand?
    /// CPU and output rate over the last seconds (sampled by the status stage).
    let usage = ProcessUsage()
    let startNanos = monotonicNanos()
    /// The control socket in use while `run()` runs (nil: none).
    public private(set) var controlPath: String?
    /// Serialises `ctl set` and reloads (each reads, changes and writes the configuration).
    let settingsLock = ConditionLock()
    public let statistics = LiveStatistics()
    var rings: [FrameRing] = []
    /// The output in use while `run()` runs.
    public private(set) var sink: LiveSink?
    /// Further services started with the stages (after them; stopped before them), made when
    /// `run()` starts: the web console (the executable sets this; SharpPipeline has no HTTP).
    public var additionalServices: ((LiveDaemon, LiveConfiguration) throws -> [Service])?
    /// The web console's URL with its token while it runs (`sharpcamd ctl web`).
    public var webConsoleURL: String? {
        get { control.withLock { webURL } }
        set { control.withLock { webURL = newValue } }
    }
    private var webURL: String?
    /// Seconds the camera stays open after the last consumer leaves.
    public static let releaseGrace = 2.0

    /// - Parameters:
    ///   - handleSignals: SIGTERM/SIGINT stop the daemon and SIGHUP reloads it (the
    ///     executable; tests drive `requestStop()`/`requestReload()` instead).
    ///   - makeSink: opens the output (default: the loopback device, or `NullSink` for "null").
    ///   - reload: reads the configuration again (SIGHUP).
    public init(
        configuration: LiveConfiguration, logger: Logger, notifier: SystemdNotifier = SystemdNotifier(),
        handleSignals: Bool = false,
        makeSink: @escaping (LiveConfiguration, Logger) throws -> LiveSink = LiveDaemon.openSink,
        reload: @escaping () throws -> LiveConfiguration
    ) {
        current = configuration
        self.logger = logger
        self.notifier = notifier
        self.handleSignals = handleSignals
        self.makeSink = makeSink
        reloadConfiguration = reload
    }

    public func requestStop() {
        let g = control.withLock { () -> ServiceGroup? in
            stopRequested = true
            return group
        }
        g?.requestStop()
    }

    /// Reads the configuration again and swaps the processor (what SIGHUP does).
    public func requestReload() { status?.requestReload() }

    private var status: StatusService? {
        control.withLock { group?.services.lazy.compactMap { $0 as? StatusService }.first }
    }

    /// The running stages (nil before `run()` and after it returns).
    var stages: (processing: ProcessingService, capture: CaptureService, demand: OnDemand?)? {
        control.withLock { processing.flatMap { p in capture.map { (p, $0, demand) } } }
    }

    /// Opens the control socket: nil when switched off or when it cannot be created (a warning:
    /// the daemon works without it, e.g. a second daemon feeding another loopback); throws when
    /// another daemon answers on a socket configured explicitly.
    func openControlServer(_ c: LiveConfiguration) throws -> ControlServer? {
        guard c.control != LiveConfiguration.controlOff else { return nil }
        let path = c.control ?? ControlSocket.defaultPath()
        let group = ControlSocket.group(for: path)
        do {
            let server = try ControlServer(
                path: path, mode: group == nil ? 0o600 : 0o660, group: group, logger: logger
            ) { [unowned self] request in self.handle(request) }
            control.withLock { controlPath = path }
            logger.info("control socket: \(path) (sharpcamd ctl status)")
            return server
        } catch let e as MediaError where e.kind == .busy && c.control != nil {
            throw e  // the socket asked for is another daemon's
        } catch {
            logger.warning("\(error); running without a control socket (sharpcamd ctl will not reach this daemon)")
            return nil
        }
    }

    /// The configured outputs: loopback devices, the PipeWire node, or `NullSink` for "null";
    /// several in a `SinkGroup`.
    public static func openSink(_ c: LiveConfiguration, logger: Logger) throws -> LiveSink {
        let sinks = try c.outputs.map { output -> LiveSink in
            switch output {
            case LiveConfiguration.nullOutput:
                logger.info("output discarded (null) at \(c.frameRate) fps")
                return NullSink(format: c.outputFrameFormat, frameRate: c.frameRate)
            case LiveConfiguration.pipeWireOutput:
                let node = try PipeWireSink(
                    format: c.outputFrameFormat, frameRate: c.frameRate, nodeName: c.pipeWireName,
                    description: c.pipeWireDescription, logger: logger)
                logger.info(
                    """
                    PipeWire camera node \(node.nodeID) "\(c.pipeWireDescription)" (\(c.pipeWireName)) offers \
                    \(c.width)x\(c.height) YUY2/I420/NV12 at \(c.frameRate) fps
                    """)
                return node
            default:
                let loopback = try LoopbackSink(
                    path: output, format: c.outputFrameFormat, frameRate: c.frameRate,
                    onWait: { logger.warning("\($0)") })
                logger.info(
                    """
                    \(output): \(loopback.device.card) fed with \(loopback.format) at \(loopback.frameRate) fps \
                    (mmap streaming)
                    """
                )
                return loopback
            }
        }
        return sinks.count == 1 ? sinks[0] : SinkGroup(sinks)
    }

    /// Runs until stopped. Throws set-up errors (loopback missing, bad model...) and the first
    /// error of any stage (e.g. the loopback device vanished).
    public func run() throws {
        let c = configuration
        if let problem = c.validationError { throw ConfigurationError(problem) }
        let sink = try makeSink(c, logger)
        self.sink = sink
        let members = (sink as? SinkGroup)?.sinks ?? [sink]
        let watchers =
            c.onDemand
            ? try members.compactMap { ($0 as? LoopbackSink).map(\.device.path) }.map {
                try ConsumerWatcher(path: $0)
            } : []
        let demand = OnDemand(enabled: c.onDemand, watchers: watchers, sink: sink)
        let processor = try c.processing.makeProcessor()
        let captureRing = FrameRing(capacity: 2, format: c.outputFrameFormat)
        let processedRing = FrameRing(capacity: 1, format: c.outputFrameFormat)
        control.withLock { rings = [captureRing, processedRing] }

        let consumersAbsent = { demand.absent }
        let capture = CaptureService(
            configuration: c, ring: captureRing, statistics: statistics, logger: logger,
            wanted: { !consumersAbsent() })
        let processing = ProcessingService(
            input: captureRing, output: processedRing, processor: processor, statistics: statistics, logger: logger)
        let output = OutputService(
            sink: sink, input: processedRing, configuration: c, statistics: statistics, notifier: notifier,
            logger: logger, idle: consumersAbsent)
        // Started in data-flow order from the output back, stopped in reverse: status, watcher,
        // capture, processing, output (the output keeps feeding consumers until the last).
        var services: [Service] = [output, processing, capture]
        for watcher in watchers {
            let log = logger
            services.append(
                ClosureService(
                    name: "consumers",
                    run: {
                        watcher.run { n in
                            log.info("\(watcher.path): \(n) consumer\(n == 1 ? "" : "s")")
                            capture.poke()
                        }
                    }, stop: { watcher.stop() }))
        }
        let status = StatusService(daemon: self, processing: processing)
        services.append(status)
        if let server = try openControlServer(c) { services.append(server) }
        if let more = additionalServices { services += try more(self, c) }
        let group = ServiceGroup(
            services: services, logger: logger, handleSignals: handleSignals,
            onReload: { [weak status] in status?.requestReload() })
        let stopEarly = control.withLock { () -> Bool in
            self.group = group
            self.processing = processing
            self.capture = capture
            self.demand = demand
            return stopRequested
        }
        if stopEarly { group.requestStop() }
        defer {
            control.withLock {
                self.group = nil
                self.processing = nil
                self.capture = nil
                self.demand = nil
                self.controlPath = nil
            }
        }
        logger.info("running: \(processing.processorName); on demand: \(c.onDemand ? "yes" : "no")")
        try group.run()
        logger.info("stopped; \(sink.name) released")
    }

    /// Applies a new configuration's processing part (the rest needs a restart).
    func applyReload(_ new: LiveConfiguration, processing: ProcessingService) throws {
        if let problem = new.validationError { throw ConfigurationError(problem) }
        try settingsLock.withLock {
            let old = configuration
            // Rebuilt even when the settings are equal: the model file may have changed.
            if new.processing != old.processing || new.processing.mode == .nn {
                processing.replaceProcessor(try new.processing.makeProcessor())
            }
            var changed: [String] = []
            if new.output != old.output || new.width != old.width || new.height != old.height
                || new.outputFormat != old.outputFormat || new.frameRate != old.frameRate
            {
                changed.append(
                    "output, size, format and rate (kept: consumers may be attached; restart to change them)")
            }
            if new.input != old.input || new.onDemand != old.onDemand || new.fit != old.fit
                || new.cameraFormat != old.cameraFormat || new.cameraSize != old.cameraSize
            {
                changed.append("input, fit, camera format and size, on-demand (restart to change them)")
            }
            configuration.processing = new.processing
            let unchanged = changed.isEmpty ? "" : "; unchanged: " + changed.joined(separator: "; ")
            logger.info("reloaded: \(processing.processorName)\(unchanged)")
        }
    }

    func readConfiguration() throws -> LiveConfiguration { try reloadConfiguration() }

    /// Frames dropped so far: recycled unread in the rings, or not handed to the output in time.
    public var droppedFrames: UInt64 {
        control.withLock { rings.map(\.statistics.dropped).reduce(0, +) } + statistics.outputDrops.count
    }

    /// The processor in use ("nn (…)", "classic (…)", "bypass"); empty before `run()`.
    public var processorName: String { control.withLock { processing?.processorName } ?? "" }

    /// One-line status: geometry, rate, latency (and, in detail, counters).
    public func status(detail: Bool = false) -> String {
        let c = configuration, s = statistics
        var text = "\(c.width)x\(c.height) \(c.outputFormat) @ \(c.frameRate) fps"
        if let e = s.endToEnd.percentiles() { text += ", latency p50 \(fmt(e.p50)) ms p99 \(fmt(e.p99)) ms" }
        if detail {
            if let p = s.processing.percentiles() {
                text += ", processing p50 \(fmt(p.p50)) ms p99 \(fmt(p.p99)) ms"
            }
            if let q = s.queueing.percentiles() { text += ", capture→processing p50 \(fmt(q.p50)) ms" }
            let drops = control.withLock { rings.map { "\($0.statistics.dropped)" } }.joined(separator: "/")
            text += "; captured \(s.captured.count), skipped \(s.skipped.count), processed \(s.processed.count)"
            text += ", written \(s.written.count), repeated \(s.repeated.count), placeholder \(s.placeholders.count)"
            text += "; dropped (ring/processed/output) \(drops)/\(s.outputDrops.count)"
        }
        return text
    }

    private func fmt(_ v: Double) -> String { String(format: "%.1f", v) }
}
