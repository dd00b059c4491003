import SharpFrames
import SharpImaging
import TestSupport
import Testing

@Suite struct ChromaTransferTests {
    /// `output` = `input` with luma changed on every third band of rows (as a sharpener would:
    /// YUV luma samples moved, RGB pixels moved equally on R, G and B), rows between untouched.
    static func sharpened(_ input: Frame, seed: UInt64) -> Frame {
        let out = Frame(format: input.format, colorSpace: input.colorSpace)
        out.copy(from: input)
        var rng = TestFrames.Random(seed: seed)
        for y in 0..<input.height where (y / 4) % 3 != 1 {
            for x in 0..<input.width {
                let d = Int(rng.next() % 41) - 20
                if input.pixelFormat == .rgb24 {
                    let p = out.planes[0].row(y) + 3 * x
                    for c in 0..<3 { p[c] = UInt8(clamping: Int(p[c]) + d) }
                } else {
                    let row = out.lumaRow(y)
                    row[x] = UInt8(clamping: Int(row[x]) + d)
                }
            }
        }
        return out
    }

    /// The running-sum implementation against the Double definition: bytes differ at most by one
    /// code value (a rounding boundary), and almost never.
    @Test(arguments: PixelFormat.allCases)
    func applyEqualsReference(_ pf: PixelFormat) {
        for (w, h) in [(1, 1), (2, 1), (3, 3), (37, 23), (64, 9), (9, 64), (40, 131)] {
            let input = TestFrames.random(
                FrameFormat(pf, width: w, height: h)!, colorSpace: .bt709Limited, seed: UInt64(w * 7 + h))
            let a = Self.sharpened(input, seed: 3), b = Self.sharpened(input, seed: 3)
            let transfer = ChromaTransfer()
            transfer.apply(input: input, output: a)
            transfer.applyReference(input: input, output: b)
            let x = TestFrames.bytes(a), y = TestFrames.bytes(b)
            #expect(TestFrames.maxDifference(x, y) <= 1, "\(pf) \(w)x\(h)")
            let differing = zip(x, y).filter { $0 != $1 }.count
            #expect(differing * 200 <= x.count, "\(pf) \(w)x\(h): \(differing) of \(x.count) bytes differ")
        }
    }

    /// Bands run on several threads give the one-thread result: bit for bit on YUV frames (their
    /// window sums are exact), within one code value on RGB.
    @Test(arguments: PixelFormat.allCases)
    func threadsDoNotChangeTheResult(_ pf: PixelFormat) {
        let input = TestFrames.random(FrameFormat(pf, width: 50, height: 131)!, seed: 17)
        let one = Self.sharpened(input, seed: 18)
        ChromaTransfer(threads: 1).apply(input: input, output: one)
        for t in [2, 3] {
            let many = Self.sharpened(input, seed: 18)
            ChromaTransfer(threads: t).apply(input: input, output: many)
            if pf == .rgb24 {
                #expect(TestFrames.maxDifference(TestFrames.bytes(one), TestFrames.bytes(many)) <= 1, "\(t) threads")
            } else {
                #expect(TestFrames.bytes(one) == TestFrames.bytes(many), "\(pf), \(t) threads")
            }
        }
    }

    /// The same object on frames of changing size and layout gives what a fresh one gives.
    @Test func reusedAcrossSizes() {
        let transfer = ChromaTransfer()
        for (pf, w, h) in [(PixelFormat.yuyv, 40, 30), (.i420, 17, 11), (.rgb24, 40, 30), (.yuyv, 40, 30)] {
            let input = TestFrames.random(FrameFormat(pf, width: w, height: h)!, seed: UInt64(w + h))
            let a = Self.sharpened(input, seed: 5), b = Self.sharpened(input, seed: 5)
            transfer.apply(input: input, output: a)
            ChromaTransfer().apply(input: input, output: b)
            #expect(TestFrames.bytes(a) == TestFrames.bytes(b), "\(pf)")
        }
    }

    /// Where the sharpener left luma alone, colour is the input's byte for byte.
    @Test(arguments: PixelFormat.allCases)
    func unchangedLumaKeepsColour(_ pf: PixelFormat) {
        let input = TestFrames.random(FrameFormat(pf, width: 33, height: 21)!, seed: 6)
        let output = Frame(format: input.format, colorSpace: input.colorSpace)
        output.copy(from: input)
        ChromaTransfer().apply(input: input, output: output)
        #expect(TestFrames.bytes(output) == TestFrames.bytes(input))
    }

    /// Grey RGB pictures have chroma slope 0 (RGB slope 1): every channel gets the luma change,
    /// which is what luma-only sharpening did before.
    @Test func greyPicturesGetTheLumaChangeOnEveryChannel() {
        let input = Frame(format: FrameFormat(.rgb24, width: 30, height: 20)!, colorSpace: .bt601Full)
        var rng = TestFrames.Random(seed: 8)
        for y in 0..<20 {
            for x in 0..<30 { let v = 30 + rng.byte() % 190; for c in 0..<3 { input.planes[0].row(y)[3 * x + c] = v } }
        }
        let sharp = Self.sharpened(input, seed: 9), output = Self.sharpened(input, seed: 9)
        ChromaTransfer().apply(input: input, output: output)
        #expect(TestFrames.bytes(output) == TestFrames.bytes(sharp))
    }

