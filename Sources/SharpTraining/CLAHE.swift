import SharpImaging

/// Contrast-limited adaptive histogram equalisation of 8-bit luma, after OpenCV's
/// `createCLAHE(clipLimit: 2, tileGridSize: 8×8)`: per-tile histograms clipped at
/// `clipLimit · tileArea / 256` with the excess spread evenly, mapped through bilinearly
/// interpolated tile look-up tables. The seed applied CLAHE to its sharp images; SharpCam
/// applies it to BT.601 luma (Y of full-range YCbCr), leaving chroma as it was.
///
/// Invariant: pure; output has the input's size.
public enum CLAHE {
    public static func apply(_ image: RGBImage, clipLimit: Double = 2, tiles: Int = 8) -> RGBImage {
        let w = image.width, h = image.height
        var luma = [UInt8](repeating: 0, count: w * h)
        var cb = [Float](repeating: 0, count: w * h), cr = cb
        for i in 0..<(w * h) {
            let r = Float(image.pixels[3 * i]), g = Float(image.pixels[3 * i + 1]), b = Float(image.pixels[3 * i + 2])
            let y = 0.299 * r + 0.587 * g + 0.114 * b
            luma[i] = UInt8(min(max(y.rounded(), 0), 255))
            cb[i] = (b - y) / 1.772
            cr[i] = (r - y) / 1.402
        }
        let equalised = equalise(luma, width: w, height: h, clipLimit: clipLimit, tiles: tiles)
        var out = image
        for i in 0..<(w * h) {
            let y = Float(equalised[i])
            let r = y + 1.402 * cr[i], b = y + 1.772 * cb[i], g = (y - 0.299 * r - 0.114 * b) / 0.587
            for (c, v) in [r, g, b].enumerated() { out.pixels[3 * i + c] = UInt8(min(max(v.rounded(), 0), 255)) }
        }
        return out
    }

    static func equalise(_ src: [UInt8], width w: Int, height h: Int, clipLimit: Double, tiles: Int) -> [UInt8] {
        let tw = (w + tiles - 1) / tiles, th = (h + tiles - 1) / tiles
        let area = tw * th
        let clip = max(1, Int(clipLimit * Double(area) / 256))
        var luts = [[UInt8]](repeating: [], count: tiles * tiles)
        for ty in 0..<tiles {
            for tx in 0..<tiles {
                var hist = [Int](repeating: 0, count: 256)
                for y in (ty * th)..<((ty + 1) * th) {
                    for x in (tx * tw)..<((tx + 1) * tw) {
                        // Tiles past the picture edge read mirrored pixels (BORDER_REFLECT_101).
                        let yy = reflect101(y, h), xx = reflect101(x, w)
                        hist[Int(src[yy * w + xx])] += 1
                    }
                }
                var excess = 0
                for i in 0..<256 where hist[i] > clip { excess += hist[i] - clip; hist[i] = clip }
                let add = excess / 256
                var residual = excess % 256
                for i in 0..<256 { hist[i] += add }
                // OpenCV spreads the remainder at an even stride over the bins.
                let step = max(256 / max(residual, 1), 1)
                var i = 0
                while i < 256 && residual > 0 { hist[i] += 1; i += step; residual -= 1 }
                var sum = 0
                let scale = 255.0 / Double(area)
                luts[ty * tiles + tx] = hist.map { v in
                    sum += v; return UInt8(min(255, (Double(sum) * scale).rounded()))
                }
            }
        }
        var out = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h {
            let gy = Double(y) / Double(th) - 0.5
            let y0 = max(0, Int(gy.rounded(.down))), y1 = min(tiles - 1, y0 + 1)
            let fy = Float(min(max(gy - Double(y0), 0), 1))
            for x in 0..<w {
                let gx = Double(x) / Double(tw) - 0.5
                let x0 = max(0, Int(gx.rounded(.down))), x1 = min(tiles - 1, x0 + 1)
                let fx = Float(min(max(gx - Double(x0), 0), 1))
                let v = Int(src[y * w + x])
                let a = Float(luts[y0 * tiles + x0][v]) * (1 - fx) + Float(luts[y0 * tiles + x1][v]) * fx
                let b = Float(luts[y1 * tiles + x0][v]) * (1 - fx) + Float(luts[y1 * tiles + x1][v]) * fx
                out[y * w + x] = UInt8(min(max((a * (1 - fy) + b * fy).rounded(), 0), 255))
            }
        }
        return out
    }
}
