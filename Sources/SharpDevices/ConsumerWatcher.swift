import CV4L2
import Glibc
import SharpFrames
import SharpMedia
import SharpSupport
import Synchronization

/// Counts the programs that have the loopback device open (video-call apps).
///
/// inotify IN_OPEN / IN_CLOSE_* events on the device node say when something changed, but
/// the kernel merges identical unread events (two quick opens arrive as one), so after every
/// batch the count is taken from /proc instead whenever that scan can see every process (as
/// root, or as the user service among the user's own apps); only when some processes are
/// hidden (a sandboxed system service) does the event arithmetic stand alone. Our own
/// descriptor was opened before watching starts and is never counted.
///
/// Invariant: the count never goes below zero; `run()` returns after `stop()`.
public final class ConsumerWatcher: @unchecked Sendable {
    public let path: String
    private let consumers: Atomic<Int>
    private let stopped = Atomic<Bool>(false)
    private let inotifyFD: Int32
    private let lastChange = Atomic<UInt64>(0)

    public init(path: String) throws {
        self.path = path
        let scan = V4L2Device.holders(of: path)
        consumers = Atomic(scan.processes.count)
        let fd = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        guard fd >= 0 else {
            throw MediaError(
                .unreadable, path: path, "cannot watch the device (inotify: \(String(cString: strerror(errno))))")
        }
        if inotify_add_watch(fd, path, UInt32(IN_OPEN | IN_CLOSE_WRITE | IN_CLOSE_NOWRITE)) < 0 {
            close(fd)
            throw MediaError(
                .unreadable, path: path, "cannot watch the device (inotify: \(String(cString: strerror(errno))))")
        }
        inotifyFD = fd
        lastChange.store(monotonicNanos(), ordering: .relaxed)
    }

    deinit { close(inotifyFD) }

    public var count: Int { consumers.load(ordering: .acquiring) }
    /// When the count last changed (CLOCK_MONOTONIC ns).
    public var lastChangeNanos: UInt64 { lastChange.load(ordering: .acquiring) }

    public func stop() { stopped.store(true, ordering: .releasing) }

    /// Reads events until stopped; `changed` is called with the new count.
    ///
    /// The kernel reports IN_OPEN before the new descriptor is visible in /proc, so a scan
    /// is repeated shortly after each batch of events and then every couple of seconds.
    public func run(changed: (Int) -> Void) {
        var buffer = [UInt8](repeating: 0, count: 4096)
        let rescanDelays: [UInt64] = [20_000_000, 250_000_000, 1_000_000_000]
        var pendingScans: [UInt64] = []
        var nextPeriodicScan = monotonicNanos() + 2_000_000_000
        func publish(_ now: Int) {
            let old = consumers.load(ordering: .acquiring)
            guard now != old else { return }
            consumers.store(now, ordering: .releasing)
            lastChange.store(monotonicNanos(), ordering: .releasing)
            changed(now)
        }
        while !stopped.load(ordering: .acquiring) {
            let before = monotonicNanos()
            let wake = min(pendingScans.first ?? nextPeriodicScan, nextPeriodicScan, before + 200_000_000)
            let timeoutMs = Int32(clamping: (wake > before ? wake - before : 0) / 1_000_000)
            let ready = sc_poll_one(inotifyFD, Int16(POLLIN), max(1, timeoutMs)) > 0
            var delta = 0
            var sawEvents = false
            if ready {
                let n = buffer.withUnsafeMutableBytes { read(inotifyFD, $0.baseAddress, $0.count) }
                var offset = 0
                while n > 0, offset + MemoryLayout<inotify_event>.size <= n {
                    let (mask, len) = buffer.withUnsafeBytes { raw -> (UInt32, UInt32) in
                        let e = raw.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                        return (e.mask, e.len)
                    }
                    if mask & UInt32(IN_OPEN) != 0 { delta += 1 }
                    if mask & UInt32(IN_CLOSE_WRITE | IN_CLOSE_NOWRITE) != 0 { delta -= 1 }
                    offset += MemoryLayout<inotify_event>.size + Int(len)
                    sawEvents = true
                }
            }
            let now = monotonicNanos()
            if sawEvents { pendingScans = rescanDelays.map { now + $0 } }
            let scanDue = sawEvents || pendingScans.first.map { $0 <= now } == true || now >= nextPeriodicScan
            guard scanDue else { continue }
            pendingScans.removeAll { $0 <= now }
            nextPeriodicScan = now + 2_000_000_000
            let scan = V4L2Device.holders(of: path)
            if scan.complete {
                publish(scan.processes.count)
            } else if sawEvents {
                publish(max(0, consumers.load(ordering: .acquiring) + delta))
            }
        }
    }
}