    /// The transfer writes R, G and B so that their luma is what the sharpener set (to rounding).
    @Test func rgbLumaStaysWhereTheSharpenerPutIt() {
        let input = TestFrames.random(FrameFormat(.rgb24, width: 48, height: 32)!, colorSpace: .bt601Full, seed: 12)
        let sharp = Self.sharpened(input, seed: 13), output = Self.sharpened(input, seed: 13)
        ChromaTransfer().apply(input: input, output: output)
        func luma(_ f: Frame, _ x: Int, _ y: Int) -> Double {
            let p = f.planes[0].row(y) + 3 * x
            return 0.299 * Double(p[0]) + 0.587 * Double(p[1]) + 0.114 * Double(p[2])
        }
        var worst = 0.0, clipped = 0
        for y in 0..<32 {
            for x in 0..<48 {
                let p = output.planes[0].row(y) + 3 * x
                // Saturated channels cannot take their share of the change.
                if (0..<3).contains(where: { p[$0] == 0 || p[$0] == 255 }) { clipped += 1; continue }
                worst = max(worst, abs(luma(output, x, y) - luma(sharp, x, y)))
            }
        }
        #expect(worst <= 0.5, "luma moved by \(worst)")
        #expect(clipped < 48 * 32 / 4)
    }

    /// What the transfer is for: a blurred colourful picture whose luma has been restored gets
    /// its colour edges back (closer to the sharp picture than the blurred colour), in RGB and
    /// in subsampled YUV.
    @Test(arguments: [PixelFormat.rgb24, .yuyv, .i420])
    func restoresBlurredColourEdges(_ pf: PixelFormat) {
        let w = 96, h = 64
        // Sharp picture: coloured tiles of different luma, with a finer stripe pattern inside.
        let sharpRGB = Frame(format: FrameFormat(.rgb24, width: w, height: h)!, colorSpace: .bt601Full)
        let palette: [(UInt8, UInt8, UInt8)] = [
            (200, 40, 40), (40, 160, 60), (50, 60, 210), (230, 210, 60), (90, 30, 120), (20, 190, 200),
        ]
        for y in 0..<h {
            for x in 0..<w {
                let tile = palette[(x / 12 + 2 * (y / 16)) % palette.count]
                let stripe = (x / 3) % 2 == 0 ? 0 : 35
                let p = sharpRGB.planes[0].row(y) + 3 * x
                p[0] = UInt8(clamping: Int(tile.0) - stripe); p[1] = UInt8(clamping: Int(tile.1) - stripe);
                p[2] = UInt8(clamping: Int(tile.2) - stripe)
            }
        }
        // Blur every channel (5×5 box, clamped at the border).
        let blurredRGB = Frame(format: sharpRGB.format, colorSpace: .bt601Full)
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    var s = 0, n = 0
                    for yy in max(0, y - 2)...min(h - 1, y + 2) {
                        for xx in max(0, x - 2)...min(w - 1, x + 2) {
                            s += Int(sharpRGB.planes[0].row(yy)[3 * xx + c]); n += 1
                        }
                    }
                    blurredRGB.planes[0].row(y)[3 * x + c] = UInt8((s + n / 2) / n)
                }
            }
        }
        let sharp = Frame(format: sharpRGB.format.with(pf), colorSpace: .bt601Full)
        let blurred = Frame(format: sharp.format, colorSpace: .bt601Full)
        sharpRGB.convert(into: sharp)
        blurredRGB.convert(into: blurred)
        // A perfect luma-only sharpener: the sharp picture's luma, the blurred picture's colour.
        let lumaOnly = Frame(format: sharp.format, colorSpace: .bt601Full)
        lumaOnly.copy(from: blurred)
        for y in 0..<h {
            for x in 0..<w {
                if pf == .rgb24 {
                    let s = sharp.planes[0].row(y) + 3 * x, b = blurred.planes[0].row(y) + 3 * x,
                        o = lumaOnly.planes[0].row(y) + 3 * x
                    let d =
                        (0.299 * Double(Int(s[0]) - Int(b[0])) + 0.587 * Double(Int(s[1]) - Int(b[1])) + 0.114
                        * Double(Int(s[2]) - Int(b[2]))).rounded()
                    for c in 0..<3 { o[c] = UInt8(clamping: Int(b[c]) + Int(d)) }
                } else {
                    lumaOnly.lumaRow(y)[x] = sharp.lumaRow(y)[x]
                }
            }
        }
        let transferred = Frame(format: sharp.format, colorSpace: .bt601Full)
        transferred.copy(from: lumaOnly)
        ChromaTransfer().apply(input: blurred, output: transferred)
        let before = TestFrames.psnr(TestFrames.bytes(lumaOnly), TestFrames.bytes(sharp))
        let after = TestFrames.psnr(TestFrames.bytes(transferred), TestFrames.bytes(sharp))
        #expect(after >= before + 1, "\(pf): \(before) dB → \(after) dB")
    }
}
