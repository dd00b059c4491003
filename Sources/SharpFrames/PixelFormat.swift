/// The pixel layouts a `Frame` can hold. Every layout is 8 bits per sample.
///
/// Invariant: chroma planes of subsampled formats have `(width + 1) / 2` samples per row (and
/// `(height + 1) / 2` rows for 4:2:0), so odd widths and heights are represented exactly; the
/// last chroma sample of an odd row covers a single luma sample.
public enum PixelFormat: String, Sendable, CaseIterable, CustomStringConvertible {
    /// Packed 4:2:2, Y0 U Y1 V per pair of pixels (V4L2 `YUYV`, FFmpeg `yuyv422`).
    case yuyv
    /// Planar 4:2:0: Y, then U, then V (FFmpeg `yuv420p`).
    case i420
    /// Semi-planar 4:2:0: Y, then interleaved U V (FFmpeg `nv12`).
    case nv12
    /// Packed R G B, one byte each.
    case rgb24

    public var description: String { rawValue }

    /// Whether samples are Y'CbCr (as opposed to R'G'B').
    public var isYUV: Bool { self != .rgb24 }

    /// Number of separately stored planes.
    public var planeCount: Int {
        switch self {
        case .yuyv, .rgb24: return 1
        case .nv12: return 2
        case .i420: return 3
        }
    }

    /// Meaningful bytes per row and number of rows of each plane for a frame of the given size.
    public func planeExtents(width: Int, height: Int) -> [(rowBytes: Int, rows: Int)] {
        let cw = (width + 1) / 2, ch = (height + 1) / 2
        switch self {
        case .yuyv: return [(cw * 4, height)]
        case .i420: return [(width, height), (cw, ch), (cw, ch)]
        case .nv12: return [(width, height), (cw * 2, ch)]
        case .rgb24: return [(width * 3, height)]
        }
    }
}
