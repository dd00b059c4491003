import Foundation

/// Peak signal-to-noise ratio, the one convention SharpCam reports everywhere (evaluation,
/// calibration, training validation, tests).
///
/// Invariant: identical signals (MSE 0) and anything better than `PSNR.maximum` report
/// `PSNR.maximum` (100 dB), so means over pictures stay finite.
public enum PSNR {
    /// The largest value reported (identical signals).
    public static let maximum = 100.0

    /// dB from a mean squared error, with samples in 0...peak.
    @inlinable
    public static func decibels(meanSquaredError mse: Double, peak: Double = 255) -> Double {
        guard mse > 0 else { return maximum }
        return min(maximum, 10 * log10(peak * peak / mse))
    }

    /// dB between two equally long runs of 8-bit samples.
    @inlinable
    public static func decibels(_ a: UnsafeBufferPointer<UInt8>, _ b: UnsafeBufferPointer<UInt8>) -> Double {
        precondition(a.count == b.count && !a.isEmpty, "PSNR of \(a.count) and \(b.count) samples")
        var se = 0.0
        for i in 0..<a.count {
            let d = Double(a[i]) - Double(b[i])
            se += d * d
        }
        return decibels(meanSquaredError: se / Double(a.count))
    }

    /// dB between two equally long byte arrays.
    @inlinable
    public static func decibels(_ a: [UInt8], _ b: [UInt8]) -> Double {
        a.withUnsafeBufferPointer { pa in b.withUnsafeBufferPointer { pb in decibels(pa, pb) } }
    }
}
