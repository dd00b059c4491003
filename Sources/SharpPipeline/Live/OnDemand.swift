import SharpDevices
import SharpSupport
import Synchronization

/// Whether any app uses the output: loopback consumers (`ConsumerWatcher`s) plus the
/// consumers the sinks count themselves (PipeWire links), plus a web console page showing the
/// live view (a lease renewed by each of its frame requests). With none for `LiveDaemon.releaseGrace`
/// seconds the camera is released and the output idles.
///
/// Invariant: thread-safe; never "absent" when on-demand is off or nothing can count consumers
/// (the null output).
final class OnDemand: Sendable {
    let enabled: Bool
    let watchers: [ConsumerWatcher]
    nonisolated(unsafe) let sink: LiveSink
    private let lastSeen = Atomic<UInt64>(monotonicNanos())
    /// Until when a live-view page counts as a consumer (monotonic nanoseconds).
    private let viewerUntil = Atomic<UInt64>(0)

    init(enabled: Bool, watchers: [ConsumerWatcher], sink: LiveSink) {
        self.enabled = enabled
        self.watchers = watchers
        self.sink = sink
    }

    /// Apps using the output now (nil: not counted).
    var consumers: Int? {
        let own = sink.consumers
        if watchers.isEmpty && own == nil { return nil }
        return watchers.reduce(0) { $0 + $1.count } + (own ?? 0)
    }

    /// A page shows the live view: it counts as a consumer for the next `seconds`.
    func viewerSeen(for seconds: Double = 3) {
        viewerUntil.store(monotonicNanos() + UInt64(seconds * 1e9), ordering: .relaxed)
    }

    var absent: Bool {
        guard enabled else { return false }
        let now = monotonicNanos()
        if now < viewerUntil.load(ordering: .relaxed) {
            lastSeen.store(now, ordering: .relaxed)
            return false
        }
        guard let n = consumers else { return false }
        if n > 0 {
            lastSeen.store(now, ordering: .relaxed)
            return false
        }
        let changed = max(lastSeen.load(ordering: .relaxed), watchers.map(\.lastChangeNanos).max() ?? 0)
        return now > changed && Double(now - changed) / 1e9 > LiveDaemon.releaseGrace
    }
}
