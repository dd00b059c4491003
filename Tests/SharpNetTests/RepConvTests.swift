import SharpNet
import SharpSupport
import TestSupport
import Testing

@Suite struct RepConvTests {
    static func randomInput(_ spec: ArchitectureSpec, height: Int, width: Int, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(
            shape: [spec.inputChannels, height, width],
            data: (0..<(spec.inputChannels * height * width)).map { _ in Float(rng.uniform()) })
    }

    /// The collapsed student computes the same function as its training form (≤ 1e-5),
    /// borders included, for one- and two-level students with and without maps.
    @Test(arguments: [
        ArchitectureSpec.student(widths: [8], convsPerLevel: 2),
        .student(widths: [8, 16], convsPerLevel: 1, usesMaps: true),
        .student(widths: [16], convsPerLevel: 3),
    ])
    func collapsedStudentEqualsTrainingForm(_ spec: ArchitectureSpec) {
        let w = Weights.heInitialized(spec, seed: 7)
        let runnerA = NetworkFrameRunner(engine: ReferenceEngine(weights: w))
        let runnerB = NetworkFrameRunner(engine: ReferenceEngine(weights: w.collapsed()))
        for (h, wd) in [(12, 16), (13, 19)] {
            let x = Self.randomInput(spec, height: h, width: wd, seed: UInt64(h))
            let a = runnerA.forward(x), b = runnerB.forward(x)
            let range = max(a.maximum - a.minimum, 1)
            #expect(a.maxAbsDifference(b) <= 1e-5 * range, "\(spec) \(h)x\(wd): \(a.maxAbsDifference(b))")
            // The net is not trivially the identity: the residual branch changes the luma.
            #expect(a.maxAbsDifference(x.cropped(height: h, width: wd).sliceChannel0) > 1e-3)
        }
    }

    @Test func collapsingPlainWeightsIsANoOp() {
        let w = Weights.heInitialized(.student(reparameterizable: false), seed: 1)
        #expect(w.collapsed() == w)
    }
}

extension Tensor {
    var sliceChannel0: Tensor { Tensor(shape: [1, height, width], data: Array(data[0..<(height * width)])) }
}
