/// Nearest-rank percentiles: the one definition behind every p50/p99 SharpCam prints (live
/// statistics, `ctl status`, the benchmark).
///
/// Invariant: the value returned is one of the samples: the smallest one with at least
/// `fraction` of all samples at or below it.
public enum Percentile {
    /// Index into ascending samples of the nearest-rank percentile (`fraction` in 0...1).
    @inlinable
    public static func rankIndex(_ fraction: Double, count: Int) -> Int {
        precondition(count > 0, "percentile of no samples")
        let rank = Int((fraction * Double(count)).rounded(.up))
        return Swift.min(count - 1, Swift.max(0, rank - 1))
    }

    /// The nearest-rank percentile of ascending `sorted` samples.
    @inlinable
    public static func of<T>(_ sorted: ArraySlice<T>, _ fraction: Double) -> T {
        sorted[sorted.startIndex + rankIndex(fraction, count: sorted.count)]
    }
}
