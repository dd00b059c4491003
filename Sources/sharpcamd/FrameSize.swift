import ArgumentParser

/// A `WIDTHxHEIGHT` command-line value.
struct FrameSize: ExpressibleByArgument, Equatable, CustomStringConvertible {
    let width: Int
    let height: Int

    init?(argument: String) {
        let parts = argument.lowercased().split(separator: "x", omittingEmptySubsequences: false)
        guard parts.count == 2, let w = Int(parts[0]), let h = Int(parts[1]), w > 0, h > 0, w <= 16384, h <= 16384 else { return nil }
        width = w
        height = h
    }

    var description: String { "\(width)x\(height)" }
}

extension ProcessingModeArgument: ExpressibleByArgument {}
extension VideoCodecArgument: ExpressibleByArgument {}
extension PrecisionArgument: ExpressibleByArgument {}
