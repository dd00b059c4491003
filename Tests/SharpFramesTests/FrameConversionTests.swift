import CSharpKernels
import SharpFrames
import TestSupport
import Testing

/// Conversions between layouts: exact repacking where no information is lost, and YUV ↔ RGB
/// against a double-precision reference.
@Suite struct FrameConversionTests {
    static let sizes = [(64, 48), (321, 241), (1, 1), (2, 3), (7, 2)]

    func format(_ pf: PixelFormat, _ s: (Int, Int)) -> FrameFormat { FrameFormat(pf, width: s.0, height: s.1)! }

    /// A 4:2:0 frame carries no information that 4:2:2 or NV12 would lose, so going through
    /// any YUV layout and back is exact.
    @Test(arguments: [PixelFormat.yuyv, .nv12, .i420])
    func i420RoundTripsExactlyThroughEveryYUVLayout(_ via: PixelFormat) {
        for s in Self.sizes {
            let a = TestFrames.random(format(.i420, s), seed: UInt64(s.0 * 1000 + s.1))
            let mid = Frame(format: format(via, s))
            let back = Frame(format: format(.i420, s))
            a.convert(into: mid)
            mid.convert(into: back)
            #expect(TestFrames.bytes(a) == TestFrames.bytes(back), "\(s) via \(via)")
        }
    }

    @Test func nv12AndYUYVRoundTripThroughEachOther() {
        for s in Self.sizes {
            let a = TestFrames.random(format(.i420, s), seed: 7)
            let nv = Frame(format: format(.nv12, s)), yu = Frame(format: format(.yuyv, s)),
                nv2 = Frame(format: format(.nv12, s))
            a.convert(into: nv); nv.convert(into: yu); yu.convert(into: nv2)
            #expect(TestFrames.bytes(nv) == TestFrames.bytes(nv2), "\(s)")
        }
    }

    /// YUYV → I420 keeps luma and averages the two rows' chroma (rounding half up).
    @Test func yuyvToI420AveragesChromaVertically() {
        for s in Self.sizes {
            let src = TestFrames.random(format(.yuyv, s), seed: 3)
            let dst = Frame(format: format(.i420, s))
            src.convert(into: dst)
            let w = s.0, h = s.1, cw = (w + 1) / 2
            for y in 0..<h {
                let row = src.planes[0].row(y)
                for x in 0..<w { #expect(dst.planes[0].row(y)[x] == row[(x / 2) * 4 + (x % 2) * 2]) }
            }
            for cy in 0..<(h + 1) / 2 {
                let r0 = src.planes[0].row(2 * cy), r1 = src.planes[0].row(min(2 * cy + 1, h - 1))
                for i in 0..<cw {
                    #expect(Int(dst.planes[1].row(cy)[i]) == (Int(r0[4 * i + 1]) + Int(r1[4 * i + 1]) + 1) / 2)
                    #expect(Int(dst.planes[2].row(cy)[i]) == (Int(r0[4 * i + 3]) + Int(r1[4 * i + 3]) + 1) / 2)
                }
            }
        }
    }

    /// Double-precision R'G'B' from Y'CbCr for a colour space.
    static func referenceRGB(_ y: UInt8, _ u: UInt8, _ v: UInt8, _ cs: ColorSpace) -> [Double] {
        let (kr, kg, kb) = cs.matrix.lumaWeights
        let limited = cs.range == .limited
        let yn = limited ? max(Double(y) - 16, 0) * 255 / 219 : Double(y)
        let cs_ = limited ? 255.0 / 224.0 : 1.0
        let cb = (Double(u) - 128) * cs_, cr = (Double(v) - 128) * cs_
        let r = yn + 2 * (1 - kr) * cr
        let b = yn + 2 * (1 - kb) * cb
        let g = (yn - kr * r - kb * b) / kg
        return [r, g, b].map { min(max($0, 0), 255) }
    }

    @Test(arguments: [ColorSpace.bt601Limited, .bt601Full, .bt709Limited, .bt709Full])
    func yuvToRGBMatchesDoublePrecisionWithinOne(_ cs: ColorSpace) {
        for pf in [PixelFormat.i420, .nv12, .yuyv] {
            for s in [(64, 48), (33, 9)] {
                let src = TestFrames.random(format(pf, s), colorSpace: cs, seed: 11)
                let rgb = Frame(format: format(.rgb24, s))
                src.convert(into: rgb)
                #expect(rgb.colorSpace == cs)
                var worst = 0.0
                for y in 0..<s.1 {
                    let (u, v) = src.chromaRows(forLumaRow: y)
                    for x in 0..<s.0 {
                        let ref = Self.referenceRGB(src.lumaRow(y)[x], u[x / 2], v[x / 2], cs)
                        for c in 0..<3 { worst = max(worst, abs(Double(rgb.planes[0].row(y)[3 * x + c]) - ref[c])) }
                    }
                }
                // The BT.601 limited set uses OpenCV's 3-digit coefficients (1.164...), which are
                // within 0.75 of exact; the others are exact to 2^-20 and round to nearest.
                #expect(worst <= (cs == .bt601Limited ? 1.0 : 0.51), "\(pf) \(s) \(cs): \(worst)")
            }
        }
    }

    /// RGB → YUV: luma per pixel and chroma of the block average, against double precision.
    @Test(arguments: [ColorSpace.bt601Limited, .bt709Full])
    func rgbToYUVMatchesDoublePrecisionWithinOne(_ cs: ColorSpace) {
        let s = (37, 21)
        let rgb = TestFrames.random(format(.rgb24, s), seed: 5)
        let (kr, kg, kb) = cs.matrix.lumaWeights
        let limited = cs.range == .limited
        func px(_ x: Int, _ y: Int) -> [Double] {
            let p = rgb.planes[0].row(min(y, s.1 - 1)) + 3 * min(x, s.0 - 1)
            return [Double(p[0]), Double(p[1]), Double(p[2])]
        }
        for pf in [PixelFormat.i420, .yuyv] {
            let out = Frame(format: format(pf, s), colorSpace: cs)
            rgb.convert(into: out)
            for y in 0..<s.1 {
                let (u, v) = out.chromaRows(forLumaRow: y)
                for x in 0..<s.0 {
                    let p = px(x, y)
                    let yl = kr * p[0] + kg * p[1] + kb * p[2]
                    let yRef = limited ? 16 + yl * 219 / 255 : yl
                    #expect(abs(Double(out.lumaRow(y)[x]) - yRef) <= 0.51)
                    if x % 2 == 0 {
                        let rows = pf == .i420 ? [y / 2 * 2, y / 2 * 2 + 1] : [y]
                        var acc = [0.0, 0.0, 0.0]
                        for yy in rows {
                            for xx in [x, x + 1] {
                                let q = px(xx, yy); for c in 0..<3 { acc[c] += q[c] / Double(2 * rows.count) }
                            }
                        }
                        let ya = kr * acc[0] + kg * acc[1] + kb * acc[2]
                        let sc = limited ? 224.0 / 255.0 : 1.0
                        let cb = 128 + sc * (acc[2] - ya) / (2 * (1 - kb)),
                            cr = 128 + sc * (acc[0] - ya) / (2 * (1 - kr))
                        #expect(
                            abs(Double(u[x / 2]) - cb) <= 0.51 && abs(Double(v[x / 2]) - cr) <= 0.51,
                            "\(pf) (\(x),\(y))")
                    }
                }
            }
        }
    }

