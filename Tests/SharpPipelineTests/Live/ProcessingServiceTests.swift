import Dispatch
import Foundation
import Logging
import SharpFrames
import SharpPipeline
import TestSupport
import Testing

/// A processor that holds each frame until the test lets it go, and records the strength
/// every frame ran with.
private final class GatedProcessor: FrameProcessor, @unchecked Sendable {
    var strength: Float = 1
    let entered = DispatchSemaphore(value: 0)
    let proceed = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var used: [Float] = []

    func name(strength: Float) -> String { "gated (strength \(strength))" }

    func process(_ input: Frame, into output: Frame) {
        lock.withLock { used.append(strength) }
        entered.signal()
        proceed.wait()
        output.copy(from: input)
    }

    var strengths: [Float] { lock.withLock { used } }
}

/// The processing stage's control side never waits for a frame: while a frame is being
/// processed, a strength change, the processor's name and a processor change all answer, and
/// the changes reach the next frame, not the one in flight; a snapshot is a frame processed
/// after it was asked for. (Before, the stage held its lock across the frame; on a loaded
/// 2-core machine control and live-view requests starved for seconds and the web console
/// missed its 5 s stop deadline.)
@Suite struct ProcessingServiceTests {
    /// Runs `body` on another thread; true when it returns within `seconds` (a deadlock
    /// guard, not a timing: the frame it must not wait for is held until after the check).
    private func answers(within seconds: Double = 10, _ body: @escaping @Sendable () -> Void) -> Bool {
        let done = DispatchSemaphore(value: 0)
        Thread {
            body()
            done.signal()
        }.start()
        return done.wait(timeout: .now() + seconds) == .success
    }

    @Test func controlRequestsDoNotWaitForTheFrameInFlight() throws {
        let format = try #require(FrameFormat(.yuyv, width: 64, height: 32))
        let input = FrameRing(capacity: 2, format: format), output = FrameRing(capacity: 1, format: format)
        let gated = GatedProcessor()
        let service = ProcessingService(
            input: input, output: output, processor: gated, statistics: LiveStatistics(),
            logger: Logger(label: "test"))
        let stopped = DispatchSemaphore(value: 0)
        Thread {
            try? service.run()
            stopped.signal()
        }.start()

        input.publish(input.acquireForWriting())
        // Frame 1 is in the processor, and stays there until `proceed`.
        try #require(gated.entered.wait(timeout: .now() + 60) == .success)
        #expect(answers { service.setStrength(0.25) })
        let name = Box<String>()
        #expect(answers { name.value = service.processorName })
        #expect(name.value == "gated (strength 0.25)")
        let other = GatedProcessor()
        #expect(answers { service.replaceProcessor(other) })
        #expect(answers { service.setStrength(0.5) })

        gated.proceed.signal()  // frame 1 finishes with the old processor and strength
        let drain = {
            if case .frame(let f) = output.acquireForReading(timeoutNanos: 60_000_000_000) { output.release(f) }
        }
        drain()
        #expect(gated.strengths == [1])

        input.publish(input.acquireForWriting())
        try #require(other.entered.wait(timeout: .now() + 60) == .success, "frame 2 did not reach the new processor")
        other.proceed.signal()
        drain()
        #expect(other.strengths == [0.5])

        // A snapshot: the input and output of a frame processed after the request.
        service.replaceProcessor(BypassProcessor())
        let pair = Box<(input: Frame, output: Frame)?>()
        let snapshotDone = DispatchSemaphore(value: 0)
        Thread {
            pair.value = service.snapshot(format: format, timeoutNanos: 60_000_000_000)
            snapshotDone.signal()
        }.start()
        var fed = 0
        repeat {
            let f = input.acquireForWriting()
            f.planes[0].fill(77)
            input.publish(f)
            drain()
            fed += 1
        } while snapshotDone.wait(timeout: .now() + 0.01) == .timedOut && fed < 6000
        let snap = try #require(pair.value ?? nil)
        #expect(TestFrames.bytes(snap.input).allSatisfy { $0 == 77 })
        #expect(TestFrames.bytes(snap.output).allSatisfy { $0 == 77 })

        service.stop()
        #expect(stopped.wait(timeout: .now() + 60) == .success)
    }
}

private final class Box<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: T?
    var value: T? {
        get { lock.withLock { stored } }
        set { lock.withLock { stored = newValue } }
    }
}
