import Logging
import SharpSupport

/// The daemon's housekeeping stage: tells systemd it is ready, logs statistics every
/// `statsInterval` seconds (and updates systemd's STATUS), and applies reloads (SIGHUP) between
/// frames: a reload that fails keeps the running configuration.
///
/// Invariant: one thread calls `run()`; it returns after `stop()`; reloads run on that thread
/// only, so they never race each other.
final class StatusService: Service, @unchecked Sendable {
    let name = "status"
    private unowned let daemon: LiveDaemon
    private let processing: ProcessingService
    private let wake = ConditionLock()
    private var stopRequested = false
    private var reloadRequested = false

    init(daemon: LiveDaemon, processing: ProcessingService) {
        self.daemon = daemon
        self.processing = processing
    }

    func stop() {
        wake.withLock {
            stopRequested = true
            wake.broadcast()
        }
    }

    func requestReload() {
        wake.withLock {
            reloadRequested = true
            wake.broadcast()
        }
    }

    func run() throws {
        let notifier = daemon.notifier, logger = daemon.logger
        notifier.notify("READY=1\nSTATUS=\(daemon.status())")
        var nextStats = monotonicNanos() + UInt64(daemon.configuration.statsInterval * 1e9)
        while true {
            let (stop, reload) = wake.withLock { () -> (Bool, Bool) in
                if !stopRequested && !reloadRequested {
                    _ = wake.wait(untilMonotonicNanos: min(nextStats, monotonicNanos() + 1_000_000_000))
                }
                let r = (stopRequested, reloadRequested)
                reloadRequested = false
                return r
            }
            if stop { break }
            let stats = daemon.statistics
            // written counts every frame the output wrote (repeats and placeholders included).
            daemon.usage.sample(count: stats.written.count)
            if reload {
                notifier.notify("RELOADING=1")
                do {
                    try daemon.applyReload(try daemon.readConfiguration(), processing: processing)
                } catch {
                    logger.error("reload failed, keeping the running configuration: \(error)")
                }
                notifier.notify("READY=1\nSTATUS=\(daemon.status())")
            }
            if monotonicNanos() >= nextStats {
                logger.info("stats: \(daemon.status(detail: true))")
                notifier.notify("STATUS=\(daemon.status())")
                nextStats = monotonicNanos() + UInt64(daemon.configuration.statsInterval * 1e9)
            }
        }
        notifier.notify("STOPPING=1")
        logger.info("stopping")
    }
}
