import CJPEGCodec
import Foundation
import SharpImaging

/// Resampling, blur, noise and compression on planar float images [C, H, W] (values in
/// [0, 1]), with OpenCV's semantics where a protocol names them.
///
/// Invariant: pure functions; no shared state.
public enum ImageOps {
    /// Separable Gaussian blur of each channel with an explicit kernel (BORDER_REFLECT_101).
    public static func gaussianBlur(
        _ x: [Float], channels: Int, height h: Int, width w: Int, kernel: GaussianKernel
    ) -> [Float] {
        let r = kernel.radius, taps = kernel.weights.map(Float.init)
        var tmp = [Float](repeating: 0, count: x.count), out = tmp
        for c in 0..<channels {
            let base = c * h * w
            for y in 0..<h {
                for xx in 0..<w {
                    var s: Float = 0
                    for k in -r...r { s += taps[k + r] * x[base + y * w + reflect101(xx + k, w)] }
                    tmp[base + y * w + xx] = s
                }
            }
            for y in 0..<h {
                for xx in 0..<w {
                    var s: Float = 0
                    for k in -r...r { s += taps[k + r] * tmp[base + reflect101(y + k, h) * w + xx] }
                    out[base + y * w + xx] = s
                }
            }
        }
        return out
    }

    /// OpenCV INTER_AREA downscaling (box filter with fractional coverage) to `ow`×`oh`;
    /// enlarging falls back to bilinear, as OpenCV's INTER_AREA does.
    public static func areaResize(
        _ x: [Float], channels: Int, height h: Int, width w: Int, toHeight oh: Int, width ow: Int
    ) -> [Float] {
        if ow > w || oh > h {
            return bilinearResize(x, channels: channels, height: h, width: w, toHeight: oh, width: ow)
        }
        func weights(_ n: Int, _ on: Int) -> [[(Int, Float)]] {
            let scale = Double(n) / Double(on)
            return (0..<on).map { o in
                let a = Double(o) * scale, b = Double(o + 1) * scale
                var ws: [(Int, Float)] = []
                var i = Int(a.rounded(.down))
                while Double(i) < b && i < n {
                    let cover = min(b, Double(i + 1)) - max(a, Double(i))
                    if cover > 1e-9 { ws.append((i, Float(cover / scale))) }
                    i += 1
                }
                return ws
            }
        }
        let wx = weights(w, ow), wy = weights(h, oh)
        var out = [Float](repeating: 0, count: channels * oh * ow)
        var tmp = [Float](repeating: 0, count: h * ow)
        for c in 0..<channels {
            let base = c * h * w
            for y in 0..<h {
                for o in 0..<ow {
                    var s: Float = 0
                    for (i, f) in wx[o] { s += f * x[base + y * w + i] }
                    tmp[y * ow + o] = s
                }
            }
            for o in 0..<oh {
                for xx in 0..<ow {
                    var s: Float = 0
                    for (i, f) in wy[o] { s += f * tmp[i * ow + xx] }
                    out[(c * oh + o) * ow + xx] = s
                }
            }
        }
        return out
    }

    /// OpenCV INTER_LINEAR resizing (half-pixel centres, edge clamp, no anti-aliasing).
    public static func bilinearResize(
        _ x: [Float], channels: Int, height h: Int, width w: Int, toHeight oh: Int, width ow: Int
    ) -> [Float] {
        func taps(_ n: Int, _ on: Int) -> [(Int, Int, Float)] {
            let scale = Double(n) / Double(on)
            return (0..<on).map { o in
                var s = (Double(o) + 0.5) * scale - 0.5
                s = max(s, 0)
                let i0 = min(Int(s), n - 1), i1 = min(i0 + 1, n - 1)
                return (i0, i1, Float(s - Double(i0)))
            }
        }
        let tx = taps(w, ow), ty = taps(h, oh)
        var out = [Float](repeating: 0, count: channels * oh * ow)
        for c in 0..<channels {
            let base = c * h * w
            for o in 0..<oh {
                let (y0, y1, fy) = ty[o]
                for p in 0..<ow {
                    let (x0, x1, fx) = tx[p]
                    let a = x[base + y0 * w + x0] * (1 - fx) + x[base + y0 * w + x1] * fx
                    let b = x[base + y1 * w + x0] * (1 - fx) + x[base + y1 * w + x1] * fx
                    out[(c * oh + o) * ow + p] = a * (1 - fy) + b * fy
                }
            }
        }
        return out
    }

