import Foundation
import SharpNet
import TestSupport
import Testing

@testable import SharpTraining

/// `scripts/train-teacher-gpu.py` trains teachers outside SharpCam (PyTorch, on a GPU); what it
/// shares with SharpCam is checked here without PyTorch: the weights file it writes back loads
/// with the same tensors, and the network input it builds for a picture (RGB in [−1, 1], the
/// seed's edge map and HSV mask) is the one `NetworkTensors` builds. (Its network is checked
/// against `sharpcam-train export-onnx` by the script itself, where PyTorch runs.)
@Suite struct TeacherGPUScriptTests {
    @Test func weightsFileAndInputsMatchSharpCam() throws {
        let dir = TemporaryDirectory("teacherscript")
        let spec = ArchitectureSpec.teacher(widths: [4, 8])
        let weights = Weights.heInitialized(spec, seed: 5)
        try WeightsFile.write(weights, to: dir.file("in.scw"))
        let photo = try RGBImage(contentsOf: try TestEnvironment.photo("skimage_coffee"))
        let picture = RGBImage(
            planar: ImageOps.quantized(
                ImageOps.areaResize(
                    photo.planar, channels: 3, height: photo.height, width: photo.width,
                    toHeight: 97, width: 130)), width: 130, height: 97)
        try EvaluationReport.writePNG(picture, to: dir.file("picture.png"))
        let script = TestEnvironment.repositoryRoot.appendingPathComponent("scripts/train-teacher-gpu.py").path
        try ProcessRunner.check(
            TestEnvironment.python,
            [
                script, "--self-check", dir.file("in.scw"), dir.file("out.scw"),
                dir.file("picture.png"), dir.file("input.raw"),
            ])

        let back = try WeightsFile.load(dir.file("out.scw"), expecting: .teacher)
        #expect(back.spec == spec)
        #expect(back.metadata["trained"] == "self-check")
        #expect(Set(back.tensors.keys) == Set(weights.tensors.keys))
        for (name, t) in weights.tensors { #expect(back.tensors[name]!.data == t.data, "\(name)") }

        let theirs = try Data(contentsOf: dir.url.appendingPathComponent("input.raw")).withUnsafeBytes {
            Array($0.bindMemory(to: Float.self))
        }
        let ours = NetworkTensors.input(spec, rgb: picture.planar, height: 97, width: 130).data
        try #require(theirs.count == ours.count)
        let plane = 97 * 130
        func worst(_ c: Int) -> Float { (c * plane..<(c + 1) * plane).map { abs(theirs[$0] - ours[$0]) }.max()! }
        for c in 0..<3 { #expect(worst(c) <= 1e-6, "RGB channel \(c)") }
        // Edge map: float rounding may truncate to the next level on a few pixels.
        #expect(worst(3) <= 1.0 / 255 + 1e-6, "edge map")
        let edgeDiffers = (3 * plane..<4 * plane).filter { theirs[$0] != ours[$0] }.count
        #expect(edgeDiffers * 100 <= plane, "edge map differs on \(edgeDiffers) pixels")
        #expect(worst(4) == 0, "HSV mask")
    }
}
