import Dispatch
import Foundation
import SharpFrames
import SharpSupport
import Testing

@Suite struct FrameRingTests {
    let format = FrameFormat(.i420, width: 16, height: 8)!

    func stamp(_ f: Frame, _ n: UInt64) {
        f.sequence = n
        for p in f.planes { p.fill(UInt8(truncatingIfNeeded: n)) }
    }

    func isIntact(_ f: Frame) -> Bool {
        let v = UInt8(truncatingIfNeeded: f.sequence)
        for p in f.planes { for y in 0..<p.rows { for x in 0..<p.rowBytes where p.row(y)[x] != v { return false } } }
        return true
    }

    @Test func deliversInOrderWhileNotFull() {
        let ring = FrameRing(capacity: 3, format: format)
        for n in 0..<3 as Range<UInt64> { let f = ring.acquireForWriting(); stamp(f, n); ring.publish(f) }
        for n in 0..<3 as Range<UInt64> {
            let f = ring.tryAcquireForReading()!
            #expect(f.sequence == n && isIntact(f))
            ring.release(f)
        }
        #expect(ring.tryAcquireForReading() == nil)
        #expect(ring.statistics == .init(published: 3, consumed: 3, dropped: 0))
    }

    @Test func newestWinsWhenFull() {
        let ring = FrameRing(capacity: 2, format: format)
        for n in 0..<5 as Range<UInt64> { let f = ring.acquireForWriting(); stamp(f, n); ring.publish(f) }
        #expect(ring.unreadCount == 2)
        #expect(ring.statistics.dropped == 3)
        let a = ring.tryAcquireForReading()!; #expect(a.sequence == 3); ring.release(a)
        let b = ring.tryAcquireForReading()!; #expect(b.sequence == 4); ring.release(b)
    }

    @Test func producerNeverBlocksWhileConsumerHoldsAFrame() {
        let ring = FrameRing(capacity: 1, format: format)
        let f0 = ring.acquireForWriting(); stamp(f0, 0); ring.publish(f0)
        let held = ring.tryAcquireForReading()!
        for n in 1..<10 as Range<UInt64> {
            let f = ring.acquireForWriting(); #expect(f !== held); stamp(f, n); ring.publish(f)
        }
        #expect(isIntact(held) && held.sequence == 0)
        ring.release(held)
        #expect(ring.tryAcquireForReading()!.sequence == 9)
    }

    @Test func readTimesOutAndCloseWakesReaders() {
        let ring = FrameRing(capacity: 2, format: format)
        let t0 = monotonicNanos()
        if case .timedOut = ring.acquireForReading(timeoutNanos: 20_000_000) {
        } else {
            Issue.record("expected a timeout")
        }
        #expect(monotonicNanos() - t0 >= 19_000_000)
        let done = DispatchSemaphore(value: 0)
        nonisolated(unsafe) var result: String = ""
        DispatchQueue.global().async {
            if case .closed = ring.acquireForReading(timeoutNanos: nil) { result = "closed" }
            done.signal()
        }
        usleepMillis(20)
        ring.close()
        #expect(done.wait(timeout: .now() + 2) == .success)
        #expect(result == "closed")
    }

    @Test func closeDrainsUnreadFramesFirst() {
        let ring = FrameRing(capacity: 2, format: format)
        let f = ring.acquireForWriting(); stamp(f, 7); ring.publish(f)
        ring.close()
        guard case .frame(let g) = ring.acquireForReading(timeoutNanos: 0) else {
            Issue.record("unread frame lost"); return
        }
        #expect(g.sequence == 7)
        ring.release(g)
        if case .closed = ring.acquireForReading(timeoutNanos: 0) {} else { Issue.record("expected closed") }
    }

    /// A fast producer and a slower consumer on two threads: the consumer sees strictly
    /// increasing sequence numbers and intact frames, and every published frame is accounted
    /// for as consumed, dropped or still unread. (CI also runs this under ThreadSanitizer.)
    @Test(arguments: [1, 3])
    func concurrentStressKeepsFramesIntactAndAccounted(capacity: Int) {
        let ring = FrameRing(capacity: capacity, format: format)
        let total: UInt64 = 20_000
        let group = DispatchGroup()
        nonisolated(unsafe) var consumed: [UInt64] = []
        nonisolated(unsafe) var corrupt = 0
        group.enter()
        Thread.detachNewThreadWrapper {
            var spin = 0
            while true {
                switch ring.acquireForReading(timeoutNanos: 1_000_000_000) {
                case .frame(let f):
                    if !self.isIntact(f) { corrupt += 1 }
                    consumed.append(f.sequence)
                    spin &+= 1
                    if spin % 3 == 0 { for _ in 0..<200 { spin = spin &* 31 &+ 1 } }  // be slower than the producer
                    ring.release(f)
                case .timedOut, .closed:
                    group.leave()
                    return
                }
            }
        }
        for n in 0..<total {
            let f = ring.acquireForWriting()
            stamp(f, n)
            ring.publish(f)
        }
        ring.close()
        group.wait()
        let stats = ring.statistics
        #expect(corrupt == 0)
        #expect(zip(consumed, consumed.dropFirst()).allSatisfy { $0 < $1 })
        #expect(stats.published == total)
        #expect(stats.consumed == UInt64(consumed.count))
        #expect(stats.consumed + stats.dropped == total)
        #expect(consumed.last == total - 1)
    }
}

func usleepMillis(_ ms: Int) {
    let deadline = monotonicNanos() + UInt64(ms) * 1_000_000
    while monotonicNanos() < deadline {}
}

extension Thread {
    static func detachNewThreadWrapper(_ body: @escaping @Sendable () -> Void) {
        let t = Thread(block: body)
        t.start()
    }
}
