import SharpFrames
import SharpMedia
import TestSupport
import Testing

@Suite struct FrameResizerTests {
    @Test(arguments: [PixelFormat.i420, .yuyv, .rgb24, .nv12])
    func resizesAndKeepsMetadata(_ pf: PixelFormat) throws {
        let src = Frame(format: FrameFormat(pf, width: 64, height: 48)!)
        src.fillGrey(90)
        src.sequence = 5; src.timestamp = 77
        let dst = Frame(format: FrameFormat(pf, width: 33, height: 17)!)
        let r = try FrameResizer(from: src.format, to: dst.format, colorSpace: .bt601Limited)
        r.resize(src, into: dst)
        #expect(dst.sequence == 5 && dst.timestamp == 77)
        // A flat picture stays flat at any size.
        let grey = Frame(format: dst.format)
        grey.fillGrey(90)
        #expect(TestFrames.maxDifference(TestFrames.bytes(dst), TestFrames.bytes(grey)) <= 1)
    }
}
