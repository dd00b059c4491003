import Dispatch

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns process signals (SIGTERM, SIGINT, SIGHUP...) into calls on a dispatch queue: the one
/// place SharpCam installs signal handlers (the live service group, file jobs, training).
///
/// Invariant: while a watcher is active its signals are ignored by the default disposition and
/// delivered to its handlers only; `cancel()` (or deinit) stops the delivery. Handlers run on
/// a background queue, never in signal context, and must be thread-safe.
public final class SignalWatcher: @unchecked Sendable {
    private var sources: [DispatchSourceSignal]

    /// Starts watching: each signal calls its handler.
    public init(_ handlers: [(Int32, @Sendable () -> Void)]) {
        sources = handlers.map { sig, action in
            signal(sig, SIG_IGN)
            let s = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            s.setEventHandler(handler: action)
            s.resume()
            return s
        }
    }

    /// SIGINT and SIGTERM set `flag` (file jobs and training stop cleanly at the next step).
    public convenience init(cancelling flag: CancellationFlag) {
        let cancel: @Sendable () -> Void = { flag.cancel() }
        self.init([(SIGINT, cancel), (SIGTERM, cancel)])
    }

    public func cancel() {
        sources.forEach { $0.cancel() }
        sources = []
    }

    deinit { cancel() }
}
