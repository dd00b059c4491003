/// Where one row of luma or chroma samples lives inside a YUV frame, whatever its layout.
///
/// Invariant: sample `x` of the row is at `base[x * step]`; for chroma, sample `i` covers
/// pixels `2i` and `2i + 1`.
public struct SampleRow {
    public let base: UnsafeMutablePointer<UInt8>
    public let step: Int

    @inlinable @inline(__always)
    public init(_ base: UnsafeMutablePointer<UInt8>, step: Int) {
        self.base = base
        self.step = step
    }

    @inlinable @inline(__always)
    public subscript(_ x: Int) -> UInt8 {
        get { base[x &* step] }
        nonmutating set { base[x &* step] = newValue }
    }
}

extension Frame {
    /// Luma row `y` of a YUV frame (step 1 for planar layouts, 2 for YUYV).
    @inlinable
    public func lumaRow(_ y: Int) -> SampleRow {
        switch pixelFormat {
        case .yuyv: return SampleRow(planes[0].row(y), step: 2)
        case .i420, .nv12: return SampleRow(planes[0].row(y), step: 1)
        case .rgb24: preconditionFailure("lumaRow on an RGB frame")
        }
    }

    /// The Cb and Cr rows that cover luma row `y` of a YUV frame.
    @inlinable
    public func chromaRows(forLumaRow y: Int) -> (u: SampleRow, v: SampleRow) {
        switch pixelFormat {
        case .yuyv:
            let r = planes[0].row(y)
            return (SampleRow(r + 1, step: 4), SampleRow(r + 3, step: 4))
        case .i420:
            return (SampleRow(planes[1].row(y >> 1), step: 1), SampleRow(planes[2].row(y >> 1), step: 1))
        case .nv12:
            let r = planes[1].row(y >> 1)
            return (SampleRow(r, step: 2), SampleRow(r + 1, step: 2))
        case .rgb24: preconditionFailure("chromaRows on an RGB frame")
        }
    }
}
