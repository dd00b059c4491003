import CSharpKernels
import Foundation
import SharpFrames
import SharpImaging
import TestSupport
import Testing

/// Every optimised row kernel against the plain Swift reference beside it, on random frames
/// of odd and tiny sizes, in every layout and colour space.
@Suite struct KernelReferenceTests {
    static let sizes = [(1, 1), (2, 1), (1, 5), (3, 3), (67, 31), (320, 17)]

    @Test(arguments: PixelFormat.allCases)
    func sobelKernelEqualsReference(_ pf: PixelFormat) {
        for (w, h) in Self.sizes {
            let f = TestFrames.random(FrameFormat(pf, width: w, height: h)!, seed: UInt64(w * 31 + h))
            let s = SobelEdgeMap(width: w, height: h)
            let a = GrayImage(width: w, height: h), b = GrayImage(width: w, height: h)
            s.compute(f, into: a)
            s.computeReference(f, into: b)
            #expect(a.pixels == b.pixels, "\(pf) \(w)x\(h)")
        }
    }

    @Test func flatFrameHasAnAllZeroEdgeMap() {
        let f = Frame(format: FrameFormat(.i420, width: 40, height: 30)!)
        f.fillGrey(77)
        let s = SobelEdgeMap(width: 40, height: 30), out = GrayImage(width: 40, height: 30)
        out.row(0)[0] = 9
        s.compute(f, into: out)
        #expect(out.pixels.allSatisfy { $0 == 0 })
    }

    @Test(arguments: [ColorSpace.bt601Limited, .bt601Full, .bt709Limited, .bt709Full])
    func maskKernelEqualsOpenCVTableArithmetic(_ cs: ColorSpace) {
        for pf in PixelFormat.allCases {
            for (w, h) in Self.sizes + [(600, 4)] {
                let f = TestFrames.random(
                    FrameFormat(pf, width: w, height: h)!, colorSpace: cs, seed: UInt64(w + 7 * h))
                let a = GrayImage(width: w, height: h), b = GrayImage(width: w, height: h)
                SaturationMask().compute(f, into: a)
                SaturationMask.computeReference(f, into: b)
                #expect(a.pixels == b.pixels, "\(pf) \(cs) \(w)x\(h)")
            }
        }
    }

    @Test(arguments: PixelFormat.allCases)
    func unsharpKernelEqualsReferenceWithinOne(_ pf: PixelFormat) {
        for (w, h) in Self.sizes {
            let f = TestFrames.random(FrameFormat(pf, width: w, height: h)!, seed: 5)
            let u = UnsharpMask(width: w, height: h, sigma: 1.3, amount: 1.5)
            let a = Frame(format: f.format), b = Frame(format: f.format)
            u.apply(f, strength: 0.8, into: a)
            u.applyReference(f, strength: 0.8, into: b)
            #expect(TestFrames.maxDifference(TestFrames.bytes(a), TestFrames.bytes(b)) <= 1, "\(pf) \(w)x\(h)")
        }
    }

