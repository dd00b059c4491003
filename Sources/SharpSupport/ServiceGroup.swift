import Foundation
import Logging

/// A long-running stage (capture, processing, output, the consumer watcher, status): `run()`
/// works on a dedicated thread until `stop()` asks it to return, or throws when it cannot go on.
///
/// Invariant: `stop()` is idempotent, may be called from any thread, before, during or after
/// `run()`, and makes a running `run()` return promptly (well within
/// `ServiceGroup.stopTimeout`).
public protocol Service: AnyObject, Sendable {
    /// The stage's name in logs and errors ("capture").
    var name: String { get }
    func run() throws
    func stop()
}

/// Why a service group ended with an error of its own.
public enum ServiceGroupError: Error, CustomStringConvertible, Equatable {
    /// A service's `run()` returned although nothing asked it to stop.
    case serviceFinishedUnexpectedly(String)
    /// A service did not return within the stop timeout after `stop()`.
    case serviceDidNotStop(String, seconds: Double)

    public var description: String {
        switch self {
        case .serviceFinishedUnexpectedly(let name): return "\(name): stopped unexpectedly"
        case .serviceDidNotStop(let name, let seconds):
            return "\(name): did not stop within \(seconds) s of being asked to"
        }
    }
}

/// Runs services as one unit, modelled on swift-service-lifecycle's `ServiceGroup` but on
/// dedicated threads (the frame path stays synchronous and allocation-free; no async/await):
/// starts every service in order, each on its own thread; when a stop is requested (SIGTERM or
/// SIGINT when `handleSignals`, or `requestStop()`), a service throws, or a service returns on
/// its own, stops them in reverse order, waiting for each (at most `stopTimeout` seconds),
/// then rethrows the first error. SIGHUP calls `onReload`.
///
/// Invariant: `run()` is called once; when it returns, every service's `run()` has returned
/// (or the group threw `serviceDidNotStop` naming the one that did not).
public final class ServiceGroup: @unchecked Sendable {
    public let services: [Service]
    public let stopTimeout: Double
    private let logger: Logger
    private let handleSignals: Bool
    private let onReload: (@Sendable () -> Void)?
    private let lock = ConditionLock()
    private var stopRequested = false
    private var finished: [Bool]
    private var firstError: Error?
    private var failedService: String?

    public init(
        services: [Service], logger: Logger, handleSignals: Bool = false, stopTimeout: Double = 5,
        onReload: (@Sendable () -> Void)? = nil
    ) {
        self.services = services
        self.logger = logger
        self.handleSignals = handleSignals
        self.stopTimeout = stopTimeout
        self.onReload = onReload
        finished = Array(repeating: false, count: services.count)
    }

    /// Asks the group to stop (as SIGTERM does).
    public func requestStop() {
        lock.withLock {
            stopRequested = true
            lock.broadcast()
        }
    }

    public func run() throws {
        var watcher: SignalWatcher?
        if handleSignals {
            var handlers: [(Int32, @Sendable () -> Void)] = [
                (SIGTERM, { [weak self] in self?.signalled("SIGTERM") }),
                (SIGINT, { [weak self] in self?.signalled("SIGINT") }),
            ]
            if let onReload { handlers.append((SIGHUP, onReload)) }
            watcher = SignalWatcher(handlers)
        }
        defer { watcher?.cancel() }
        for (index, service) in services.enumerated() {
            let thread = Thread { [self] in
                WorkerThread.nameCurrentThread(service.name)
                do {
                    try service.run()
                    finish(index, error: nil)
                } catch {
                    finish(index, error: error)
                }
            }
            thread.name = service.name
            thread.start()
        }
        lock.withLock {
            while !stopRequested { lock.wait(untilMonotonicNanos: nil) }
        }
        if let failedService { logger.error("\(failedService) failed; stopping the other stages") }
        for index in services.indices.reversed() {
            let service = services[index]
            service.stop()
            let deadline = monotonicNanos() + UInt64(stopTimeout * 1e9)
            let stopped = lock.withLock { () -> Bool in
                while !finished[index] {
                    if !lock.wait(untilMonotonicNanos: deadline) && monotonicNanos() >= deadline { break }
                }
                return finished[index]
            }
            if !stopped {
                let error = ServiceGroupError.serviceDidNotStop(service.name, seconds: stopTimeout)
                logger.critical("\(error)")
                throw lock.withLock { firstError } ?? error
            }
        }
        if let error = lock.withLock({ firstError }) { throw error }
    }

    private func signalled(_ name: String) {
        logger.info("\(name): stopping")
        requestStop()
    }

    private func finish(_ index: Int, error: Error?) {
        let name = services[index].name
        // Logged before the group can see the stage as finished (and return).
        if let error { logger.critical("\(name): \(error)") }
        lock.withLock {
            finished[index] = true
            if !stopRequested {
                let cause = error ?? ServiceGroupError.serviceFinishedUnexpectedly(name)
                if firstError == nil {
                    firstError = cause
                    failedService = name
                }
                stopRequested = true
            } else if let error, firstError == nil {
                firstError = error
                failedService = name
            }
            lock.broadcast()
        }
    }
}

/// A service made of two closures (adapts a type whose run loop takes arguments).
public final class ClosureService: Service, @unchecked Sendable {
    public let name: String
    private let body: () throws -> Void
    private let onStop: () -> Void

    public init(name: String, run: @escaping () throws -> Void, stop: @escaping () -> Void) {
        self.name = name
        body = run
        onStop = stop
    }

    public func run() throws { try body() }
    public func stop() { onStop() }
}
