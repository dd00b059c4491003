/// A failure to read or write media, naming the file or device and what is wrong with it.
///
/// Invariant: `description` is one line, starts with the path, and is what a user sees.
public struct MediaError: Error, CustomStringConvertible, Equatable {
    public enum Kind: String, Sendable {
        case notFound
        case permissionDenied
        case unreadable
        case corrupt
        case truncated
        case unsupported
        case invalidGeometry
        case outputDirectoryMissing
        case writeFailed
        case sameFile
        case busy
        case noDevice
    }

    public let kind: Kind
    public let path: String
    public let problem: String

    public init(_ kind: Kind, path: String, _ problem: String) {
        self.kind = kind
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