    /// Portable and AVX2 tables agree: bit for bit for integer kernels, within float rounding
    /// (FMA contraction) for the blur.
    @Test(.enabled(if: sc_pixels_avx2() != nil, "needs an AVX2 CPU"))
    func portableAndAVX2TablesAgree() throws {
        try tablesAgree(try #require(sc_pixels_avx2()).pointee, sc_pixels_portable()!.pointee)
    }

    /// The AVX-512 table (helper-written intrinsics for the hottest ChromaTransfer and mask
    /// kernels, the compiler's 512-bit loops for the rest) agrees with portable the same way;
    /// Tests/CKernels/pixels_isa_test.c compares every kernel on many more widths and layouts.
    @Test(.enabled(if: sc_pixels_avx512() != nil, "needs an AVX-512 CPU"))
    func portableAndAVX512TablesAgree() throws {
        try tablesAgree(try #require(sc_pixels_avx512()).pointee, sc_pixels_portable()!.pointee)
        if ProcessInfo.processInfo.environment["SHARPCAM_ISA"] == nil {
            #expect(String(cString: sc_pixels().pointee.name) == "avx512")
        }
    }

    func tablesAgree(_ fast: sc_pixel_kernels, _ slow: sc_pixel_kernels) throws {
        var rng = TestFrames.Random(seed: 42)
        let w = 1001
        let a = (0..<3 * (w + 2)).map { _ in rng.byte() }
        var out1 = [UInt8](repeating: 0, count: w), out2 = out1
        fast.grey_from_rgb24(a, Int32(w), &out1); slow.grey_from_rgb24(a, Int32(w), &out2)
        #expect(out1 == out2)
        fast.mask_rgb_row(a, Int32(w), &out1); slow.mask_rgb_row(a, Int32(w), &out2)
        #expect(out1 == out2)
        var s1 = [Int16](repeating: 0, count: 2 * (w + 2)), s2 = s1
        var m1 = [Float](repeating: 0, count: w), m2 = m1
        let r1 = fast.sobel_magnitude_row(a, Array(a[w...]), Array(a[(2 * w)...]), Int32(w), &s1, &m1)
        let r2 = slow.sobel_magnitude_row(a, Array(a[w...]), Array(a[(2 * w)...]), Int32(w), &s1, &m2)
        _ = s2
        #expect(r1 == r2 && m1 == m2)
        let fin = (0..<(w + 8)).map { _ in Float(rng.byte()) }
        let taps: [Float] = [0.05, 0.25, 0.4, 0.25, 0.05]
        var c1 = [Float](repeating: 0, count: w), c2 = c1
        fast.convolve_row(fin, Int32(w), taps, 5, &c1); slow.convolve_row(fin, Int32(w), taps, 5, &c2)
        #expect(zip(c1, c2).allSatisfy { abs($0 - $1) <= 1e-4 })

        // ChromaTransfer kernels: exact on its centred, dyadic values; slopes within rounding.
        let cw = (w + 1) / 2
        for (ystep, cstep) in [(1, 1), (1, 2), (2, 4)] {
            let rows = (0..<4).map { _ in (0..<(2 * w + 4)).map { _ in rng.byte() } }
            var g1 = [Float](repeating: 0, count: cw), g2 = g1, d1 = g1, d2 = g1, u1 = g1, u2 = g1, v1 = g1, v2 = g1
            fast.ct_gather_yuv_row(
                rows[0], rows[1], rows[2], rows[3], Int32(ystep), Int32(w), rows[0], rows[1], Int32(cstep), Int32(cw),
                &g1, &d1, &u1, &v1)
            slow.ct_gather_yuv_row(
                rows[0], rows[1], rows[2], rows[3], Int32(ystep), Int32(w), rows[0], rows[1], Int32(cstep), Int32(cw),
                &g2, &d2, &u2, &v2)
            #expect(g1 == g2 && d1 == d2 && u1 == u2 && v1 == v2, "gather \(ystep) \(cstep)")
        }
        let n = 200, nc = 2, stats = 2 + 2 * nc
        let g = (0..<n).map { _ in Float(rng.byte()) * 0.25 - 32 },
            ch = (0..<(nc * n)).map { _ in Float(rng.byte()) - 128 }
        var col1 = [Float](repeating: 0, count: stats * n), col2 = col1
        let g2 = g.reversed().map { $0 + 0.5 }, ch2 = ch.reversed().map { $0 + 1 }
        for (t, kernels) in [fast, slow].enumerated() {
            var col = [Float](repeating: 0, count: stats * n)
            kernels.ct_accumulate_row(g, ch, nil, nil, n, Int32(nc), Int32(n), &col)  // + row 1
            kernels.ct_accumulate_row(g2, ch2, nil, nil, n, Int32(nc), Int32(n), &col)  // + row 2
            kernels.ct_accumulate_row(g, ch, g2, ch2, n, Int32(nc), Int32(n), &col)  // + row 1 − row 2
            kernels.ct_accumulate_row(nil, nil, g, ch, n, Int32(nc), Int32(n), &col)  // − row 1
            if t == 0 { col1 = col } else { col2 = col }
        }
        #expect(col1 == col2)
        // What is left is row 1's statistics, exactly.
        #expect(Array(col1[0..<n]) == g && Array(col1[n..<(2 * n)]) == g.map { $0 * $0 })
        #expect(
            Array(col1[(2 * n)..<(3 * n)]) == Array(ch[0..<n])
                && Array(col1[(3 * n)..<(4 * n)]) == (0..<n).map { g[$0] * ch[$0] })
        var win1 = col1, win2 = col1
        fast.ct_window_sums(col1, Int32(stats), Int32(n), 3, &win1);
        slow.ct_window_sums(col1, Int32(stats), Int32(n), 3, &win2)
        #expect(win1 == win2)
        let inv = [Float](repeating: 1 / 7, count: n)
        var a1 = [Float](repeating: 0, count: nc * n), a2 = a1
        fast.ct_slopes_row(win1, Int32(nc), Int32(n), inv, 1 / 7, 10, 0, &a1, n);
        slow.ct_slopes_row(win1, Int32(nc), Int32(n), inv, 1 / 7, 10, 0, &a2, n)
        #expect(zip(a1, a2).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
        var o1 = ch, o2 = ch
        fast.ct_apply_row(a1, Int32(nc), Int32(n), inv, 1 / 7, g, &o1, n);
        slow.ct_apply_row(a1, Int32(nc), Int32(n), inv, 1 / 7, g, &o2, n)
        #expect(zip(o1, o2).allSatisfy { abs($0 - $1) <= 1e-4 * max(1, abs($0)) })
        var b1 = [UInt8](repeating: 0, count: 4 * n), b2 = b1
        fast.ct_store_row(o2, Int32(n), &b1, 4); slow.ct_store_row(o2, Int32(n), &b2, 4)
        #expect(b1 == b2)
    }
}
