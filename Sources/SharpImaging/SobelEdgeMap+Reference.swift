import SharpFrames

extension SobelEdgeMap {
    /// Plain Swift definition of the edge map (the oracle for the row kernels): per pixel
    /// gx, gy with BORDER_REFLECT_101, magnitude in Float, normalised by the frame maximum.
    public func computeReference(_ frame: Frame, into output: GrayImage) {
        let (src, stride) = greyPlaneReference(of: frame)
        let w = width, h = height
        var maxMag: Float = 0
        func p(_ x: Int, _ y: Int) -> Int32 { Int32(src[reflect101(y, h) * stride + reflect101(x, w)]) }
        for y in 0..<h {
            for x in 0..<w {
                let gx =
                    (p(x + 1, y - 1) + 2 * p(x + 1, y) + p(x + 1, y + 1))
                    - (p(x - 1, y - 1) + 2 * p(x - 1, y) + p(x - 1, y + 1))
                let gy =
                    (p(x - 1, y + 1) + 2 * p(x, y + 1) + p(x + 1, y + 1))
                    - (p(x - 1, y - 1) + 2 * p(x, y - 1) + p(x + 1, y - 1))
                let m = Float(gx * gx + gy * gy).squareRoot()
                magnitude[y * w + x] = m
                maxMag = max(maxMag, m)
            }
        }
        for y in 0..<h {
            for x in 0..<w {
                output[x, y] = maxMag == 0 ? 0 : UInt8(min(magnitude[y * w + x] * (255 / maxMag), 255))
            }
        }
    }

    private func greyPlaneReference(of frame: Frame) -> (UnsafePointer<UInt8>, Int) {
        grey.loadGrey(from: frame)
        return (UnsafePointer(grey.base), grey.bytesPerRow)
    }
}
