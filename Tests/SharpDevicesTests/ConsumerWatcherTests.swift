import Dispatch
import Foundation
import Glibc
import SharpDevices
import TestSupport
import Testing

@Suite struct ConsumerWatcherTests {
    /// Opens and closes by other processes change the count — also two opens at once, which
    /// inotify merges into one event (the /proc scan corrects it).
    @Test func countsOpensAndCloses() throws {
        let dir = TemporaryDirectory("watch")
        let path = dir.file("node")
        try writeFile(path, Data([1]))
        let w = try ConsumerWatcher(path: path)
        #expect(w.count == 0)
        nonisolated(unsafe) var seen: [Int] = []
        let done = DispatchSemaphore(value: 0)
        Thread {
            w.run { seen.append($0) }; done.signal()
        }.start()
        func holder() throws -> Process {
            let p = Process()
            // The child opens the file itself, so the open and the last close are its own.
            p.executableURL = URL(fileURLWithPath: "/bin/sh")
            p.arguments = ["-c", "exec sleep 30 < \"$0\"", path]
            try p.run()
            return p
        }
        let a = try holder(), b = try holder()
        try waitUntil { w.count == 2 }
        // SIGKILL: the test runner's children may inherit an ignored SIGTERM.
        kill(a.processIdentifier, SIGKILL); a.waitUntilExit()
        try waitUntil { w.count == 1 }
        kill(b.processIdentifier, SIGKILL); b.waitUntilExit()
        try waitUntil { w.count == 0 }
        w.stop()
        #expect(done.wait(timeout: .now() + 2) == .success)
        #expect(seen.last == 0 && seen.max() == 2)
    }

    @Test func findsProcessesHoldingADevice() throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sleep")
        p.arguments = ["5"]
        p.standardInput = FileHandle(forReadingAtPath: "/dev/zero")
        try p.run()
        defer { p.terminate() }
        try waitUntil { V4L2Device.processesHolding("/dev/zero").contains { $0.pid == p.processIdentifier } }
        #expect(V4L2Device.processesHolding("/dev/zero").first { $0.pid == p.processIdentifier }?.name == "sleep")
        #expect(!V4L2Device.processesHolding("/dev/zero").contains { $0.pid == getpid() })
    }
}
