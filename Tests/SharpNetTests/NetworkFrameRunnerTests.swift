import SharpFrames
import SharpImaging
import SharpNet
import TestSupport
import Testing

@Suite struct NetworkFrameRunnerTests {
    /// Any frame size in, the same size out; the network changes luma only, and the runner then
    /// applies `ChromaTransfer` to its output (unless asked not to).
    @Test(arguments: [PixelFormat.i420, .yuyv, .nv12, .rgb24])
    func studentKeepsSizeAndTransfersChroma(_ pf: PixelFormat) {
        let weights = Weights.heInitialized(.student(widths: [8, 8], convsPerLevel: 1, usesMaps: true), seed: 2)
        let lumaOnly = NetworkFrameRunner(engine: ReferenceEngine(weights: weights), transferChroma: false)
        let input = TestFrames.random(FrameFormat(pf, width: 37, height: 23)!, colorSpace: .bt709Limited, seed: 4)
        let output = Frame(format: input.format)
        lumaOnly.process(input, strength: 1, into: output)
        #expect(TestFrames.bytes(output) != TestFrames.bytes(input))
        if pf != .rgb24 {
            for y in 0..<23 {
                let (u0, v0) = input.chromaRows(forLumaRow: y), (u1, v1) = output.chromaRows(forLumaRow: y)
                for i in 0..<19 { #expect(u0[i] == u1[i] && v0[i] == v1[i]) }
            }
        }
        let transferred = Frame(format: input.format)
        NetworkFrameRunner(engine: ReferenceEngine(weights: weights)).process(input, strength: 1, into: transferred)
        #expect(TestFrames.bytes(transferred) != TestFrames.bytes(output))
        ChromaTransfer().apply(input: input, output: output)
        #expect(TestFrames.bytes(transferred) == TestFrames.bytes(output))
    }

    @Test func zeroStrengthIsIdentity() {
        let runner = NetworkFrameRunner(
            engine: ReferenceEngine(weights: Weights.heInitialized(.student(widths: [8], convsPerLevel: 1), seed: 2)))
        for cs in [ColorSpace.bt601Limited, .bt601Full] {
            let input = TestFrames.random(FrameFormat(.i420, width: 21, height: 9)!, colorSpace: cs, seed: 9)
            // Limited-range luma outside 16...235 is clipped by the normalisation; keep it inside.
            if cs.range == .limited {
                for y in 0..<9 { for x in 0..<21 { input.planes[0].row(y)[x] = 16 + input.planes[0].row(y)[x] % 220 } }
            }
            let output = Frame(format: input.format)
            runner.process(input, strength: 0, into: output)
            #expect(mismatch(TestFrames.bytes(output), TestFrames.bytes(input)) == nil)
        }
    }

    /// Input tensors follow the seed's recipe: RGB in [−1, 1], maps in [0, 1].
    @Test func teacherInputIsTheSeedsFiveChannels() {
        let runner = NetworkFrameRunner(
            engine: ReferenceEngine(weights: Weights.heInitialized(.teacher(widths: [4, 8]), seed: 2)))
        let rgb = TestFrames.random(FrameFormat(.rgb24, width: 10, height: 6)!, seed: 1)
        let t = runner.inputTensor(for: rgb)
        #expect(t.shape == [5, 6, 10])
        #expect(t[0, 2, 3] == Float(rgb.planes[0].row(2)[9]) / 127.5 - 1)
        #expect(t[2, 5, 9] == Float(rgb.planes[0].row(5)[29]) / 127.5 - 1)
        #expect((3...4).allSatisfy { c in t.data[(c * 60)..<((c + 1) * 60)].allSatisfy { (0...1).contains($0) } })
        #expect(t.data[(4 * 60)...].contains(1) && t.data[(3 * 60)...].contains(1))
    }

    /// A teacher whose output convolution is zero returns its input: the residual path works.
    @Test func teacherWithZeroResidualIsIdentityOnRGB() {
        var w = Weights.heInitialized(.teacher(widths: [4, 8]), seed: 5)
        w["out.weight"] = Tensor(zeros: w["out.weight"]!.shape)
        w["out.bias"] = Tensor(zeros: [3])
        let runner = NetworkFrameRunner(engine: ReferenceEngine(weights: w))
        let input = TestFrames.random(FrameFormat(.rgb24, width: 11, height: 7)!, seed: 3)
        let output = Frame(format: input.format)
        runner.process(input, strength: 1, into: output)
        #expect(mismatch(TestFrames.bytes(output), TestFrames.bytes(input)) == nil)
    }

    @Test func reflectPaddingIsNumpyReflect() {
        let t = Tensor(shape: [1, 2, 3], data: [1, 2, 3, 4, 5, 6])
        let p = t.reflectPadded(toMultipleOf: 4)
        #expect(p.shape == [1, 4, 4])
        #expect(p.data == [1, 2, 3, 2, 4, 5, 6, 5, 1, 2, 3, 2, 4, 5, 6, 5])
        #expect(p.cropped(height: 2, width: 3) == t)
    }
}
