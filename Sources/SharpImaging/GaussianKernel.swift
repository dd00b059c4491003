import Foundation

/// A normalised 1-D Gaussian: `2 · radius + 1` taps with `radius = ceil(3σ)` (at least 1),
/// weights `exp(−x² / 2σ²)` scaled to sum to 1 — the kernel `cv2.getGaussianKernel` builds
/// for the same size and σ.
///
/// Invariant: `weights.count == 2 · radius + 1`, symmetric, summing to 1 (in Double).
public struct GaussianKernel: Sendable, Equatable {
    public let sigma: Double
    public let radius: Int
    public let weights: [Double]

    /// - Parameter size: explicit odd tap count (as OpenCV's `ksize`); nil derives it from σ.
    public init(sigma: Double, size: Int? = nil) {
        precondition(sigma > 0, "GaussianKernel needs σ > 0")
        precondition(size.map { $0 > 0 && $0 % 2 == 1 } ?? true, "GaussianKernel size must be odd")
        self.sigma = sigma
        radius = size.map { $0 / 2 } ?? max(1, Int((3 * sigma).rounded(.up)))
        let raw = (-radius...radius).map { exp(-Double($0 * $0) / (2 * sigma * sigma)) }
        let sum = raw.reduce(0, +)
        weights = raw.map { $0 / sum }
    }
}
