import SharpFrames

/// How a picture whose aspect ratio differs from the output's is fitted into it.
///
/// Invariant: `crop` and `pad` keep the picture's aspect ratio (to the nearest even pixel);
/// only `stretch` distorts it.
public enum FrameFit: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Scale to fill the output and cut the overhang, centred (no bars, no distortion).
    case crop
    /// Scale to fit inside the output and fill the rest with black bars, centred.
    case pad
    /// Scale each axis independently (faces look wider or narrower).
    case stretch

    public var description: String { rawValue }

    /// The part of the source that is used and where it goes in the destination.
    public struct Placement: Equatable, Sendable, CustomStringConvertible {
        public var source: Rect
        public var destination: Rect
        public var description: String { "\(source) → \(destination)" }
    }

    /// A pixel rectangle.
    public struct Rect: Equatable, Sendable, CustomStringConvertible {
        public var x: Int, y: Int, width: Int, height: Int
        public init(x: Int, y: Int, width: Int, height: Int) {
            self.x = x; self.y = y; self.width = width; self.height = height
        }
        public var description: String { "\(width)x\(height)+\(x)+\(y)" }
    }

    /// Where a `sourceWidth`×`sourceHeight` picture goes in a `width`×`height` output.
    ///
    /// Offsets and cropped or padded extents are even, so 4:2:0 and 4:2:2 chroma stay aligned
    /// (a full extent keeps its parity); the kept rectangle is centred.
    public func placement(sourceWidth sw: Int, sourceHeight sh: Int, width dw: Int, height dh: Int) -> Placement {
        let full = Placement(
            source: Rect(x: 0, y: 0, width: sw, height: sh), destination: Rect(x: 0, y: 0, width: dw, height: dh))
        // Equal aspect ratios (cross products) or stretching: the whole picture onto the whole output.
        if self == .stretch || sw * dh == sh * dw { return full }
        func even(_ v: Double) -> Int { max(2, Int((v / 2).rounded()) * 2) }
        var p = full
        let sourceWider = sw * dh > sh * dw
        switch self {
        case .crop:
            if sourceWider {
                let w = min(sw, even(Double(sh) * Double(dw) / Double(dh)))
                p.source = Rect(x: (sw - w) / 4 * 2, y: 0, width: w, height: sh)
            } else {
                let h = min(sh, even(Double(sw) * Double(dh) / Double(dw)))
                p.source = Rect(x: 0, y: (sh - h) / 4 * 2, width: sw, height: h)
            }
        case .pad:
            if sourceWider {
                let h = min(dh, even(Double(dw) * Double(sh) / Double(sw)))
                p.destination = Rect(x: 0, y: (dh - h) / 4 * 2, width: dw, height: h)
            } else {
                let w = min(dw, even(Double(dh) * Double(sw) / Double(sh)))
                p.destination = Rect(x: (dw - w) / 4 * 2, y: 0, width: w, height: dh)
            }
        case .stretch: break
        }
        return p
    }
}

extension PixelFormat {
    /// Byte offset of pixel (`x`, `y`) in plane `plane` (`x`, `y` even for subsampled formats).
    func byteOffset(plane: Int, x: Int, y: Int, bytesPerRow: Int) -> Int {
        switch (self, plane) {
        case (.yuyv, _): return y * bytesPerRow + x * 2
        case (.rgb24, _): return y * bytesPerRow + x * 3
        case (.i420, 0), (.nv12, 0): return y * bytesPerRow + x
        case (.i420, _): return y / 2 * bytesPerRow + x / 2
        case (.nv12, _): return y / 2 * bytesPerRow + x
        }
    }
}
