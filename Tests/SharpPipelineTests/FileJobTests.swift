import Foundation
import Logging
import SharpFrames
import SharpMedia
import SharpPipeline
import SharpSupport
import TestSupport
import Testing

@Suite struct FileJobTests {
    let dir = TemporaryDirectory("filejob")
    let logger = Logger(label: "test")

    func run(
        _ input: String, _ output: String, processor: FrameProcessor = ClassicProcessor(),
        _ options: (inout FileJob.Options) -> Void = { _ in },
        cancellation: CancellationFlag = CancellationFlag()
    ) throws -> FileJob.Summary {
        var o = FileJob.Options(output: output)
        options(&o)
        let job = FileJob(
            source: try MediaFiles.openSource(input), sourceName: input, processor: processor, options: o,
            logger: logger)
        return try job.run(cancellation: cancellation)
    }

    @Test func picturesKeepTheirSize() throws {
        let photo = try TestEnvironment.photo("skimage_chelsea")
        for out in ["a.png", "b.jpg"] {
            let s = try run(photo, dir.file(out))
            #expect(s.frames == 1)
            let probe = try Fixtures.probe(dir.file(out))
            #expect(probe.width == 451 && probe.height == 300, "\(out): \(probe)")
        }
        let jpg = dir.file("b.jpg")
        _ = try run(jpg, dir.file("c.png"))
        #expect(try Fixtures.probe(dir.file("c.png")).width == 451)
    }

    @Test func videoFramesSizesAndLimits() throws {
        let clip = dir.file("in.y4m")
        try Fixtures.clip(clip, width: 161, height: 91, frames: 9)
        var s = try run(clip, dir.file("all.mp4"))
        #expect(s.frames == 9 && s.format.width == 161)
        #expect(try Fixtures.probe(dir.file("all.mp4")).frames == 9)
        s = try run(clip, dir.file("few.y4m")) { $0.maxFrames = 4 }
        #expect(
            try Fixtures.probe(dir.file("few.y4m"))
                == .init(width: 161, height: 91, frames: 4, pixelFormat: "yuv420p", codec: "rawvideo"))
        s = try run(clip, dir.file("small.mkv")) {
            $0.size = (80, 46); $0.codec = .ffv1
        }
        #expect(
            try Fixtures.probe(dir.file("small.mkv"))
                == .init(width: 80, height: 46, frames: 9, pixelFormat: "yuv420p", codec: "ffv1"))
        s = try run(clip, dir.file("sbs.mkv")) {
            $0.sideBySide = true; $0.codec = .ffv1
        }
        #expect(try Fixtures.probe(dir.file("sbs.mkv")).width == 324)
    }

    /// The left half of a side-by-side output is the input, the right half the processed frame.
    @Test func sideBySideHalvesAreInputAndOutput() throws {
        let format = FrameFormat(.i420, width: 33, height: 8)!
        let a = TestFrames.random(format, seed: 1), b = TestFrames.random(format, seed: 2)
        let c = SideBySideComposer(input: format)!.compose(a, b)
        #expect(c.width == 68)
        for y in 0..<8 {
            for x in 0..<33 {
                #expect(c.planes[0].row(y)[x] == a.planes[0].row(y)[x])
                #expect(c.planes[0].row(y)[34 + x] == b.planes[0].row(y)[x])
            }
            #expect(c.planes[0].row(y)[33] == a.planes[0].row(y)[32])
        }
        for y in 0..<4 { for i in 0..<17 { #expect(c.planes[1].row(y)[17 + i] == b.planes[1].row(y)[i]) } }
    }

    /// Classic mode on a softened clip gets closer to the sharp clip (the generated scene).
    @Test func classicModeSharpensTheGeneratedClip() throws {
        let soft = SyntheticClipSource(width: 320, height: 180, frames: 3, blurSigma: 1.5)
        let sharp = SyntheticClipSource(width: 320, height: 180, frames: 3, blurSigma: 0)
        let out = dir.file("s.y4m")
        let job = FileJob(
            source: soft, sourceName: "soft", processor: ClassicProcessor(), options: .init(output: out), logger: logger
        )
        _ = try job.run()
        let result = try Y4MReader(path: out)
        let f = Frame(format: result.info.format), s = Frame(format: sharp.info.format),
            b = Frame(format: soft.info.format)
        let again = SyntheticClipSource(width: 320, height: 180, frames: 3, blurSigma: 1.5)
        while try result.read(into: f) {
            _ = try sharp.read(into: s)
            _ = try again.read(into: b)
            let luma = { (x: Frame) in Array(TestFrames.bytes(x).prefix(320 * 180)) }
            #expect(TestFrames.psnr(luma(f), luma(s)) > TestFrames.psnr(luma(b), luma(s)) + 0.5)
        }
    }

    @Test func failuresAndCancellationLeaveNoOutput() throws {
        let clip = dir.file("in.y4m")
        try Fixtures.clip(clip, width: 64, height: 32, frames: 5)
        let data = try Data(contentsOf: URL(fileURLWithPath: clip))
        let broken = dir.file("broken.y4m")
        try writeFile(broken, data.prefix(data.count - 100))
        #expect(throws: MediaError.self) { try run(broken, dir.file("out.mp4")) }
        let flag = CancellationFlag()
        flag.cancel()
        #expect(throws: CancelledError.self) { try run(clip, dir.file("out.mp4"), cancellation: flag) }
        #expect(throws: MediaError.self) { try run(clip, dir.file("out.png")) }
        #expect(dir.contents == ["broken.y4m", "in.y4m"])
        _ = try run(clip, dir.file("first.png")) { $0.maxFrames = 1 }
        #expect(dir.contents.contains("first.png"))
    }

    @Test func bypassCopiesFrames() throws {
        let clip = dir.file("in.y4m")
        try Fixtures.clip(clip, width: 31, height: 17, frames: 2)
        _ = try run(clip, dir.file("copy.y4m"), processor: BypassProcessor())
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("copy.y4m"))).count > 0)
        let a = [UInt8](try Fixtures.decode(clip, pixelFormat: "yuv420p")),
            b = [UInt8](try Fixtures.decode(dir.file("copy.y4m"), pixelFormat: "yuv420p"))
        #expect(mismatch(a, b) == nil)
    }

    @Test func progressLine() {
        #expect(
            ProgressBar.line(label: "classic", done: 30, total: 120, elapsed: 2, width: 10)
                == "classic [##--------] 30/120 frames  15.0 fps  ETA 0:06")
        #expect(ProgressBar.line(label: "", done: 5, total: nil, elapsed: 65, width: 10) == "5 frames  0.1 fps  1:05")
        #expect(
            ProgressBar.line(label: "x", done: 10, total: 10, elapsed: 1, width: 4) == "x [####] 10/10 frames  10.0 fps"
        )
    }

    @Test func generatedClipIsDeterministic() throws {
        let a = SyntheticClipSource(width: 64, height: 36, frames: 2),
            b = SyntheticClipSource(width: 64, height: 36, frames: 2)
        let fa = Frame(format: a.info.format), fb = Frame(format: b.info.format)
        #expect(try a.read(into: fa) && b.read(into: fb))
        #expect(TestFrames.bytes(fa) == TestFrames.bytes(fb))
        #expect(try a.read(into: fa) && !a.read(into: fa))
    }
}
