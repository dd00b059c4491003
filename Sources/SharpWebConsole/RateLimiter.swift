import SharpSupport

/// A token bucket: at most `burst` requests at once, refilled at `perSecond`.
///
/// Invariant: thread-safe; `allow()` never blocks.
final class RateLimiter: @unchecked Sendable {
    let perSecond: Double, burst: Double
    private let lock = ConditionLock()
    private var tokens: Double
    private var last = monotonicNanos()

    init(perSecond: Double, burst: Double) {
        self.perSecond = perSecond
        self.burst = burst
        tokens = burst
    }

    /// Takes one token if there is one.
    func allow() -> Bool {
        lock.withLock {
            let now = monotonicNanos()
            tokens = min(burst, tokens + Double(now - last) / 1e9 * perSecond)
            last = now
            guard tokens >= 1 else { return false }
            tokens -= 1
            return true
        }
    }
}
