import Foundation
import SharpFrames
import SharpMedia
import TestSupport
import Testing

@Suite struct FFmpegSourceTests {
    let dir = TemporaryDirectory("ffsrc")

    func decodeAll(_ path: String) throws -> (StreamInfo, [UInt8]) {
        let s = try FFmpegSource(path: path)
        let f = Frame(format: s.info.format)
        var all: [UInt8] = []
        while try s.read(into: f) { all += TestFrames.bytes(f) }
        return (s.info, all)
    }

    /// Decoded frames equal FFmpeg's own decode, byte for byte, with geometry, rate and count.
    @Test func decodesVideoLikeFFmpeg() throws {
        let cases: [(String, String?, String, Int, Int, PixelFormat, String)] = [
            ("h264.mp4", "libx264", "yuv420p", 160, 120, .i420, "yuv420p"),
            ("odd.mkv", "ffv1", "yuv420p", 161, 121, .i420, "yuv420p"),
            ("yuyv.nut", "rawvideo", "yuyv422", 160, 90, .yuyv, "yuyv422"),
            ("nv12.nut", "rawvideo", "nv12", 64, 48, .nv12, "nv12"),
            ("yuv444.mkv", "ffv1", "yuv444p", 64, 48, .i420, "yuv420p"),
        ]
        for (name, codec, pix, w, h, layout, rawPix) in cases {
            let path = dir.file(name)
            try Fixtures.clip(path, width: w, height: h, frames: 7, rate: 25, codec: codec, pixelFormat: pix)
            let (info, bytes) = try decodeAll(path)
            #expect(info.format == FrameFormat(layout, width: w, height: h)!, "\(name)")
            #expect(info.frameRate == Rational(25, 1), "\(name): \(info)")
            // MP4 states the count; other containers give a duration-based estimate.
            #expect(
                name.hasSuffix(".mp4") ? info.frameCount == 7 : abs((info.frameCount ?? 0) - 7) <= 1, "\(name): \(info)"
            )
            let reference = [UInt8](try Fixtures.decode(path, pixelFormat: rawPix))
            if pix == rawPix {
                #expect(mismatch(bytes, reference) == nil, "\(name)")
            } else {
                // 4:4:4 → 4:2:0 goes through libswscale: luma identical, chroma resampled.
                #expect(bytes.count == reference.count)
                #expect(TestFrames.psnr(bytes, reference) > 40, "\(name)")
            }
        }
    }

    @Test func timestampsAndSequenceFollowTheStream() throws {
        let path = dir.file("ts.mp4")
        try Fixtures.clip(path, frames: 5, rate: 10, codec: "libx264")
        let s = try FFmpegSource(path: path)
        let f = Frame(format: s.info.format)
        var stamps: [Int64] = []
        while try s.read(into: f) { stamps.append(f.timestamp); #expect(f.sequence == UInt64(stamps.count - 1)) }
        #expect(stamps == [0, 100_000_000, 200_000_000, 300_000_000, 400_000_000])
    }

    @Test func decodesStillPictures() throws {
        let cases: [(String, String, PixelFormat, String)] = [
            ("rgb.png", "rgb24", .rgb24, "rgb24"), ("rgba.png", "rgba", .rgb24, "rgb24"),
            ("grey.png", "gray", .rgb24, "rgb24"), ("pal.png", "pal8", .rgb24, "rgb24"),
            ("photo.jpg", "yuvj420p", .i420, "yuvj420p"), ("odd.jpg", "yuvj420p", .i420, "yuvj420p"),
        ]
        for (name, pix, layout, rawPix) in cases {
            let path = dir.file(name)
            let (w, h) = name == "odd.jpg" ? (99, 47) : (64, 40)
            try Fixtures.clip(path, width: w, height: h, frames: 1, pixelFormat: pix, extra: ["-update", "1"])
            let (info, bytes) = try decodeAll(path)
            #expect(info.isStillImage && info.frameCount == 1, "\(name)")
            #expect(info.format == FrameFormat(layout, width: w, height: h)!, "\(name)")
            if layout == .i420 { #expect(info.colorSpace == .bt601Full) }
            #expect(mismatch(bytes, [UInt8](try Fixtures.decode(path, pixelFormat: rawPix))) == nil, "\(name)")
        }
    }

    @Test func badInputsGetOneClearError() throws {
        func expectError(
            _ path: String, _ kind: MediaError.Kind, _ text: String, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            do {
                let s = try MediaFiles.openSource(path)
                let f = Frame(format: s.info.format)
                while try s.read(into: f) {}
                Issue.record("\(path) was accepted", sourceLocation: sourceLocation)
            } catch let e as MediaError {
                #expect(
                    e.kind == kind && e.path == path && e.problem.contains(text), "\(e)", sourceLocation: sourceLocation
                )
            } catch {
                Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
            }
        }
        var rng = TestFrames.Random(seed: 5)
        let junk = dir.file("junk.mp4")
        try writeFile(junk, Data((0..<4096).map { _ in rng.byte() }))
        expectError(junk, .corrupt, "not a recognisable video")

        let good = dir.file("good.mp4")
        try Fixtures.clip(
            good, width: 320, height: 240, frames: 30, codec: "libx264", extra: ["-movflags", "+faststart"])
        let data = try Data(contentsOf: URL(fileURLWithPath: good))
        let truncated = dir.file("truncated.mp4")
        try writeFile(truncated, data.prefix(data.count / 2))
        expectError(truncated, .truncated, "truncated")

        let png = dir.file("p.png")
        try Fixtures.clip(png, width: 64, height: 64, frames: 1, pixelFormat: "rgb24", extra: ["-update", "1"])
        let pngData = try Data(contentsOf: URL(fileURLWithPath: png))
        let brokenPNG = dir.file("broken.png")
        try writeFile(brokenPNG, pngData.prefix(pngData.count / 2))
        expectError(brokenPNG, .corrupt, "damaged or truncated")

        let audio = dir.file("audio.wav")
        try ProcessRunner.check("ffmpeg", ["-v", "error", "-f", "lavfi", "-i", "sine=d=0.2", audio])
        expectError(audio, .unsupported, "no video stream")

        let empty = dir.file("empty.mp4")
        try writeFile(empty, Data())
        expectError(empty, .corrupt, "empty")
        expectError(dir.file("missing.mkv"), .notFound, "no such file")
        expectError(dir.path, .unreadable, "directory")
    }
}
