import Glibc
import Logging
import SharpDevices
import SharpFrames
import SharpMedia
import SharpSupport

/// The output stage: hands each processed frame to the loopback as soon as it is ready (at
/// most twice the configured rate), and when none arrives within one frame period repeats
/// the last one, so consumers always get the configured rate; after `stallTimeout` without a
/// new frame it shows the placeholder; while idle (no consumers, on demand) it repeats at the
/// idle rate. It also pets the systemd watchdog, so a stalled output — not just a live
/// process — trips it.
///
/// Invariant: one thread calls `run()`; it returns after `stop()` (or when its input ring is
/// closed) and throws when the output fails (the loopback device vanished); it waits on the
/// processing stage for at most one period.
public final class OutputService: Service, @unchecked Sendable {
    public let name = "output"
    private let sink: LiveSink
    private let input: FrameRing
    private let configuration: LiveConfiguration
    private let statistics: LiveStatistics
    private let notifier: SystemdNotifier
    private let logger: Logger
    private let idle: () -> Bool
    private let stopFlag = CancellationFlag()

    public init(
        sink: LiveSink, input: FrameRing, configuration: LiveConfiguration, statistics: LiveStatistics,
        notifier: SystemdNotifier, logger: Logger, idle: @escaping () -> Bool
    ) {
        self.sink = sink
        self.input = input
        self.configuration = configuration
        self.statistics = statistics
        self.notifier = notifier
        self.logger = logger
        self.idle = idle
    }

    /// Stops at once: closes the input ring (the processing stage has already stopped).
    public func stop() {
        stopFlag.cancel()
        input.close()
    }

    public func run() throws {
        let placeholder = PlaceholderFrame.make(sink.format)
        let last = Frame(format: sink.format, colorSpace: placeholder.colorSpace)
        last.copy(from: placeholder)
        var showingPlaceholder = true
        var lastNew = monotonicNanos()
        var lastWrite: UInt64 = 0
        var lastWasNew = false
        var lastWatchdog: UInt64 = 0
        let period = UInt64(1e9 / configuration.frameRate.doubleValue)
        let idlePeriod = UInt64(1e9 / configuration.idleFrameRate)
        while !stopFlag.isCancelled {
            // After a new frame allow half a period of jitter before repeating it; after a
            // repeat, repeat at the configured (or idle) rate.
            let base = idle() ? idlePeriod : period
            let gap = lastWasNew ? base + base / 2 : base
            let now = monotonicNanos()
            let wait = lastWrite + gap > now ? lastWrite + gap - now : 0
            switch input.acquireForReading(timeoutNanos: wait) {
            case .closed:
                return
            case .frame(let f):
                last.copy(from: f)
                input.release(f)
                // Never faster than twice the configured rate.
                let earliest = lastWrite + period / 2
                // One clock reading: two could straddle `earliest` (a preempted thread) and the
                // unsigned difference would trap (seen in the e2e VM under heavy load).
                let beforeSleep = monotonicNanos()
                if earliest > beforeSleep { sleepNanoseconds(earliest - beforeSleep) }
                lastNew = monotonicNanos()
                lastWasNew = true
                showingPlaceholder = false
                if last.timestamp > 0 && UInt64(last.timestamp) < lastNew {
                    statistics.endToEnd.record(nanoseconds: lastNew - UInt64(last.timestamp))
                }
            case .timedOut:
                lastWasNew = false
                if !showingPlaceholder && monotonicNanos() - lastNew > UInt64(configuration.stallTimeout * 1e9) {
                    last.copy(from: placeholder)
                    showingPlaceholder = true
                    logger.notice("no new frames for \(configuration.stallTimeout) s: showing the placeholder")
                }
                if showingPlaceholder { statistics.placeholders.increment() } else { statistics.repeated.increment() }
            }
            let before = sink.dropped
            let writeStart = monotonicNanos()
            try sink.write(last)  // a failure ends the group: the daemon exits with it
            statistics.output.record(nanoseconds: monotonicNanos() - writeStart)
            if sink.dropped > before { statistics.outputDrops.increment() } else { statistics.written.increment() }
            lastWrite = monotonicNanos()
            if let interval = notifier.watchdogInterval, lastWrite - lastWatchdog >= interval / 2 {
                notifier.notify("WATCHDOG=1")
                lastWatchdog = lastWrite
            }
        }
    }
}
