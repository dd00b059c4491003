import SharpFrames
import SharpSupport
import Synchronization

/// Latency samples of one pipeline stage over a sliding window, for periodic p50/p99 logs.
///
/// Invariant: holds at most `capacity` samples (a ring, preallocated); thread-safe.
public final class LatencyRecorder: @unchecked Sendable {
    private struct State {
        var samples: [UInt64]
        var next = 0
        var count = 0
        var scratch: [UInt64]
    }
    private let lock = ConditionLock()
    private var state: State
    public let name: String

    public init(_ name: String, capacity: Int = 1024) {
        self.name = name
        state = State(samples: Array(repeating: 0, count: capacity), scratch: Array(repeating: 0, count: capacity))
    }

    public func record(nanoseconds: UInt64) {
        lock.withLock {
            state.samples[state.next] = nanoseconds
            state.next = (state.next + 1) % state.samples.count
            state.count = min(state.count + 1, state.samples.count)
        }
    }

    /// Forgets the samples so far (a measurement starts after a warm-up).
    public func reset() {
        lock.withLock {
            state.count = 0
            state.next = 0
        }
    }

    /// (p50, p99) in milliseconds over the window, nil when empty.
    public func percentiles() -> (p50: Double, p99: Double)? {
        lock.withLock { () -> (p50: Double, p99: Double)? in
            let n = state.count
            guard n > 0 else { return nil }
            for i in 0..<n { state.scratch[i] = state.samples[i] }
            state.scratch[0..<n].sort()
            let p50 = state.scratch[Percentile.rankIndex(0.5, count: n)]
            let p99 = state.scratch[Percentile.rankIndex(0.99, count: n)]
            return (Double(p50) / 1e6, Double(p99) / 1e6)
        }
    }
}

/// Monotonically increasing event counters shared between stages.
public final class Counter: Sendable {
    private let value = Atomic<UInt64>(0)
    public init() {}
    public func increment(by n: UInt64 = 1) { value.add(n, ordering: .relaxed) }
    public var count: UInt64 { value.load(ordering: .relaxed) }
}
