/// A numeric setting's name and allowed range: every number from a configuration file or a
/// flag is parsed against one of these (finite, inside the range), and every configuration
/// is checked against them again before it is used (so values set in code cannot slip by).
///
/// Invariant: `range` is finite; `integer` settings accept whole numbers only.
public struct NumericSetting: Sendable, Equatable {
    public let key: String
    public let range: ClosedRange<Double>
    public let unit: String
    public let integer: Bool

    public init(_ key: String, _ range: ClosedRange<Double>, unit: String = "", integer: Bool = false) {
        self.key = key
        self.range = range
        self.unit = unit
        self.integer = integer
    }

    public static let fps = NumericSetting("fps", 1...120, unit: "frames per second")
    public static let idleFPS = NumericSetting("idle-fps", 0.1...120, unit: "frames per second")
    public static let stallTimeout = NumericSetting("stall-timeout", 0.1...3600, unit: "seconds")
    public static let statsInterval = NumericSetting("stats-interval", 0.1...86400, unit: "seconds")
    public static let strength = NumericSetting("strength", 0...1)
    public static let threads = NumericSetting("threads", 1...64, integer: true)
    public static let radius = NumericSetting("radius", 0.1...50, unit: "pixels")
    public static let amount = NumericSetting("amount", 0...10)

    /// "1...120 frames per second", "0.1...50 pixels", "1...64".
    public var rangeDescription: String {
        func text(_ v: Double) -> String { v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)" }
        return "\(text(range.lowerBound))...\(text(range.upperBound))" + (unit.isEmpty ? "" : " \(unit)")
    }

    /// What is wrong with `value` for this setting, or nil.
    public func problem(with value: Double) -> String? {
        guard value.isFinite, range.contains(value), !integer || value == value.rounded() else {
            return "\(key) must be \(integer ? "a whole number in " : "")\(rangeDescription), got \(value)"
        }
        return nil
    }
}

/// One setting's text being read: typed values, errors naming the origin (`file:line` or the
/// flag), the key and the value.
struct SettingValue {
    let key: String
    let value: String
    let origin: String

    func bad(_ why: String) -> ConfigurationError { ConfigurationError("\(key) = \(value): \(why)", origin: origin) }

    func bool() throws -> Bool {
        switch value.lowercased() {
        case "1", "yes", "true", "on": return true
        case "0", "no", "false", "off": return false
        default: throw bad("expected yes or no")
        }
    }

    /// A finite number inside the setting's range (whole for integer settings).
    func number(_ setting: NumericSetting) throws -> Double {
        let kind = setting.integer ? "a whole number" : "a number"
        guard let v = Double(value.trimmingCharacters(in: " \t")), v.isFinite else {
            throw bad("expected \(kind) in \(setting.rangeDescription)")
        }
        guard setting.range.contains(v), !setting.integer || v == v.rounded() else {
            throw bad("out of range: expected \(kind) in \(setting.rangeDescription)")
        }
        return v
    }
}
