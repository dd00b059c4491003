import SharpSupport

/// A fixed-capacity, preallocated, single-producer / single-consumer queue of frames in
/// which the newest frame wins.
///
/// The ring owns `capacity + 2` frames of one format: up to `capacity` published and unread,
/// one being written by the producer and one being read by the consumer. Publishing into a
/// full ring recycles the oldest unread frame and counts a drop, so a slow consumer never
/// makes the producer wait and never sees more than `capacity` frames of latency.
///
/// Invariants: at most one frame is held for writing and at most one for reading at any
/// time; every frame is in exactly one of {free, ready, writer's hands, reader's hands};
/// no call allocates after `init`.
public final class FrameRing: @unchecked Sendable {
    public let capacity: Int
    public let format: FrameFormat

    /// Counters since creation.
    public struct Statistics: Sendable, Equatable {
        /// Frames handed to `publish`.
        public var published: UInt64 = 0
        /// Frames returned by a read.
        public var consumed: UInt64 = 0
        /// Unread frames recycled because the ring was full.
        public var dropped: UInt64 = 0

        public init(published: UInt64 = 0, consumed: UInt64 = 0, dropped: UInt64 = 0) {
            self.published = published
            self.consumed = consumed
            self.dropped = dropped
        }
    }

    /// Outcome of a blocking read.
    public enum ReadResult {
        case frame(Frame)
        case timedOut
        case closed
    }

    private let lock = ConditionLock()
    private let frames: [Frame]
    private var free: [Int]
    private var ready: [Int]  // circular buffer of frame indices, `capacity` slots
    private var readyHead = 0
    private var readyCount = 0
    private var writerHolds = -1
    private var readerHolds = -1
    private var isClosed = false
    private var stats = Statistics()

    public init(capacity: Int, format: FrameFormat, colorSpace: ColorSpace = .bt601Limited) {
        precondition(capacity >= 1, "FrameRing capacity must be at least 1")
        self.capacity = capacity
        self.format = format
        frames = (0..<(capacity + 2)).map { _ in Frame(format: format, colorSpace: colorSpace) }
        free = Array(frames.indices.reversed())
        free.reserveCapacity(frames.count)
        ready = Array(repeating: -1, count: capacity)
    }

    private func index(of frame: Frame) -> Int {
        for i in frames.indices where frames[i] === frame { return i }
        preconditionFailure("frame does not belong to this FrameRing")
    }

    // MARK: Producer

    /// Takes a free frame to fill. Never blocks. Only one frame may be held for writing.
    public func acquireForWriting() -> Frame {
        lock.withLock {
            precondition(writerHolds < 0, "FrameRing: producer already holds a frame")
            guard let i = free.popLast() else { preconditionFailure("FrameRing: no free frame (invariant broken)") }
            writerHolds = i
            return frames[i]
        }
    }

    /// Publishes the frame obtained from `acquireForWriting`. When `capacity` frames are
    /// already unread, the oldest of them is recycled and counted as dropped. After `close`
    /// the frame is simply recycled.
    public func publish(_ frame: Frame) {
        lock.withLock {
            let i = index(of: frame)
            precondition(i == writerHolds, "FrameRing: publishing a frame not held for writing")
            writerHolds = -1
            if isClosed { free.append(i); return }
            if readyCount == capacity {
                free.append(ready[readyHead])
                readyHead = (readyHead + 1) % capacity
                readyCount -= 1
                stats.dropped += 1
            }
            ready[(readyHead + readyCount) % capacity] = i
            readyCount += 1
            stats.published += 1
            lock.broadcast()
        }
    }

    /// Lossless use (file jobs, where every frame counts): waits until publishing would not
    /// drop a frame (fewer than `capacity` unread) or the ring is closed. Returns false when
    /// closed. With one producer, a `publish` right after a true return never drops.
    public func waitForRoom() -> Bool {
        lock.withLock {
            while readyCount == capacity && !isClosed { lock.wait(untilMonotonicNanos: nil) }
            return !isClosed
        }
    }

    /// Gives back a frame obtained from `acquireForWriting` without publishing it.
    public func abandonWrite(_ frame: Frame) {
        lock.withLock {
            let i = index(of: frame)
            precondition(i == writerHolds, "FrameRing: abandoning a frame not held for writing")
            writerHolds = -1
            free.append(i)
        }
    }

    /// Stops the ring: readers drain what is unread, then get `.closed`.
    public func close() {
        lock.withLock {
            isClosed = true
            lock.broadcast()
        }
    }

    // MARK: Consumer

    /// Takes the oldest unread frame, waiting up to `timeoutNanos` (nil: forever). Only one
    /// frame may be held for reading; give it back with `release`.
    public func acquireForReading(timeoutNanos: UInt64?) -> ReadResult {
        let deadline = timeoutNanos.map { monotonicNanos() &+ $0 }
        return lock.withLock {
            precondition(readerHolds < 0, "FrameRing: consumer already holds a frame")
            while readyCount == 0 {
                if isClosed { return .closed }
                if !lock.wait(untilMonotonicNanos: deadline), readyCount == 0 {
                    return isClosed ? .closed : .timedOut
                }
            }
            let i = ready[readyHead]
            readyHead = (readyHead + 1) % capacity
            if readyCount == capacity { lock.broadcast() }  // a lossless producer may wait for room
            readyCount -= 1
            readerHolds = i
            stats.consumed += 1
            return .frame(frames[i])
        }
    }

    /// Takes the oldest unread frame if there is one, without waiting.
    public func tryAcquireForReading() -> Frame? {
        if case .frame(let f) = acquireForReading(timeoutNanos: 0) { return f }
        return nil
    }

    /// Returns the frame obtained from a read.
    public func release(_ frame: Frame) {
        lock.withLock {
            let i = index(of: frame)
            precondition(i == readerHolds, "FrameRing: releasing a frame not held for reading")
            readerHolds = -1
            free.append(i)
        }
    }

    // MARK: State

    public var statistics: Statistics { lock.withLock { stats } }

    /// Frames published and not yet read.
    public var unreadCount: Int { lock.withLock { readyCount } }
}
