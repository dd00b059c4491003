import SharpFrames
import SharpImaging
import SharpNet
import SharpVideoIO

/// Everything the live daemon needs: where frames come from and go, their geometry and rate,
/// processing, and the on-demand and stall policies. Built from the configuration file with
/// command-line flags taking precedence.
///
/// Invariant: `validationError` is nil for a configuration the daemon runs.
public struct LiveConfiguration: Sendable, Equatable {
    /// Camera (device path, /dev/v4l/by-id link or card name), file or URL, or "demo";
    /// nil: the first camera, or the generated clip when there is none.
    public var input: String?
    /// The v4l2loopback device, or "null" to discard frames (measurements, tests).
    public var output: String = "/dev/video10"
    public static let nullOutput = "null"
    public var width = 1280
    public var height = 720
    public var frameRate = Rational(30, 1)
    public var outputFormat: PixelFormat = .yuyv
    public var processing = ProcessingSettings()
    /// Release the camera and idle while no app has the loopback open.
    public var onDemand = true
    /// Loop file inputs at their end.
    public var loop = true
    /// Seconds without a new frame before the output shows the "no camera" placeholder.
    public var stallTimeout = 2.0
    /// Output rate while idle (no consumers, on demand).
    public var idleFrameRate = 1.0
    /// Seconds between statistics log lines.
    public var statsInterval = 30.0

    public init() {}

    public var validationError: String? {
        if width < 2 || height < 2 || width > 7680 || height > 4320 { return "size \(width)x\(height) is out of range" }
        if width % 2 != 0 { return "the output width must be even, got \(width)" }
        if outputFormat != .yuyv && outputFormat != .i420 { return "output format must be yuyv or i420" }
        if frameRate.doubleValue < 1 || frameRate.doubleValue > 120 { return "frame rate \(frameRate) is out of range (1...120)" }
        if !(0...1).contains(processing.strength) { return "strength must be between 0 and 1" }
        if stallTimeout <= 0 || idleFrameRate <= 0 || statsInterval <= 0 { return "timeouts and rates must be positive" }
        return nil
    }

    public var outputFrameFormat: FrameFormat { FrameFormat(outputFormat, width: width, height: height)! }

    /// Applies `key = value` settings (file or command line); unknown keys and bad values throw
    /// a message naming the key (and `origin`, e.g. "file:line").
    public mutating func apply(_ key: String, _ value: String, origin: String) throws {
        func bad(_ why: String) -> ConfigurationError { ConfigurationError("\(origin): \(key) = \(value): \(why)") }
        func bool() throws -> Bool {
            switch value.lowercased() {
            case "1", "yes", "true", "on": return true
            case "0", "no", "false", "off": return false
            default: throw bad("expected yes or no")
            }
        }
        func number() throws -> Double {
            guard let v = Double(value) else { throw bad("expected a number") }
            return v
        }
        switch key {
        case "input": input = value.isEmpty ? nil : value
        case "output": output = value
        case "size":
            let p = value.lowercased().split(separator: "x").compactMap { Int($0) }
            guard p.count == 2 else { throw bad("expected WIDTHxHEIGHT") }
            width = p[0]; height = p[1]
        case "fps":
            let v = try number()
            frameRate = v == v.rounded() ? Rational(Int(v), 1) : Rational(Int((v * 1000).rounded()), 1000)
        case "format":
            guard let f = PixelFormat(rawValue: value.lowercased()), f == .yuyv || f == .i420 else { throw bad("expected yuyv or i420") }
            outputFormat = f
        case "mode":
            guard let m = ProcessingMode(rawValue: value) else { throw bad("expected classic, nn or bypass") }
            processing.mode = m
        case "strength": processing.strength = Float(try number())
        case "model": processing.model = value.isEmpty ? nil : value
        case "precision":
            guard let p = FusedStudentEngine.Precision(rawValue: value) else { throw bad("expected fp32, fp16 or int8") }
            processing.precision = p
        case "threads":
            guard let n = Int(value), n >= 1, n <= 64 else { throw bad("expected 1...64") }
            processing.threads = n
        case "radius": processing.classic.sigma = try number()
        case "amount": processing.classic.amount = Float(try number())
        case "on-demand": onDemand = try bool()
        case "loop": loop = try bool()
        case "stall-timeout": stallTimeout = try number()
        case "idle-fps": idleFrameRate = try number()
        case "stats-interval": statsInterval = try number()
        default: throw ConfigurationError("\(origin): unknown setting '\(key)'")
        }
    }

    /// Parses a configuration file: `key = value` lines, `#` comments, blank lines.
    public static func parse(_ text: String, path: String) throws -> [(key: String, value: String, origin: String)] {
        var out: [(String, String, String)] = []
        for (i, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            var line = Substring(raw)
            if let hash = line.firstIndex(of: "#") { line = line[..<hash] }
            let trimmed = line.trimmingCharacters(in: " \t\r")
            if trimmed.isEmpty { continue }
            guard let eq = trimmed.firstIndex(of: "=") else { throw ConfigurationError("\(path):\(i + 1): expected key = value") }
            let key = trimmed[..<eq].trimmingCharacters(in: " \t"), value = trimmed[trimmed.index(after: eq)...].trimmingCharacters(in: " \t")
            let unquoted = value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"") ? String(value.dropFirst().dropLast()) : value
            out.append((key, unquoted, "\(path):\(i + 1)"))
        }
        return out.map { (key: $0.0, value: $0.1, origin: $0.2) }
    }
}

public struct ConfigurationError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let c = s.last, set.contains(c) { s.removeLast() }
        while let c = s.first, set.contains(c) { s.removeFirst() }
        return String(s)
    }
}
