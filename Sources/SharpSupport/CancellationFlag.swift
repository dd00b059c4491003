import Synchronization

/// A one-way flag set from a signal handler or another thread and polled by loops.
///
/// Invariant: once set it stays set.
public final class CancellationFlag: Sendable {
    private let state = Atomic<Bool>(false)
    public init() {}
    public func cancel() { state.store(true, ordering: .releasing) }
    public var isCancelled: Bool { state.load(ordering: .acquiring) }
}

/// Thrown by long jobs that noticed their `CancellationFlag`.
public struct CancelledError: Error, CustomStringConvertible {
    public init() {}
    public var description: String { "cancelled" }
}
