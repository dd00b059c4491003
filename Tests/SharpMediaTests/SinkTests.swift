import Foundation
import SharpFrames
import SharpMedia
import SharpSupport
import TestSupport
import Testing

@Suite struct SinkTests {
    let dir = TemporaryDirectory("sinks")

    func info(_ format: FrameFormat, _ cs: ColorSpace = .bt601Limited) -> StreamInfo {
        StreamInfo(format: format, colorSpace: cs, frameRate: Rational(25, 1), frameCount: nil, codecName: "test")
    }

    func smoothFrame(_ format: FrameFormat, _ n: Int) -> Frame {
        // Smooth content so lossy coding keeps a high PSNR.
        let rgb = Frame(format: format.with(.rgb24))
        for y in 0..<format.height {
            for x in 0..<format.width {
                let p = rgb.planes[0].row(y) + 3 * x
                p[0] = UInt8((x * 2 + n * 3) % 256); p[1] = UInt8((y * 3) % 256); p[2] = UInt8((x + y + n) % 256)
            }
        }
        if format.pixelFormat == .rgb24 { return rgb }
        let f = Frame(format: format)
        rgb.convert(into: f)
        return f
    }

    @Test func h264InMP4AndMKVHasTheRightStreamAndContent() throws {
        for ext in ["mp4", "mkv", "mov"] {
            let format = FrameFormat(.i420, width: 160, height: 96)!
            let path = dir.file("h.\(ext)")
            let sink = try FFmpegVideoSink(path: path, info: info(format))
            let frames = (0..<12).map { smoothFrame(format, $0) }
            for f in frames { try sink.write(f) }
            try sink.finish()
            #expect(
                try Fixtures.probe(path)
                    == .init(width: 160, height: 96, frames: 12, pixelFormat: "yuv420p", codec: "h264"))
            let decoded = [UInt8](try Fixtures.decode(path, pixelFormat: "yuv420p"))
            #expect(TestFrames.psnr(decoded, frames.flatMap(TestFrames.bytes)) > 40)
            #expect(dir.contents == ["h.\(ext)"])
            try FileManager.default.removeItem(atPath: path)
        }
    }

    @Test func oddSizedH264Uses444() throws {
        let format = FrameFormat(.i420, width: 161, height: 91)!
        let path = dir.file("odd.mp4")
        let sink = try FFmpegVideoSink(path: path, info: info(format))
        for n in 0..<3 { try sink.write(smoothFrame(format, n)) }
        try sink.finish()
        #expect(
            try Fixtures.probe(path) == .init(width: 161, height: 91, frames: 3, pixelFormat: "yuv444p", codec: "h264"))
    }

    /// FFV1 is lossless: what FFmpeg decodes is exactly what was written, in every layout.
    @Test(arguments: [(PixelFormat.i420, "yuv420p"), (.yuyv, "yuv422p"), (.rgb24, "rgb24"), (.nv12, "nv12")])
    func ffv1IsExact(_ pf: PixelFormat, _ rawPix: String) throws {
        let format = FrameFormat(pf, width: 97, height: 51)!
        let path = dir.file("l.mkv")
        let sink = try FFmpegVideoSink(path: path, info: info(format), codec: .ffv1)
        let frames = (0..<3).map { TestFrames.random(format, seed: UInt64($0)) }
        for f in frames { try sink.write(f) }
        try sink.finish()
        let probe = try Fixtures.probe(path)
        #expect(probe.codec == "ffv1" && probe.frames == 3 && probe.width == 97)
        let expected = frames.flatMap { pf == .yuyv ? TestFrames.planar422($0) : TestFrames.bytes($0) }
        #expect(mismatch([UInt8](try Fixtures.decode(path, pixelFormat: rawPix)), expected) == nil)
    }

    @Test func unsupportedChoicesFailBeforeWritingAnything() throws {
        let format = FrameFormat(.i420, width: 16, height: 16)!
        #expect(throws: MediaError.self) {
            try FFmpegVideoSink(path: dir.file("a.mp4"), info: info(format), codec: .ffv1)
        }
        do { _ = try FFmpegVideoSink(path: dir.file("a.xyz"), info: info(format)) } catch let e as MediaError {
            #expect(e.kind == .unsupported && e.problem.contains("'.xyz'"))
        }
        do { _ = try FFmpegVideoSink(path: dir.file("nodir/a.mp4"), info: info(format)) } catch let e as MediaError {
            #expect(e.kind == .outputDirectoryMissing && e.problem.contains("does not exist"))
        }
        #expect(dir.contents.isEmpty)
    }

    /// A failed write or an abort removes the partial file and leaves an existing file alone.
    @Test func failuresLeaveNoPartialOutput() throws {
        let format = FrameFormat(.i420, width: 32, height: 32)!
        let path = dir.file("keep.mp4")
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        let sink = try FFmpegVideoSink(path: path, info: info(format))
        try sink.write(smoothFrame(format, 0))
        #expect(dir.contents == ["keep.mp4"])  // the new output is an unnamed file until committed
        #expect(throws: MediaError.self) {
            try sink.write(TestFrames.random(FrameFormat(.i420, width: 30, height: 32)!))
        }
        #expect(dir.contents == ["keep.mp4"])
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "previous")

        let sink2 = try FFmpegVideoSink(path: path, info: info(format))
        try sink2.write(smoothFrame(format, 0))
        sink2.abort()
        #expect(dir.contents == ["keep.mp4"])

        let empty = try FFmpegVideoSink(path: dir.file("none.mkv"), info: info(format))
        #expect(throws: MediaError.self) { try empty.finish() }
        #expect(dir.contents == ["keep.mp4"])
    }

    @Test func pngIsExactAndJPEGIsClose() throws {
        let rgb = TestFrames.random(FrameFormat(.rgb24, width: 75, height: 41)!, seed: 8)
        let png = dir.file("x.png")
        let w = try ImageWriter(path: png)
        try w.write(rgb)
        try w.finish()
        #expect(mismatch([UInt8](try Fixtures.decode(png, pixelFormat: "rgb24")), TestFrames.bytes(rgb)) == nil)

        let photo = try TestFrames.load(try TestEnvironment.photo("skimage_coffee"))
        let jpg = dir.file("x.jpg")
        let j = try ImageWriter(path: jpg)
        try j.write(photo)
        try j.finish()
        let back = try TestFrames.load(jpg, as: .rgb24)
        #expect(back.format == photo.format)
        // 4:2:0 chroma subsampling of a colourful photo bounds RGB PSNR near 35 dB at any quality.
        #expect(TestFrames.psnr(TestFrames.bytes(back), TestFrames.bytes(photo)) > 33)
    }

    @Test func yuvFramesBecomePNGThroughTheOwnConversion() throws {
        let yuv = TestFrames.random(FrameFormat(.yuyv, width: 31, height: 9)!, colorSpace: .bt709Limited, seed: 2)
        let path = dir.file("y.png")
        let w = try ImageWriter(path: path)
        try w.write(yuv)
        try w.finish()
        let rgb = Frame(format: yuv.format.with(.rgb24))
        yuv.convert(into: rgb)
        #expect(mismatch([UInt8](try Fixtures.decode(path, pixelFormat: "rgb24")), TestFrames.bytes(rgb)) == nil)
    }

    @Test func imageWriterTakesOnePicture() throws {
        let path = dir.file("one.png")
        let w = try ImageWriter(path: path)
        let f = TestFrames.random(FrameFormat(.rgb24, width: 8, height: 8)!)
        try w.write(f)
        #expect(throws: MediaError.self) { try w.write(f) }
        #expect(dir.contents.isEmpty)
        #expect(throws: MediaError.self) { try ImageWriter(path: dir.file("a.gif")) }
    }
}
