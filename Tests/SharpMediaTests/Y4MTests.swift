import Foundation
import SharpFrames
import SharpMedia
import TestSupport
import Testing

@Suite struct Y4MTests {
    let dir = TemporaryDirectory("y4m")

    func writeClip(_ frames: [Frame], to path: String, rate: Rational = Rational(25, 1)) throws {
        let w = try Y4MWriter(path: path, frameRate: rate)
        for f in frames { try w.write(f) }
        try w.finish()
    }

    func readAll(_ path: String) throws -> (StreamInfo, [[UInt8]]) {
        let r = try Y4MReader(path: path)
        let f = Frame(format: r.info.format)
        var out: [[UInt8]] = []
        while try r.read(into: f) { out.append(TestFrames.bytes(f)) }
        return (r.info, out)
    }

    @Test(arguments: [PixelFormat.i420, .yuyv])
    func writeThenReadIsExactAndFFprobeAgrees(_ pf: PixelFormat) throws {
        let format = FrameFormat(pf, width: 321, height: 241)!
        let frames = (0..<4).map { TestFrames.random(format, seed: UInt64($0)) }
        let path = dir.file("a.y4m")
        try writeClip(frames, to: path)
        let (info, read) = try readAll(path)
        #expect(info.format == format)
        #expect(info.frameRate == Rational(25, 1) && info.frameCount == 4)
        #expect(read.count == frames.count)
        for (r, f) in zip(read, frames) { #expect(mismatch(r, TestFrames.bytes(f)) == nil) }
        let probe = try Fixtures.probe(path)
        #expect(
            probe
                == .init(
                    width: 321, height: 241, frames: 4, pixelFormat: pf == .yuyv ? "yuv422p" : "yuv420p",
                    codec: "rawvideo"))
        #expect(dir.contents == ["a.y4m"])
    }

    @Test func nv12AndRGBAreWrittenAsI420() throws {
        let rgb = TestFrames.random(FrameFormat(.rgb24, width: 33, height: 17)!, seed: 3)
        let path = dir.file("rgb.y4m")
        try writeClip([rgb], to: path)
        let (info, read) = try readAll(path)
        let expected = Frame(format: rgb.format.with(.i420), colorSpace: .bt601Limited)
        rgb.convert(into: expected)
        #expect(info.format.pixelFormat == .i420 && read.count == 1)
        #expect(mismatch(read[0], TestFrames.bytes(expected)) == nil)
    }

    @Test func fullRangeIsSignalledAndRead() throws {
        let f = TestFrames.random(FrameFormat(.i420, width: 8, height: 8)!, colorSpace: .bt601Full)
        let path = dir.file("full.y4m")
        try writeClip([f], to: path)
        #expect(try Y4MReader(path: path).info.colorSpace.range == .full)
    }

    /// Streams written by FFmpeg itself: 4:2:0, 4:2:2 and mono, compared with FFmpeg's decode.
    @Test func readsFFmpegWrittenStreams() throws {
        let cases: [(String, String, PixelFormat)] = [
            ("yuv420p", "yuv420p", .i420), ("yuv422p", "yuv422p", .yuyv), ("gray", "gray", .i420),
        ]
        for (pix, rawPix, expected) in cases {
            let path = dir.file("\(pix).y4m")
            try Fixtures.clip(
                path, width: 65, height: 33, frames: 3, pixelFormat: pix, extra: pix == "gray" ? ["-strict", "-1"] : [])
            let r = try Y4MReader(path: path)
            #expect(r.info.format.pixelFormat == expected, "\(pix)")
            let f = Frame(format: r.info.format)
            let raw = [UInt8](try Fixtures.decode(path, pixelFormat: rawPix))
            var offset = 0, frames = 0
            while try r.read(into: f) {
                let bytes = expected == .yuyv ? TestFrames.planar422(f) : TestFrames.bytes(f)
                let frameLen = rawPix == "gray" ? 65 * 33 : bytes.count
                #expect(
                    mismatch(Array(bytes.prefix(frameLen)), Array(raw[offset..<offset + frameLen])) == nil,
                    "\(pix) frame \(frames)")
                if rawPix == "gray" { #expect(bytes.dropFirst(frameLen).allSatisfy { $0 == 128 }) }
                offset += frameLen
                frames += 1
            }
            #expect(frames == 3 && offset == raw.count)
        }
    }

