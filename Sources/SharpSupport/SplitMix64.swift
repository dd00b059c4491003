import Foundation

/// SplitMix64: the one seeded generator of SharpCam (deterministic across platforms; weights
/// initialisation, degradations, evaluation crops, tests).
public struct SplitMix64: Sendable {
    @usableFromInline var state: UInt64
    public init(seed: UInt64) { state = seed }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    @inlinable public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }

    /// Standard normal (Box–Muller).
    @inlinable public mutating func normal() -> Double {
        let u1 = max(uniform(), 1e-300), u2 = uniform()
        return (-2 * Foundation.log(u1)).squareRoot() * Foundation.cos(2 * Double.pi * u2)
    }
}
