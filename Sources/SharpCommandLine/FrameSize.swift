import ArgumentParser

/// A `WIDTHxHEIGHT` command-line value (both sides 1...16384).
public struct FrameSize: ExpressibleByArgument, Equatable, CustomStringConvertible, Sendable {
    public let width: Int
    public let height: Int

    public init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), (1...16384).contains(w),
            (1...16384).contains(h)
        else { return nil }
        width = w
        height = h
    }

    public var description: String { "\(width)x\(height)" }
}
