import Foundation
import Glibc
import Logging
import SharpFrames
import SharpMedia
import SharpPipeline
import SharpSupport
import TestSupport
import Testing

/// A clip whose frame k has luma k everywhere; throws at frame `failAt` when set.
final class NumberedSource: FrameSource {
    let info: StreamInfo
    let count: Int
    let failAt: Int?
    private var next = 0

    init(count: Int, failAt: Int? = nil) {
        info = StreamInfo(
            format: FrameFormat(.i420, width: 32, height: 16)!, colorSpace: .bt601Limited, frameRate: Rational(30, 1),
            frameCount: count, codecName: "numbers")
        self.count = count
        self.failAt = failAt
    }

    func read(into frame: Frame) throws -> Bool {
        if next == failAt { throw MediaError(.corrupt, path: "numbers", "frame \(next) is damaged") }
        guard next < count else { return false }
        for y in 0..<frame.height { frame.lumaRow(y).base.update(repeating: UInt8(next), count: frame.width) }
        next += 1
        usleep(UInt32.random(in: 0...800))
        return true
    }
}

/// Copies frames, at an uneven pace (so both rings fill and drain), and can cancel the job.
final class JitteryCopy: FrameProcessor {
    var strength: Float = 1
    func name(strength: Float) -> String { "jittery copy" }
    let cancelAfter: Int?
    let flag: CancellationFlag?
    private var done = 0

    init(cancelAfter: Int? = nil, flag: CancellationFlag? = nil) {
        self.cancelAfter = cancelAfter
        self.flag = flag
    }

    func process(_ input: Frame, into output: Frame) {
        usleep(UInt32.random(in: 0...1500))
        output.copy(from: input)
        done += 1
        if done == cancelAfter { flag?.cancel() }
    }
}

/// The pipelined file job (decode, process and encode on their own threads): frames arrive in
/// order and none is lost; an error or a cancellation in any stage stops all three and leaves
/// no output.
@Suite struct FileJobPipelineTests {
    let dir = TemporaryDirectory("pipeline")

    func job(_ source: FrameSource, _ processor: FrameProcessor, _ output: String) -> FileJob {
        FileJob(
            source: source, sourceName: "numbers", processor: processor, options: .init(output: output),
            logger: Logger(label: "test"))
    }

    @Test func framesKeepTheirOrderAndNoneIsDropped() throws {
        let out = dir.file("numbers.y4m")
        let summary = try job(NumberedSource(count: 60), JitteryCopy(), out).run()
        #expect(summary.frames == 60)
        let back = try Y4MReader(path: out)
        let f = Frame(format: back.info.format)
        var values: [Int] = []
        while try back.read(into: f) { values.append(Int(f.lumaRow(7)[13])) }
        #expect(values == Array(0..<60))
    }

    @Test func aDecodingErrorStopsEveryStage() throws {
        let out = dir.file("broken.y4m")
        #expect(throws: MediaError(.corrupt, path: "numbers", "frame 17 is damaged")) {
            try job(NumberedSource(count: 60, failAt: 17), JitteryCopy(), out).run()
        }
        #expect(dir.contents.isEmpty)
    }

    @Test func cancellingMidwayLeavesNothing() throws {
        let flag = CancellationFlag()
        #expect(throws: CancelledError.self) {
            try job(NumberedSource(count: 200), JitteryCopy(cancelAfter: 20, flag: flag), dir.file("c.mkv"))
                .run(cancellation: flag)
        }
        #expect(dir.contents.isEmpty)
    }
}
