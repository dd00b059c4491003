import Foundation
import SharpNet
import TestSupport
import Testing

/// ONNX Runtime is the independent oracle: random He-initialised networks of every
/// architecture, exported to ONNX, must give what the reference engine gives on the same
/// input, within 1e-4 of the output range, at an even and an odd frame size.
@Suite(.serialized) struct ONNXRuntimeTests {
    static let architectures: [ArchitectureSpec] = [
        .seedUNet, .teacher(),
        .student(widths: [16], convsPerLevel: 3),
        .student(widths: [16], convsPerLevel: 2, usesMaps: true, unshuffle: 4),
        .student(widths: [16], convsPerLevel: 2, usesMaps: true, unshuffle: 4, usesChroma: true),
        .student(widths: [12, 24], convsPerLevel: 1, usesMaps: true),
        .student(widths: [8, 8, 8], convsPerLevel: 1, usesMaps: false, reparameterizable: false),
    ]

    @Test(arguments: architectures)
    func referenceEngineMatchesONNXRuntime(_ spec: ArchitectureSpec) throws {
        let dir = TemporaryDirectory("onnx")
        let weights = Weights.heInitialized(spec, seed: 11)
        let model = dir.file("m.onnx")
        try writeFile(model, Data(ONNXExporter.export(weights)))
        let runner = NetworkFrameRunner(engine: ReferenceEngine(weights: weights))
        for (h, w) in [(32, 48), (29, 37)] {
            let x = RepConvTests.randomInput(spec, height: h, width: w, seed: UInt64(w))
            let ours = runner.forward(x)
            try writeFile(dir.file("x.raw"), x.data.withUnsafeBytes { Data($0) })
            try ProcessRunner.check(
                TestEnvironment.python,
                [
                    TestEnvironment.oracle("onnx_run.py"), model, dir.file("x.raw"),
                    "\(spec.inputChannels)", "\(h)", "\(w)", "\(spec.stride)", dir.file("y.raw"),
                ])
            let raw = try Data(contentsOf: URL(fileURLWithPath: dir.file("y.raw")))
            let theirs = Tensor(shape: ours.shape, data: raw.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) })
            let range = theirs.maximum - theirs.minimum
            #expect(range > 0.05, "degenerate output range \(range)")
            let diff = ours.maxAbsDifference(theirs)
            #expect(diff <= 1e-4 * range, "\(spec) \(h)x\(w): max |Swift − ORT| = \(diff), range \(range)")
        }
    }
}
