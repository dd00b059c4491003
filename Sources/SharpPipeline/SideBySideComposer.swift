import SharpFrames

/// Puts two frames of one format next to each other (left | right) in one frame of twice
/// the (even-rounded) width, for before/after comparisons.
///
/// Invariant: each half is `halfWidth = width rounded up to even` pixels wide, so chroma
/// pairs never straddle the seam; an odd width's extra column repeats the last one.
public final class SideBySideComposer {
    public let input: FrameFormat
    public let halfWidth: Int
    /// The composed frames' format.
    public let outputFormat: FrameFormat
    /// Where `compose(_:_:)` writes.
    public let output: Frame

    /// - Returns: nil when twice the width is beyond what a frame can hold.
    public init?(input: FrameFormat) {
        self.input = input
        halfWidth = (input.width + 1) / 2 * 2
        guard let format = FrameFormat(input.pixelFormat, width: 2 * halfWidth, height: input.height) else {
            return nil
        }
        outputFormat = format
        output = Frame(format: format)
    }

    /// Composes `left | right` into `output` and returns it (metadata from `right`).
    @discardableResult
    public func compose(_ left: Frame, _ right: Frame) -> Frame {
        compose(left, right, into: output)
        return output
    }

    /// Composes `left | right` into `output` (a frame of `outputFormat`; metadata from `right`).
    public func compose(_ left: Frame, _ right: Frame, into output: Frame) {
        precondition(left.format == input && right.format == input, "SideBySideComposer: unexpected formats")
        precondition(output.format == outputFormat, "SideBySideComposer: output is not \(outputFormat)")
        let odd = input.width % 2 == 1
        let bpp = input.pixelFormat == .rgb24 ? 3 : 1
        for (pi, dst) in output.planes.enumerated() {
            let l = left.planes[pi], r = right.planes[pi]
            let halfBytes = dst.rowBytes / 2
            for y in 0..<dst.rows {
                let d = dst.row(y)
                d.update(from: l.row(y), count: l.rowBytes)
                (d + halfBytes).update(from: r.row(y), count: r.rowBytes)
                if odd && l.rowBytes < halfBytes && (pi == 0 || input.pixelFormat == .rgb24) {
                    // Repeat the last pixel of each half into its padding column.
                    (d + l.rowBytes).update(from: d + l.rowBytes - bpp, count: bpp)
                    (d + halfBytes + r.rowBytes).update(from: d + halfBytes + r.rowBytes - bpp, count: bpp)
                }
            }
        }
        output.copyMetadata(from: right)
    }
}
