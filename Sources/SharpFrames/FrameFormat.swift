/// The shape of every frame in a stream: pixel layout and size in pixels.
///
/// Invariant: `width` and `height` are both at least 1 (odd values are allowed).
public struct FrameFormat: Hashable, Sendable, CustomStringConvertible {
    public var pixelFormat: PixelFormat
    public var width: Int
    public var height: Int

    /// Creates a format, or returns nil for a zero or negative size.
    public init?(_ pixelFormat: PixelFormat, width: Int, height: Int) {
        guard width > 0, height > 0, width <= FrameFormat.maxDimension, height <= FrameFormat.maxDimension else {
            return nil
        }
        self.pixelFormat = pixelFormat
        self.width = width
        self.height = height
    }

    /// The largest width or height SharpCam accepts (keeps every byte count well inside Int32).
    public static let maxDimension = 16384

    public var description: String { "\(width)x\(height) \(pixelFormat)" }

    /// The same size in another pixel layout.
    public func with(_ pixelFormat: PixelFormat) -> FrameFormat {
        var copy = self
        copy.pixelFormat = pixelFormat
        return copy
    }

    /// Bytes of image data (without row padding).
    public var imageBytes: Int {
        pixelFormat.planeExtents(width: width, height: height).reduce(0) { $0 + $1.rowBytes * $1.rows }
    }
}

/// A frame rate or time base as an exact fraction.
///
/// Invariant: `den > 0`; `num >= 0`.
public struct Rational: Hashable, Sendable, CustomStringConvertible {
    public var num: Int
    public var den: Int

    public init(_ num: Int, _ den: Int) {
        precondition(den != 0, "Rational with zero denominator")
        let sign = den < 0 ? -1 : 1
        let g = Rational.gcd(abs(num), abs(den))
        self.num = sign * num / max(g, 1)
        self.den = sign * den / max(g, 1)
    }

    public var doubleValue: Double { Double(num) / Double(den) }

    public var description: String { den == 1 ? "\(num)" : "\(num)/\(den)" }

    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }
}
