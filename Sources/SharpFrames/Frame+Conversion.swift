import CSharpKernels

extension Frame {
    /// Converts this frame's pixels into `destination`, which must have the same size; any
    /// pair of pixel formats is supported. Metadata (timestamp, sequence) is copied.
    ///
    /// - YUV → YUV repacks samples exactly (4:2:2 → 4:2:0 averages vertical chroma pairs,
    ///   4:2:0 → 4:2:2 repeats chroma rows) and the destination takes this frame's colour space.
    /// - YUV → RGB uses this frame's colour space; RGB → YUV uses the destination's.
    /// - Chroma is upsampled by repetition (as OpenCV and most webcam paths do) and
    ///   downsampled by averaging 2x2 (4:2:0) or 2x1 (4:2:2) blocks.
    public func convert(into destination: Frame) {
        precondition(
            destination.width == width && destination.height == height,
            "convert: size \(width)x\(height) -> \(destination.width)x\(destination.height)")
        let src = self, dst = destination
        let rgbSpace = dst.colorSpace
        dst.timestamp = timestamp
        dst.sequence = sequence
        if src.pixelFormat.isYUV { dst.colorSpace = src.colorSpace }
        let w = width, h = height
        switch (src.pixelFormat, dst.pixelFormat) {
        case let (a, b) where a == b:
            for (d, s) in zip(dst.planes, src.planes) { d.copy(from: s) }
            dst.colorSpace = src.colorSpace

        case (.yuyv, .i420), (.yuyv, .nv12):
            let k = sc_pixels().pointee
            let s = src.planes[0], yp = dst.planes[0]
            let nv = dst.pixelFormat == .nv12
            for cy in 0..<(h + 1) / 2 {
                let r0 = 2 * cy, r1 = min(2 * cy + 1, h - 1)
                let (u, v) =
                    nv
                    ? (dst.planes[1].row(cy), dst.planes[1].row(cy) + 1)
                    : (dst.planes[1].row(cy), dst.planes[2].row(cy))
                k.unpack_yuyv_rows(s.row(r0), s.row(r1), Int32(w), yp.row(r0), yp.row(r1), u, v, nv ? 2 : 1)
            }

        case (.i420, .yuyv), (.nv12, .yuyv):
            let k = sc_pixels().pointee
            let yp = src.planes[0], d = dst.planes[0]
            let nv = src.pixelFormat == .nv12
            for y in 0..<h {
                let (u, v) =
                    nv
                    ? (src.planes[1].row(y / 2), src.planes[1].row(y / 2) + 1)
                    : (src.planes[1].row(y / 2), src.planes[2].row(y / 2))
                k.pack_yuyv_row(yp.row(y), u, v, nv ? 2 : 1, Int32(w), d.row(y))
            }

        case (.i420, .nv12):
            dst.planes[0].copy(from: src.planes[0])
            let cw = (w + 1) / 2
            for cy in 0..<(h + 1) / 2 {
                PixelConversion.interleave(
                    src.planes[1].row(cy), src.planes[2].row(cy), count: cw, dst.planes[1].row(cy))
            }

        case (.nv12, .i420):
            dst.planes[0].copy(from: src.planes[0])
            let cw = (w + 1) / 2
            for cy in 0..<(h + 1) / 2 {
                PixelConversion.deinterleave(
                    src.planes[1].row(cy), count: cw, dst.planes[1].row(cy), dst.planes[2].row(cy))
            }

        case (.i420, .rgb24), (.nv12, .rgb24), (.yuyv, .rgb24):
            var k = YUVToRGBCoefficients(src.colorSpace).kernelCoefficients
            let kernels = sc_pixels().pointee, layout = src.pixelFormat.kernelLayout!
            let d = dst.planes[0]
            for y in 0..<h {
                let luma = src.lumaRow(y), (u, v) = src.chromaRows(forLumaRow: y)
                kernels.yuv_to_rgb_row(luma.base, u.base, v.base, Int32(w), layout, &k, d.row(y))
            }
            dst.colorSpace = src.colorSpace

        case (.rgb24, .i420), (.rgb24, .nv12):
            let k = RGBToYUVCoefficients(rgbSpace)
            let s = src.planes[0], yp = dst.planes[0]
            let nv = dst.pixelFormat == .nv12
            for cy in 0..<(h + 1) / 2 {
                let r0 = 2 * cy, r1 = min(2 * cy + 1, h - 1)
                let y1: UnsafeMutablePointer<UInt8>? = r1 == r0 ? nil : yp.row(r1)
                if nv {
                    let uv = dst.planes[1].row(cy)
                    PixelConversion.rgbRowsToPlanar420(
                        s.row(r0), s.row(r1), width: w, yp.row(r0), y1, uv, uv + 1, uvStep: 2, k)
                } else {
                    PixelConversion.rgbRowsToPlanar420(
                        s.row(r0), s.row(r1), width: w, yp.row(r0), y1,
                        dst.planes[1].row(cy), dst.planes[2].row(cy), uvStep: 1, k)
                }
            }
            dst.colorSpace = rgbSpace

        case (.rgb24, .yuyv):
            let k = RGBToYUVCoefficients(rgbSpace)
            for y in 0..<h { PixelConversion.rgbRowToYUYV(src.planes[0].row(y), width: w, dst.planes[0].row(y), k) }
            dst.colorSpace = rgbSpace

        default:
            preconditionFailure("unhandled conversion \(src.pixelFormat) -> \(dst.pixelFormat)")
        }
    }
}
