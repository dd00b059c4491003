/// Row kernels that move samples between layouts. They take raw row pointers (callers fetch
/// them once per row), never allocate, and are specialised by constant sample steps: each
/// public entry point passes literal steps to an `@inline(__always)` body so the optimiser
/// emits one tight loop per layout.
///
/// Invariant: chroma is sited per pair of pixels; odd widths carry one trailing luma sample
/// whose chroma pair is incomplete (its YUYV `Y1` slot repeats `Y0`). The YUYV repacking and
/// YUV → RGB rows live in CSharpKernels (`sc_pixels()`), where AVX2 code is chosen at run time.
public enum PixelConversion {

    // MARK: I420 <-> NV12 chroma

    @inline(__always)
    static func interleave(
        _ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>, count: Int, _ uv: UnsafeMutablePointer<UInt8>
    ) {
        for i in 0..<count {
            uv[2 * i] = u[i]
            uv[2 * i + 1] = v[i]
        }
    }

    @inline(__always)
    static func deinterleave(
        _ uv: UnsafePointer<UInt8>, count: Int, _ u: UnsafeMutablePointer<UInt8>, _ v: UnsafeMutablePointer<UInt8>
    ) {
        for i in 0..<count {
            u[i] = uv[2 * i]
            v[i] = uv[2 * i + 1]
        }
    }

    // MARK: RGB -> YUV

    @inline(__always)
    static func luma(_ p: UnsafePointer<UInt8>, _ k: RGBToYUVCoefficients) -> UInt8 {
        let y = (k.yr &* Int32(p[0]) &+ k.yg &* Int32(p[1]) &+ k.yb &* Int32(p[2]) &+ (1 << 15)) >> 16
        return UInt8(clamping: y &+ k.yOffset)
    }

    /// Chroma of summed R, G, B over `1 << log2Count` pixels.
    @inline(__always)
    static func chroma(
        _ r: Int32, _ g: Int32, _ b: Int32, log2Count: Int32, _ k: RGBToYUVCoefficients
    ) -> (UInt8, UInt8) {
        let sh = 16 &+ log2Count
        let bias = (Int32(128) << sh) &+ (Int32(1) << (sh &- 1))
        let cb = (k.ur &* r &+ k.ug &* g &+ k.ub &* b &+ bias) >> sh
        let cr = (k.vr &* r &+ k.vg &* g &+ k.vb &* b &+ bias) >> sh
        return (UInt8(clamping: cb), UInt8(clamping: cr))
    }

    /// Converts two RGB rows to two luma rows and one 4:2:0 chroma row (chroma from the
    /// average of each 2x2 block; at odd edges the missing samples repeat the last ones).
    @inline(__always)
    static func rgbRowsToPlanar420(
        _ s0: UnsafePointer<UInt8>, _ s1: UnsafePointer<UInt8>, width: Int,
        _ y0: UnsafeMutablePointer<UInt8>, _ y1: UnsafeMutablePointer<UInt8>?,
        _ u: UnsafeMutablePointer<UInt8>, _ v: UnsafeMutablePointer<UInt8>, uvStep: Int,
        _ k: RGBToYUVCoefficients
    ) {
        for x in 0..<width { y0[x] = luma(s0 + 3 * x, k) }
        if let y1 { for x in 0..<width { y1[x] = luma(s1 + 3 * x, k) } }
        let cw = (width + 1) / 2
        for i in 0..<cw {
            let a = 6 * i
            let b = min(6 * i + 3, 3 * (width - 1))
            let r = Int32(s0[a]) &+ Int32(s0[b]) &+ Int32(s1[a]) &+ Int32(s1[b])
            let g = Int32(s0[a + 1]) &+ Int32(s0[b + 1]) &+ Int32(s1[a + 1]) &+ Int32(s1[b + 1])
            let bl = Int32(s0[a + 2]) &+ Int32(s0[b + 2]) &+ Int32(s1[a + 2]) &+ Int32(s1[b + 2])
            let (cb, cr) = chroma(r, g, bl, log2Count: 2, k)
            u[i * uvStep] = cb
            v[i * uvStep] = cr
        }
    }

    /// Converts one RGB row to a YUYV row (chroma from the average of each horizontal pair).
    @inline(__always)
    static func rgbRowToYUYV(
        _ s: UnsafePointer<UInt8>, width: Int, _ d: UnsafeMutablePointer<UInt8>, _ k: RGBToYUVCoefficients
    ) {
        let cw = (width + 1) / 2
        for i in 0..<cw {
            let a = 6 * i
            let b = min(6 * i + 3, 3 * (width - 1))
            d[4 * i] = luma(s + a, k)
            d[4 * i + 2] = luma(s + b, k)
            let r = Int32(s[a]) &+ Int32(s[b])
            let g = Int32(s[a + 1]) &+ Int32(s[b + 1])
            let bl = Int32(s[a + 2]) &+ Int32(s[b + 2])
            let (cb, cr) = chroma(r, g, bl, log2Count: 1, k)
            d[4 * i + 1] = cb
            d[4 * i + 3] = cr
        }
    }
}
