import SharpFrames
import Synchronization

/// Latency samples of one pipeline stage over a sliding window, for periodic p50/p99 logs.
///
/// Invariant: holds at most `capacity` samples (a ring, preallocated); thread-safe.
public final class LatencyRecorder: Sendable {
    private struct State {
        var samples: [UInt64]
        var next = 0
        var count = 0
        var scratch: [UInt64]
    }
    private let state: Mutex<State>
    public let name: String

    public init(_ name: String, capacity: Int = 1024) {
        self.name = name
        state = Mutex(State(samples: Array(repeating: 0, count: capacity), scratch: Array(repeating: 0, count: capacity)))
    }

    public func record(nanoseconds: UInt64) {
        state.withLock { s in
            s.samples[s.next] = nanoseconds
            s.next = (s.next + 1) % s.samples.count
            s.count = min(s.count + 1, s.samples.count)
        }
    }

    /// (p50, p99) in milliseconds over the window, nil when empty.
    public func percentiles() -> (p50: Double, p99: Double)? {
        state.withLock { s in
            guard s.count > 0 else { return nil }
            for i in 0..<s.count { s.scratch[i] = s.samples[i] }
            s.scratch[0..<s.count].sort()
            func at(_ p: Double) -> Double { Double(s.scratch[min(s.count - 1, Int(Double(s.count) * p))]) / 1e6 }
            return (at(0.5), at(0.99))
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
