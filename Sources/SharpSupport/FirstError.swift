/// The first error reported by any of several threads (later ones are dropped).
///
/// Invariant: once set, `error` never changes.
public final class FirstError: @unchecked Sendable {
    private let lock = ConditionLock()
    private var first: Error?

    public init() {}

    /// Keeps `error` if it is the first.
    public func record(_ error: Error) {
        lock.withLock { if first == nil { first = error } }
    }

    public var error: Error? { lock.withLock { first } }
}
