import Foundation
import Logging
import SharpSupport
import Testing

/// Lines recorded from several threads (behind a pthread mutex, which ThreadSanitizer
/// understands; it reported the futex-based `Mutex` as a race).
final class Lines: @unchecked Sendable {
    private let lock = ConditionLock()
    private var lines: [String] = []
    func append(_ line: String) { lock.withLock { lines.append(line) } }
    var all: [String] { lock.withLock { lines } }
}

/// A stage that records when it ran and stopped, and can be told to fail, to return on its own,
/// or to ignore `stop()`.
final class ProbeService: Service, @unchecked Sendable {
    enum Behaviour {
        case runsUntilStopped
        case throwsAfter(Double)
        case returnsAfter(Double)
        case ignoresStop
    }
    let name: String
    let behaviour: Behaviour
    let log: Lines
    private let lock = ConditionLock()
    private var stopped = false

    init(_ name: String, _ behaviour: Behaviour = .runsUntilStopped, log: Lines) {
        self.name = name
        self.behaviour = behaviour
        self.log = log
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// Waits until stopped or until `seconds` passed; true when stopped.
    private func waitForStop(seconds: Double?) -> Bool {
        let deadline = seconds.map { monotonicNanos() + UInt64($0 * 1e9) }
        return lock.withLock {
            while !stopped {
                if let deadline, monotonicNanos() >= deadline { return false }
                lock.wait(untilMonotonicNanos: deadline)
            }
            return true
        }
    }

    func run() throws {
        log.append("start \(name)")
        defer { log.append("end \(name)") }
        switch behaviour {
        case .runsUntilStopped: _ = waitForStop(seconds: nil)
        case .throwsAfter(let s):
            if !waitForStop(seconds: s) { throw Failure(description: "\(name) broke: disk on fire") }
        case .returnsAfter(let s): _ = waitForStop(seconds: s)
        case .ignoresStop: usleep(3_000_000)
        }
    }

    func stop() {
        log.append("stop \(name)")
        lock.withLock {
            stopped = true
            lock.broadcast()
        }
    }
}

/// Collects log messages (to check what a failing stage leaves in the log).
struct CollectingLogHandler: LogHandler {
    let messages: Lines
    var logLevel: Logger.Level = .trace
    var metadata: Logger.Metadata = [:]
    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }
    func log(event: LogEvent) { messages.append("\(event.level): \(event.message)") }
}

@Suite struct ServiceGroupTests {
    static func logger(_ sink: Lines = Lines()) -> Logger {
        Logger(label: "test") { _ in CollectingLogHandler(messages: sink) }
    }

    /// Services start in order and stop in reverse order, each waited for before the next.
    @Test func stopsInReverseOrder() throws {
        let log = Lines()
        let services = ["output", "processing", "capture"].map { ProbeService($0, log: log) }
        let group = ServiceGroup(services: services, logger: Self.logger())
        let done = Lines()
        let t = Thread {
            try? group.run()
            done.append("done")
        }
        t.start()
        while log.all.filter({ $0.hasPrefix("start") }).count < 3 { usleep(1000) }
        group.requestStop()
        while done.all.isEmpty { usleep(1000) }
        let stops = log.all.filter { !$0.hasPrefix("start") }
        #expect(
            stops == ["stop capture", "end capture", "stop processing", "end processing", "stop output", "end output"])
    }

    /// A stage that throws an arbitrary error stops the others and the group rethrows it, with the
    /// error in the log.
    @Test func firstErrorIsRethrownAndLogged() throws {
        let log = Lines(), messages = Lines()
        let services = [
            ProbeService("output", log: log),
            ProbeService("processing", ProbeService.Behaviour.throwsAfter(0.05), log: log),
            ProbeService("capture", log: log),
        ]
        let group = ServiceGroup(services: services, logger: Self.logger(messages))
        do {
            try group.run()
            Issue.record("the group did not throw")
        } catch let e as ProbeService.Failure {
            #expect(e.description == "processing broke: disk on fire")
        }
        #expect(log.all.contains("end output") && log.all.contains("end capture"))
        #expect(messages.all.contains("critical: processing: processing broke: disk on fire"))
    }

    /// A stage whose `run()` returns without being asked ends the group with an error naming it.
    @Test func unexpectedReturnIsAnError() throws {
        let log = Lines()
        let group = ServiceGroup(
            services: [
                ProbeService("output", log: log),
                ProbeService("capture", ProbeService.Behaviour.returnsAfter(0.05), log: log),
            ],
            logger: Self.logger())
        #expect(throws: ServiceGroupError.serviceFinishedUnexpectedly("capture")) { try group.run() }
    }

    /// A stage that ignores `stop()` makes the group throw after the stop timeout, naming it.
    @Test func stageThatDoesNotStopIsNamed() throws {
        let log = Lines()
        let group = ServiceGroup(
            services: [
                ProbeService("output", log: log), ProbeService("capture", ProbeService.Behaviour.ignoresStop, log: log),
            ],
            logger: Self.logger(), stopTimeout: 0.2)
        group.requestStop()
        let start = monotonicNanos()
        #expect(throws: ServiceGroupError.serviceDidNotStop("capture", seconds: 0.2)) { try group.run() }
        #expect(monotonicSeconds(since: start) < 2)
    }

    /// A stop requested before `run()` still starts and stops every stage cleanly.
    @Test func stopBeforeRun() throws {
        let log = Lines()
        let group = ServiceGroup(services: [ProbeService("a", log: log)], logger: Self.logger())
        group.requestStop()
        try group.run()
        #expect(log.all.contains("end a"))
    }
}
