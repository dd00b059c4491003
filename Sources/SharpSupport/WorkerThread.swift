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
        self.body = {
            Self.nameCurrentThread(name); body()
        }
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

    /// Names the calling thread for `top -H`, `/proc/PID/task/*/comm` and the benchmark's
    /// per-thread allocation counts (at most 15 bytes are kept).
    public static func nameCurrentThread(_ name: String) {
        #if os(Linux)
            // pthread_setname_np needs _GNU_SOURCE, which Swift's Glibc module lacks: the same
            // through procfs.
            let fd = open("/proc/thread-self/comm", O_WRONLY)
            guard fd >= 0 else { return }
            let bytes = Array(name.utf8.prefix(15))
            _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            close(fd)
        #endif
    }

    public func join() {
        precondition(!joined, "WorkerThread joined twice")
        joined = true
        pthread_join(thread, nil)
    }
}
