import Foundation
import SharpImaging
import SharpSupport

/// Halos at step edges (issue 16, do no harm): how far a method's output overshoots the two
/// levels of a sharp edge, on grey charts that the camera left soft, sharpened (unsharp amount
/// 0.6) or over-sharpened (amount 1.5) before the method sees them. A method that adds halos to
/// already sharpened pictures shows a positive `extra`.
///
/// The chart: 128×128, four bands of 32 rows, each with one vertical edge at x = 64 between
/// two grey levels (60/180, 30/220, 100/140, 16/235), softened by a Gaussian σ 0.7 (a lens),
/// then sharpened by the camera. Overshoot = mean over the bands' inner rows of
/// max(0, max(bright side) − bright level) + max(0, dark level − min(dark side)), within 8
/// pixels of the edge, in 8-bit levels.
public enum HaloMeasure {
    public struct Row: Codable, Sendable {
        public var input: String
        public var method: String
        public var overshoot: Double
        /// The method's overshoot minus the input's.
        public var extra: Double
    }

    static let size = 128
    static let levels: [(dark: Double, bright: Double)] = [(60, 180), (30, 220), (100, 140), (16, 235)]
    public static let inputs: [(name: String, amount: Double)] = [
        ("soft", 0), ("sharpened", 0.6), ("over-sharpened", 1.5),
    ]

    /// The chart as the camera delivers it with ISP sharpening `amount`.
    public static func chart(amount: Double) -> RGBImage {
        let n = size
        var x = [Float](repeating: 0, count: 3 * n * n)
        for y in 0..<n {
            let (dark, bright) = levels[y / 32]
            for xx in 0..<n {
                let v = Float((xx < n / 2 ? dark : bright) / 255)
                for c in 0..<3 { x[(c * n + y) * n + xx] = v }
            }
        }
        x = ImageOps.gaussianBlur(x, channels: 3, height: n, width: n, kernel: GaussianKernel(sigma: 0.7))
        x = CallDegradation.ispSharpen(x, height: n, width: n, amount: amount, sigma: 1.0)
        return RGBImage(planar: ImageOps.quantized(x), width: n, height: n)
    }

    /// The mean overshoot of `image` (a chart or a method's output of one), in levels.
    public static func overshoot(_ image: RGBImage) -> Double {
        let n = size
        precondition(image.width == n && image.height == n, "HaloMeasure: not a chart")
        func luma(_ x: Int, _ y: Int) -> Double {
            let i = 3 * (y * n + x)
            return 0.299 * Double(image.pixels[i]) + 0.587 * Double(image.pixels[i + 1])
                + 0.114 * Double(image.pixels[i + 2])
        }
        var total = 0.0, rows = 0
        for band in 0..<levels.count {
            let (dark, bright) = levels[band]
            for y in (band * 32 + 6)..<(band * 32 + 26) {
                let brightMax = (n / 2..<(n / 2 + 8)).map { luma($0, y) }.max()!
                let darkMin = ((n / 2 - 8)..<(n / 2)).map { luma($0, y) }.min()!
                total += max(0, brightMax - bright) + max(0, dark - darkMin)
                rows += 1
            }
        }
        return total / Double(rows)
    }

    public static func run(_ methods: [Evaluation.Method]) -> [Row] {
        var out: [Row] = []
        for input in inputs {
            let chart = chart(amount: input.amount)
            let base = overshoot(chart)
            out.append(Row(input: input.name, method: "identity", overshoot: base, extra: 0))
            for m in methods {
                let o = overshoot(m.apply(chart))
                out.append(Row(input: input.name, method: m.name, overshoot: o, extra: o - base))
            }
        }
        return out
    }
}
