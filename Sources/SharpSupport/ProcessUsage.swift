import Glibc

/// CPU time and resident memory of this process, and the CPU share over a recent window.
///
/// Invariant: `sample()` may be called from one thread at any rate; `cpuPercent` is the CPU
/// time used between the oldest kept sample (at least `window` seconds old when there is one)
/// and the newest, per wall second, in percent of one core; thread-safe.
public final class ProcessUsage: @unchecked Sendable {
    public let window: Double
    private let lock = ConditionLock()
    private var samples: [(wall: UInt64, cpu: UInt64, count: UInt64)] = []

    public init(window: Double = 5) { self.window = window }

    /// CPU time (user + system) used by the whole process so far, in nanoseconds.
    public static func cpuNanos() -> UInt64 {
        var t = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t)
        return UInt64(t.tv_sec) * 1_000_000_000 + UInt64(t.tv_nsec)
    }

    /// Resident set size in bytes (/proc/self/statm), 0 when unreadable.
    public static func residentBytes() -> Int {
        guard let f = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(f) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, 128, f) != nil else { return 0 }
        let fields = String(cString: line).split(separator: " ")
        guard fields.count >= 2, let resident = Int(fields[1]) else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Records the time, the CPU time and `count` (an event counter, e.g. frames written).
    public func sample(count: UInt64 = 0) {
        let s = (wall: monotonicNanos(), cpu: Self.cpuNanos(), count: count)
        lock.withLock {
            samples.append(s)
            // Keep one sample older than the window (the start of the measurement).
            while samples.count > 2, Double(s.wall - samples[1].wall) / 1e9 >= window { samples.removeFirst() }
        }
    }

    /// Events per second of the counter given to `sample(count:)` over the window.
    public var countPerSecond: Double {
        lock.withLock {
            guard let first = samples.first, let last = samples.last, last.wall > first.wall else { return 0 }
            return Double(last.count &- first.count) / (Double(last.wall - first.wall) / 1e9)
        }
    }

    public var cpuPercent: Double {
        lock.withLock {
            guard let first = samples.first, let last = samples.last, last.wall > first.wall else { return 0 }
            return Double(last.cpu - first.cpu) / Double(last.wall - first.wall) * 100
        }
    }
}