    @Test func greyRGBMapsToNeutralChromaExactly() {
        let s = (16, 4)
        let rgb = Frame(format: format(.rgb24, s))
        for y in 0..<4 { for x in 0..<16 { for c in 0..<3 { rgb.planes[0].row(y)[3 * x + c] = UInt8(x * 16 + y) } } }
        for cs in [ColorSpace.bt601Limited, .bt709Full] {
            let out = Frame(format: format(.i420, s), colorSpace: cs)
            rgb.convert(into: out)
            #expect(out.planes[1].row(0)[0] == 128 && out.planes[2].row(1)[7] == 128)
        }
    }

    /// The AVX2 and AVX-512 kernel tables agree bit for bit with portable on YUV → RGB.
    @Test(.enabled(if: sc_pixels_avx2() != nil, "needs an AVX2 CPU"))
    func kernelTablesAgreeOnYUVToRGB() throws {
        let portable = sc_pixels_portable()!
        for avx2 in [sc_pixels_avx2(), sc_pixels_avx512()].compactMap({ $0 }) {
            for pf in [PixelFormat.i420, .nv12, .yuyv] {
                let src = TestFrames.random(format(pf, (517, 3)), colorSpace: .bt709Limited, seed: 99)
                var k = YUVToRGBCoefficients(.bt709Limited).kernelCoefficients
                var a = [UInt8](repeating: 0, count: 517 * 3), b = a
                let luma = src.lumaRow(1), (u, v) = src.chromaRows(forLumaRow: 1)
                avx2.pointee.yuv_to_rgb_row(luma.base, u.base, v.base, 517, pf.kernelLayout!, &k, &a)
                portable.pointee.yuv_to_rgb_row(luma.base, u.base, v.base, 517, pf.kernelLayout!, &k, &b)
                #expect(a == b)
            }
        }
    }

    @Test(.enabled(if: sc_pixels_avx2() != nil, "needs an AVX2 CPU"))
    func kernelTablesAgreeOnYUYVRepacking() throws {
        let portable = sc_pixels_portable()!.pointee
        for avx2 in [sc_pixels_avx2(), sc_pixels_avx512()].compactMap({ $0?.pointee }) {
            for w in [1, 2, 3, 64, 517] {
                let s0 = TestFrames.random(format(.yuyv, (w, 2)), seed: UInt64(w))
                for uvStep: Int32 in [1, 2] {
                    let n = (w + 1) / 2 * Int(uvStep)
                    var out: [[UInt8]] = []
                    for k in [avx2, portable] {
                        var y0 = [UInt8](repeating: 0, count: w), y1 = y0, u = [UInt8](repeating: 0, count: n), v = u
                        k.unpack_yuyv_rows(s0.planes[0].row(0), s0.planes[0].row(1), Int32(w), &y0, &y1, &u, &v, uvStep)
                        var packed = [UInt8](repeating: 0, count: (w + 1) / 2 * 4)
                        k.pack_yuyv_row(y0, u, v, uvStep, Int32(w), &packed)
                        out.append(y0 + y1 + u + v + packed)
                    }
                    #expect(out[0] == out[1], "w \(w) step \(uvStep)")
                }
            }
        }
    }
}