    /// Bilinear samples of planar `x` [channels, h, w] on the grid `xs` × `ys` (source pixel
    /// coordinates, pixel centres at integers; outside the picture the edge is repeated):
    /// [channels, ys.count, xs.count]. Camera motion (shifts, zooms) for the evaluation sequences.
    public static func bilinearSample(
        _ x: [Float], channels: Int, height h: Int, width w: Int, xs: [Double], ys: [Double]
    ) -> [Float] {
        precondition(w >= 2 && h >= 2, "bilinearSample needs at least 2x2 pixels")
        func taps(_ s: Double, _ n: Int) -> (Int, Float) {
            let i0 = min(max(Int(s.rounded(.down)), 0), n - 2)
            return (i0, Float(min(max(s - Double(i0), 0), 1)))
        }
        let tx = xs.map { taps($0, w) }, ty = ys.map { taps($0, h) }
        let cw = xs.count, ch = ys.count
        var out = [Float](repeating: 0, count: channels * cw * ch)
        for c in 0..<channels {
            let p = c * h * w
            for (yy, (y0, fy)) in ty.enumerated() {
                let r0 = p + y0 * w, r1 = r0 + w
                for (xx, (x0, fx)) in tx.enumerated() {
                    let a = x[r0 + x0] * (1 - fx) + x[r0 + x0 + 1] * fx, b = x[r1 + x0] * (1 - fx) + x[r1 + x0 + 1] * fx
                    out[(c * ch + yy) * cw + xx] = a * (1 - fy) + b * fy
                }
            }
        }
        return out
    }

    /// Rounds to 8-bit levels (as a camera or a PNG would), keeping [0, 1] scaling.
    public static func quantized(_ x: [Float]) -> [Float] {
        x.map { (min(max($0, 0), 1) * 255).rounded() / 255 }
    }

    /// JPEG at IJG `quality` (libjpeg, 4:2:0) of a [3, H, W] image, decoded back.
    public static func jpeg(_ x: [Float], height h: Int, width w: Int, quality: Int) -> [Float] {
        let rgb = RGBImage(planar: x, width: w, height: h)
        var out = [UInt8](repeating: 0, count: rgb.pixels.count)
        var err = [CChar](repeating: 0, count: 256)
        let status = rgb.pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                sc_jpeg_roundtrip(
                    src.baseAddress!, Int32(w), Int32(h), Int32(quality), dst.baseAddress!, &err, err.count)
            }
        }
        precondition(
            status == 0,
            """
            JPEG round trip failed: \
            \(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
            """
        )
        return RGBImage(width: w, height: h, pixels: out).planar
    }

    /// BT.601 luma of a [3, H, W] image: [H, W].
    public static func luma(_ x: [Float], height h: Int, width w: Int) -> [Float] {
        let plane = h * w
        return (0..<plane).map { 0.299 * x[$0] + 0.587 * x[plane + $0] + 0.114 * x[2 * plane + $0] }
    }

    /// Flips and 90° rotations of a [C, H, W] square image: `mode` 0...7 (bit 0: horizontal
    /// flip, bits 1-2: quarter turns).
    public static func augment(_ x: [Float], channels: Int, size n: Int, mode: Int) -> [Float] {
        var out = [Float](repeating: 0, count: x.count)
        let turns = (mode >> 1) & 3, flip = mode & 1 == 1
        for c in 0..<channels {
            for y in 0..<n {
                for xx in 0..<n {
                    var (sy, sx) = (y, xx)
                    for _ in 0..<turns { (sy, sx) = (sx, n - 1 - sy) }
                    if flip { sx = n - 1 - sx }
                    out[(c * n + y) * n + xx] = x[(c * n + sy) * n + sx]
                }
            }
        }
        return out
    }
}
