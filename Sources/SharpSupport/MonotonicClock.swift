#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The one clock SharpCam measures time with: CLOCK_MONOTONIC (immune to wall-clock jumps).
/// CLOCK_MONOTONIC now, in nanoseconds.
@inline(__always)
public func monotonicNanos() -> UInt64 {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
}

/// Seconds elapsed on CLOCK_MONOTONIC since `startNanos` (a `monotonicNanos()` reading).
@inline(__always)
public func monotonicSeconds(since startNanos: UInt64) -> Double {
    Double(monotonicNanos() &- startNanos) / 1e9
}

/// Sleeps for `nanoseconds` (nanosleep; returns early only on a signal).
public func sleepNanoseconds(_ nanoseconds: UInt64) {
    var ts = timespec(tv_sec: Int(nanoseconds / 1_000_000_000), tv_nsec: Int(nanoseconds % 1_000_000_000))
    nanosleep(&ts, nil)
}
