import SharpFrames
import SharpImaging
import TestSupport
import Testing

@Suite struct ClassicSharpeningTests {
    /// Blurs a copy with σ = 1.5 (all planes, as a soft lens would) and returns (sharp, blurred).
    static func blurredPhoto(_ name: String, _ pf: PixelFormat) throws -> (Frame, Frame) {
        let sharp = try TestFrames.load(try TestEnvironment.photo(name), as: pf)
        let blurred = Frame(format: sharp.format, colorSpace: sharp.colorSpace)
        blurred.copy(from: sharp)
        GaussianBlur(kernel: GaussianKernel(sigma: 1.5), maxWidth: sharp.planes[0].rowBytes, maxHeight: sharp.height)
            .blur(blurred)
        return (sharp, blurred)
    }

    /// The acceptance check: on a Gaussian-blurred (σ = 1.5) photo the classic mode
    /// (default settings) raises PSNR against the sharp original.
    @Test(arguments: TestEnvironment.standardPhotos)
    func classicModeRaisesPSNROnBlurredPhotos(_ name: String) throws {
        for pf in [PixelFormat.rgb24, .i420] {
            let (sharp, blurred) = try Self.blurredPhoto(name, pf)
            let out = Frame(format: sharp.format, colorSpace: sharp.colorSpace)
            UnsharpMask(width: sharp.width, height: sharp.height, settings: .default).apply(
                blurred, strength: 1, into: out)
            let before = TestFrames.psnr(TestFrames.bytes(blurred), TestFrames.bytes(sharp))
            let after = TestFrames.psnr(TestFrames.bytes(out), TestFrames.bytes(sharp))
            #expect(after > before + 0.3, "\(name) \(pf): \(before) dB → \(after) dB")
        }
    }

    @Test(arguments: [PixelFormat.yuyv, .i420, .nv12])
    func chromaIsUntouched(_ pf: PixelFormat) {
        let f = TestFrames.random(FrameFormat(pf, width: 81, height: 45)!, seed: 9)
        let out = Frame(format: f.format)
        UnsharpMask(width: 81, height: 45, sigma: 1.5, amount: 2).apply(f, strength: 1, into: out)
        var lumaChanged = false
        for y in 0..<45 {
            let (u0, v0) = f.chromaRows(forLumaRow: y), (u1, v1) = out.chromaRows(forLumaRow: y)
            for i in 0..<41 { #expect(u0[i] == u1[i] && v0[i] == v1[i]) }
            for x in 0..<81 where f.lumaRow(y)[x] != out.lumaRow(y)[x] { lumaChanged = true }
        }
        #expect(lumaChanged)
    }

    /// On RGB frames the correction is added equally to R, G and B: chroma (Cb, Cr) of the
    /// result equals the input's, up to rounding and clipping.
    @Test func rgbCorrectionKeepsChroma() throws {
        let f = try TestFrames.load(try TestEnvironment.photo("skimage_coffee"), as: .rgb24)
        let out = Frame(format: f.format, colorSpace: f.colorSpace)
        UnsharpMask(width: f.width, height: f.height, sigma: 1.5, amount: 1).apply(f, strength: 1, into: out)
        var unclipped = 0, worst = 0.0
        for y in stride(from: 0, to: f.height, by: 3) {
            for x in stride(from: 0, to: f.width, by: 3) {
                let a = f.planes[0].row(y) + 3 * x, b = out.planes[0].row(y) + 3 * x
                if (0..<3).contains(where: { b[$0] == 0 || b[$0] == 255 }) { continue }
                unclipped += 1
                let cbA = Double(a[2]) - (0.299 * Double(a[0]) + 0.587 * Double(a[1]) + 0.114 * Double(a[2]))
                let cbB = Double(b[2]) - (0.299 * Double(b[0]) + 0.587 * Double(b[1]) + 0.114 * Double(b[2]))
                worst = max(worst, abs(cbA - cbB))
            }
        }
        #expect(unclipped > 1000)
        #expect(worst <= 1.0, "Cb moved by \(worst)")
    }

    @Test func zeroStrengthIsIdentity() {
        let f = TestFrames.random(FrameFormat(.i420, width: 64, height: 32)!, seed: 1)
        let out = Frame(format: f.format)
        UnsharpMask(width: 64, height: 32, sigma: 1.5, amount: 3).apply(f, strength: 0, into: out)
        #expect(TestFrames.bytes(out) == TestFrames.bytes(f))
    }

    @Test func strengthScalesTheCorrection() {
        let f = TestFrames.random(FrameFormat(.i420, width: 64, height: 32)!, seed: 2)
        let u = UnsharpMask(width: 64, height: 32, sigma: 1.0, amount: 1)
        let half = Frame(format: f.format), full = Frame(format: f.format)
        u.apply(f, strength: 0.5, into: half)
        u.apply(f, strength: 1, into: full)
        let d0 = TestFrames.psnr(TestFrames.bytes(half), TestFrames.bytes(f))
        let d1 = TestFrames.psnr(TestFrames.bytes(full), TestFrames.bytes(f))
        #expect(d0 > d1 + 3, "half strength should change the frame less: \(d0) vs \(d1) dB")
    }

    @Test func gaussianKernelIsNormalisedAndSymmetric() {
        let k = GaussianKernel(sigma: 2.5, size: 21)
        #expect(k.radius == 10 && k.weights.count == 21)
        #expect(abs(k.weights.reduce(0, +) - 1) < 1e-12)
        #expect(k.weights.first == k.weights.last)
        #expect(GaussianKernel(sigma: 0.2).radius == 1)
    }
}
