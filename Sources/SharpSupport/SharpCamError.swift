/// A failure a user can act on: what it concerns (a file, a `file:line`, a flag, a device, a
/// model) and what is wrong with it. Thrown where no more specific error type (`MediaError`,
/// `WeightsFileError`, `ConfigurationError`) applies: engine set-up, training, validation.
///
/// Invariant: `description` is one line a user reads: "subject: problem", or the problem alone
/// when it concerns nothing nameable.
public struct SharpCamError: Error, CustomStringConvertible, Equatable, Sendable {
    /// What the problem concerns (nil: nothing more specific than the command itself).
    public let subject: String?
    public let problem: String

    public init(_ problem: String, subject: String? = nil) {
        self.subject = subject
        self.problem = problem
    }

    public var description: String { subject.map { "\($0): \(problem)" } ?? problem }
}
