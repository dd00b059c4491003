import Foundation
import SharpFrames
import SharpImaging
import SharpSupport
import TestSupport
import Testing

@Suite struct StructuralSimilarityTests {
    /// Luma of a photo crop, and a blurred and noisy copy of it.
    static func pair(_ name: String) throws -> (a: [UInt8], b: [UInt8], w: Int, h: Int) {
        let photo = try TestFrames.load(try TestEnvironment.photo(name), as: .i420)
        let w = min(photo.width, 301), h = min(photo.height, 203)  // odd sizes: borders on both sides
        var a = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { a[y * w + x] = photo.planes[0].row(y)[x] } }
        var rng = SplitMix64(seed: 7)
        var b = a
        for y in 0..<h {
            for x in 0..<w {
                let l = Int(a[y * w + max(x - 1, 0)]), r = Int(a[y * w + min(x + 1, w - 1)])
                let noise = Int(rng.next() % 9) - 4
                b[y * w + x] = UInt8(clamping: (l + 2 * Int(a[y * w + x]) + r) / 4 + noise)
            }
        }
        return (a, b, w, h)
    }

    @Test(arguments: TestEnvironment.standardPhotos)
    func matchesScikitImage(_ name: String) throws {
        let (a, b, w, h) = try Self.pair(name)
        let dir = TemporaryDirectory("ssim")
        try Data(a).write(to: URL(fileURLWithPath: dir.file("a.raw")))
        try Data(b).write(to: URL(fileURLWithPath: dir.file("b.raw")))
        let r = try ProcessRunner.check(
            TestEnvironment.python,
            [TestEnvironment.oracle("ssim_oracle.py"), dir.file("a.raw"), dir.file("b.raw"), "\(w)", "\(h)"])
        let oracle = try #require(Double(r.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)))
        let ours = StructuralSimilarity.index(a, b, width: w, height: h)
        #expect(abs(ours - oracle) < 1e-9, "\(name): ours \(ours), scikit-image \(oracle)")
        #expect(ours < 0.99 && ours > 0.3, "\(name): the degraded copy should score well below 1 (\(ours))")
    }

    @Test func identicalPicturesScoreOne() throws {
        let (a, _, w, h) = try Self.pair(TestEnvironment.standardPhotos[0])
        #expect(StructuralSimilarity.index(a, a, width: w, height: h) == 1)
    }
}
