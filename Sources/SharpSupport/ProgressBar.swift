import Glibc

/// A one-line progress display on a terminal: bar, count, rate, ETA and an optional detail
/// (e.g. the loss), redrawn at most ten times a second. Silent when stderr is not a TTY or
/// when disabled.
///
/// Invariant: writes only to stderr, only when `isEnabled`; `finish()` ends the line.
public final class ProgressBar {
    /// What is counted: "frames"/"fps" for video, "steps"/"steps/s" for training.
    public struct Units: Sendable {
        public var item: String
        public var rate: String
        public static let frames = Units(item: "frames", rate: "fps")
        public static let steps = Units(item: "steps", rate: "steps/s")
        public init(item: String, rate: String) { self.item = item; self.rate = rate }
    }

    public let isEnabled: Bool
    private let total: Int?
    private let label: String
    private let units: Units
    private let start = monotonicNanos()
    private var lastDraw: UInt64 = 0
    private var drawn = false
    private let columns = StandardError.columns

    public init(total: Int?, label: String, units: Units = .frames, enabled: Bool) {
        self.total = total.flatMap { $0 > 0 ? $0 : nil }
        self.label = label
        self.units = units
        isEnabled = enabled && StandardError.isTerminal
    }

    /// The text for `done` items after `elapsed` seconds (also used by tests).
    /// The line is cut to `columns - 1` characters: a line as wide as the terminal (or wider)
    /// wraps, and the next `\r` redraw would then start a new line instead of replacing it.
    public static func line(
        label: String, done: Int, total: Int?, elapsed: Double, units: Units = .frames, detail: String = "",
        width: Int = 24, columns: Int = 80
    ) -> String {
        let full = untrimmedLine(
            label: label, done: done, total: total, elapsed: elapsed, units: units, detail: detail, width: width)
        let limit = max(10, columns - 1)
        return full.count <= limit ? full : String(full.prefix(limit - 1)) + "…"
    }

    static func untrimmedLine(
        label: String, done: Int, total: Int?, elapsed: Double, units: Units, detail: String, width: Int
    ) -> String {
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        var s = label.isEmpty ? "" : "\(label) "
        if let total {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * Double(width))
            s += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            s += "\(done)/\(total) \(units.item)  \(format(rate)) \(units.rate)"
            if !detail.isEmpty { s += "  \(detail)" }
            if rate > 0 && done < total {
                s += "  ETA \(clock(Double(total - done) / rate))"
            }
        } else {
            s += "\(done) \(units.item)  \(format(rate)) \(units.rate)"
            if !detail.isEmpty { s += "  \(detail)" }
            s += "  \(clock(elapsed))"
        }
        return s
    }

    public static func format(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    public static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60)
        let mm = m < 10 ? "0\(m)" : "\(m)", ss = sec < 10 ? "0\(sec)" : "\(sec)"
        return h > 0 ? "\(h):\(mm):\(ss)" : "\(m):\(ss)"
    }

    public func update(done: Int, detail: String = "") {
        guard isEnabled else { return }
        let now = monotonicNanos()
        if drawn && now - lastDraw < 100_000_000 && done != total { return }
        lastDraw = now
        drawn = true
        let text = ProgressBar.line(
            label: label, done: done, total: total, elapsed: Double(now - start) / 1e9, units: units, detail: detail,
            columns: columns)
        StandardError.write("\r\u{1B}[2K" + text)
    }

    public func finish() {
        guard isEnabled, drawn else { return }
        StandardError.write("\n")
    }
}
