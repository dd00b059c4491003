import Foundation
import SharpImaging

/// An in-place iterative radix-2 complex FFT (Double), for Wiener deconvolution.
///
/// Invariant: lengths are powers of two; `inverse` includes the 1/n scaling.
enum FFT {
    static func transform(_ re: inout [Double], _ im: inout [Double], inverse: Bool) {
        let n = re.count
        precondition(n & (n - 1) == 0 && n > 0, "FFT length must be a power of two")
        var j = 0
        for i in 1..<n {
            var bit = n >> 1
            while j & bit != 0 { j ^= bit; bit >>= 1 }
            j |= bit
            if i < j { re.swapAt(i, j); im.swapAt(i, j) }
        }
        var len = 2
        while len <= n {
            let angle = (inverse ? 2 : -2) * Double.pi / Double(len)
            let wr = cos(angle), wi = sin(angle)
            var start = 0
            while start < n {
                var cr = 1.0, ci = 0.0
                for k in 0..<(len / 2) {
                    let a = start + k, b = a + len / 2
                    let tr = re[b] * cr - im[b] * ci, ti = re[b] * ci + im[b] * cr
                    re[b] = re[a] - tr; im[b] = im[a] - ti
                    re[a] += tr; im[a] += ti
                    let nr = cr * wr - ci * wi
                    ci = cr * wi + ci * wr
                    cr = nr
                }
                start += len
            }
            len <<= 1
        }
        if inverse { for i in 0..<n { re[i] /= Double(n); im[i] /= Double(n) } }
    }

    /// 2-D transform of a w×h array (row-major), in place.
    static func transform2D(_ re: inout [Double], _ im: inout [Double], width w: Int, height h: Int, inverse: Bool) {
        var rr = [Double](repeating: 0, count: w), ri = rr
        for y in 0..<h {
            for x in 0..<w { rr[x] = re[y * w + x]; ri[x] = im[y * w + x] }
            transform(&rr, &ri, inverse: inverse)
            for x in 0..<w { re[y * w + x] = rr[x]; im[y * w + x] = ri[x] }
        }
        var cr = [Double](repeating: 0, count: h), ci = cr
        for x in 0..<w {
            for y in 0..<h { cr[y] = re[y * w + x]; ci[y] = im[y * w + x] }
            transform(&cr, &ci, inverse: inverse)
            for y in 0..<h { re[y * w + x] = cr[y]; im[y * w + x] = ci[y] }
        }
    }

    static func nextPowerOfTwo(_ n: Int) -> Int { var p = 1; while p < n { p <<= 1 }; return p }
}

/// Wiener deconvolution with a known point-spread function: X = Y·H* / (|H|² + K) per
/// channel, on the picture extended by mirroring (to a power-of-two size) so that circular
/// convolution does not wrap edges into each other.
///
/// Invariant: output has the input's size; K is the noise-to-signal power ratio.
public struct WienerDeconvolution {
    public let psf: [Double]
    public let psfWidth: Int
    public let psfHeight: Int

    /// A separable Gaussian PSF with explicit tap counts per axis.
    public static func gaussian(sigmaX: Double, sigmaY: Double, radiusX: Int, radiusY: Int) -> WienerDeconvolution {
        func taps(_ s: Double, _ r: Int) -> [Double] {
            let raw = (-r...r).map { s > 0 ? exp(-Double($0 * $0) / (2 * s * s)) : ($0 == 0 ? 1 : 0) }
            let sum = raw.reduce(0, +)
            return raw.map { $0 / sum }
        }
        let tx = taps(sigmaX, radiusX), ty = taps(sigmaY, radiusY)
        var psf = [Double](repeating: 0, count: tx.count * ty.count)
        for y in ty.indices { for x in tx.indices { psf[y * tx.count + x] = ty[y] * tx[x] } }
        return WienerDeconvolution(psf: psf, psfWidth: tx.count, psfHeight: ty.count)
    }

    /// Deconvolves `image` for each K in `ks` (the spectra are computed once).
    public func apply(_ image: RGBImage, ks: [Double]) -> [RGBImage] {
        let w = image.width, h = image.height
        let mx = psfWidth, my = psfHeight
        let W = FFT.nextPowerOfTwo(w + 2 * mx), H = FFT.nextPowerOfTwo(h + 2 * my)
        // Transfer function: the PSF centred at the origin (wrapped).
        var hr = [Double](repeating: 0, count: W * H), hi = hr
        for y in 0..<my {
            for x in 0..<mx {
                let yy = (y - my / 2 + H) % H, xx = (x - mx / 2 + W) % W
                hr[yy * W + xx] = psf[y * mx + x]
            }
        }
        FFT.transform2D(&hr, &hi, width: W, height: H, inverse: false)
        var results = ks.map { _ in RGBImage(width: w, height: h) }
        for c in 0..<3 {
            // Mirror-extend into the W×H canvas (symmetric about the picture's edges).
            var yr = [Double](repeating: 0, count: W * H), yi = yr
            let ox = (W - w) / 2, oy = (H - h) / 2
            for y in 0..<H {
                for x in 0..<W {
                    let sy = StructuralSimilarity.reflect(y - oy, h), sx = StructuralSimilarity.reflect(x - ox, w)
                    yr[y * W + x] = Double(image.pixels[(sy * w + sx) * 3 + c])
                }
            }
            FFT.transform2D(&yr, &yi, width: W, height: H, inverse: false)
            for (ki, k) in ks.enumerated() {
                var xr = [Double](repeating: 0, count: W * H), xi = xr
                for i in 0..<(W * H) {
                    let d = hr[i] * hr[i] + hi[i] * hi[i] + k
                    // Y · conj(H) / d
                    xr[i] = (yr[i] * hr[i] + yi[i] * hi[i]) / d
                    xi[i] = (yi[i] * hr[i] - yr[i] * hi[i]) / d
                }
                FFT.transform2D(&xr, &xi, width: W, height: H, inverse: true)
                for y in 0..<h {
                    for x in 0..<w {
                        results[ki].pixels[(y * w + x) * 3 + c] = UInt8(
                            min(max(xr[(y + oy) * W + x + ox].rounded(), 0), 255))
                    }
                }
            }
        }
        return results
    }
}
