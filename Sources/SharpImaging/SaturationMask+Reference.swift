import SharpFrames

extension SaturationMask {
    /// Plain Swift definition (the oracle for the row kernels): convert each pixel to RGB
    /// with `YUVToRGBCoefficients.rgb` and apply OpenCV's own table arithmetic literally,
    /// S = (diff · round((255 << 12) / V) + 2048) >> 12, mask = S ≥ 10.
    public static func computeReference(_ frame: Frame, into output: GrayImage) {
        func openCVSaturation(_ r: Int32, _ g: Int32, _ b: Int32) -> Int32 {
            let v = max(r, g, b), diff = v - min(r, g, b)
            let sdiv: Int32 = v == 0 ? 0 : Int32((Double(255 << 12) / Double(v)).rounded())
            return (diff * sdiv + (1 << 11)) >> 12
        }
        for y in 0..<frame.height {
            for x in 0..<frame.width {
                let rgb: (r: Int32, g: Int32, b: Int32)
                if frame.pixelFormat == .rgb24 {
                    let p = frame.planes[0].row(y) + 3 * x
                    rgb = (Int32(p[0]), Int32(p[1]), Int32(p[2]))
                } else {
                    let k = YUVToRGBCoefficients(frame.colorSpace)
                    let (u, v) = frame.chromaRows(forLumaRow: y)
                    rgb = k.rgb(y: frame.lumaRow(y)[x], cu: Int32(u[x / 2]) - 128, cv: Int32(v[x / 2]) - 128)
                }
                output[x, y] = openCVSaturation(rgb.r, rgb.g, rgb.b) >= 10 ? 255 : 0
            }
        }
    }
}
