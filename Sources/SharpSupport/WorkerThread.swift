#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A dedicated thread that runs one closure and can be joined: the stages of a pipelined job.
/// The closure may capture non-Sendable state: the caller hands it over to the thread and does
/// not touch it again before `join()` returns.
///
/// Invariant: `join()` returns once the closure has returned; it is called at most once.
public final class WorkerThread: @unchecked Sendable {
    private var thread = pthread_t()
    private let body: () -> Void
    private var joined = false

    /// Starts the thread at once.
    public init(name: String, _ body: @escaping () -> Void) {
        self.body = body
        let context = Unmanaged.passRetained(self).toOpaque()
        let started = pthread_create(
            &thread, nil,
            { raw in
                let me = Unmanaged<WorkerThread>.fromOpaque(raw!).takeRetainedValue()
                me.body()
                return nil
            }, context)
        precondition(started == 0, "cannot start thread \(name) (errno \(started))")
    }

    public func join() {
        precondition(!joined, "WorkerThread joined twice")
        joined = true
        pthread_join(thread, nil)
    }
}