    @Test func errorsNameTheFileAndTheProblem() throws {
        func write(_ name: String, _ bytes: [UInt8]) throws -> String {
            let p = dir.file(name)
            try writeFile(p, Data(bytes))
            return p
        }
        let header = Array("YUV4MPEG2 W4 H2 F25:1 C420jpeg\n".utf8)
        let frameBytes = 4 * 2 + 2 * 2 * 1
        let cases: [(String, [UInt8], MediaError.Kind, String)] = [
            ("sig.y4m", Array("RIFF....".utf8), .corrupt, "not a YUV4MPEG2 stream"),
            ("empty.y4m", [], .corrupt, "empty file"),
            ("size.y4m", Array("YUV4MPEG2 W0 H2 F25:1\n".utf8), .invalidGeometry, "invalid frame size 0x2"),
            ("c444.y4m", Array("YUV4MPEG2 W4 H2 C444\n".utf8), .unsupported, "C444"),
            ("p10.y4m", Array("YUV4MPEG2 W4 H2 C420p10\n".utf8), .unsupported, "C420p10"),
            // A frame duration in nanoseconds beyond 64 bits trapped (found by the fuzzer).
            ("slow.y4m", Array("YUV4MPEG2 W4 H2 F5:1000000000000000000\n".utf8), .corrupt, "frame rate F5:"),
            ("fast.y4m", Array("YUV4MPEG2 W4 H2 F1000001:1\n".utf8), .corrupt, "out of range"),
        ]
        for (name, bytes, kind, text) in cases {
            let path = try write(name, bytes)
            #expect(throws: MediaError.self) { try Y4MReader(path: path) }
            do { _ = try Y4MReader(path: path) } catch let e as MediaError {
                #expect(e.kind == kind && e.path == path && e.problem.contains(text), "\(e)")
            }
        }
        // Frame-level errors surface on read.
        let truncated = try write(
            "trunc.y4m",
            header + Array("FRAME\n".utf8) + [UInt8](repeating: 1, count: frameBytes) + Array("FRAME\n".utf8) + [
                1, 2, 3,
            ])
        let r = try Y4MReader(path: truncated)
        let f = Frame(format: r.info.format)
        #expect(try r.read(into: f))
        do { _ = try r.read(into: f); Issue.record("truncated frame accepted") } catch let e as MediaError {
            #expect(e.kind == .truncated && e.problem.contains("frame 1 has 3 of \(frameBytes) bytes"), "\(e)")
        }
        let badMarker = try write(
            "marker.y4m", header + Array("FRAMX\n".utf8) + [UInt8](repeating: 1, count: frameBytes))
        do { _ = try Y4MReader(path: badMarker).read(into: f); Issue.record("bad marker accepted") } catch let e
            as MediaError
        {
            #expect(e.kind == .corrupt && e.problem.contains("expected 'FRAME'"))
        }
        #expect(throws: MediaError(.notFound, path: dir.file("missing.y4m"), "no such file")) {
            try Y4MReader(path: dir.file("missing.y4m"))
        }
        do { _ = try Y4MReader(path: dir.path); Issue.record("directory accepted") } catch let e as MediaError {
            #expect(e.kind == .unreadable && e.problem.contains("directory"))
        }
    }

    @Test func writerRefusesAFrameOfAnotherFormatAndLeavesNothing() throws {
        let path = dir.file("mixed.y4m")
        let w = try Y4MWriter(path: path, frameRate: nil)
        try w.write(TestFrames.random(FrameFormat(.i420, width: 8, height: 8)!))
        #expect(throws: MediaError.self) { try w.write(TestFrames.random(FrameFormat(.i420, width: 10, height: 8)!)) }
        #expect(dir.contents.isEmpty)
    }
}

/// The live demo's clip: rendered once, then played back and forth.
@Suite struct PrerenderedClipTests {
    @Test func playsBackAndForthWithContinuingTimestamps() throws {
        let reference = SyntheticClipSource(width: 64, height: 36, frames: 5)
        var originals: [[UInt8]] = []
        let f = Frame(format: reference.info.format)
        while try reference.read(into: f) { originals.append(TestFrames.bytes(f)) }
        let clip = try PrerenderedClip(SyntheticClipSource(width: 64, height: 36, frames: 5), count: 4)
        #expect(clip.storedFrames == 4 && clip.info.frameCount == nil)
        var order: [Int] = []
        for k in 0..<9 {
            #expect(try clip.read(into: f))
            order.append(originals.firstIndex(of: TestFrames.bytes(f)) ?? -1)
            #expect(f.sequence == UInt64(k) && f.timestamp == Int64(Double(k) * 1e9 / 30))
        }
        #expect(order == [0, 1, 2, 3, 2, 1, 0, 1, 2])
        // Stored in the consumer's format: playback is a copy.
        let yuyv = try PrerenderedClip(
            SyntheticClipSource(width: 64, height: 36, frames: 5), count: 4,
            format: FrameFormat(.yuyv, width: 64, height: 36)!)
        let g = Frame(format: FrameFormat(.yuyv, width: 64, height: 36)!)
        let played = try yuyv.read(into: g)
        #expect(yuyv.info.format.pixelFormat == .yuyv && played)
        let i420 = Frame(format: reference.info.format)
        g.convert(into: i420)
        #expect(TestFrames.maxDifference(TestFrames.bytes(i420), originals[0]) <= 1)
        let single = try PrerenderedClip(SyntheticClipSource(width: 64, height: 36, frames: 1), count: 4)
        let first = try single.read(into: f), second = try single.read(into: f)
        #expect(single.storedFrames == 1 && first && second)
    }
}
