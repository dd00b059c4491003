import Glibc
import SharpFrames

/// A one-line progress display on a terminal: bar, frames, fps and ETA, redrawn at most ten
/// times a second. Silent when stderr is not a TTY or when disabled.
///
/// Invariant: writes only to stderr, only when `isEnabled`; `finish()` ends the line.
public final class ProgressBar {
    public let isEnabled: Bool
    private let total: Int?
    private let label: String
    private let start = monotonicNanos()
    private var lastDraw: UInt64 = 0
    private var drawn = false

    public init(total: Int?, label: String, enabled: Bool) {
        self.total = total.flatMap { $0 > 0 ? $0 : nil }
        self.label = label
        isEnabled = enabled && StandardError.isTerminal
    }

    /// The text for `done` frames after `elapsed` seconds (also used by tests).
    public static func line(label: String, done: Int, total: Int?, elapsed: Double, width: Int = 24) -> String {
        let fps = elapsed > 0 ? Double(done) / elapsed : 0
        var s = label.isEmpty ? "" : "\(label) "
        if let total {
            let fraction = min(1, Double(done) / Double(total))
            let filled = Int(fraction * Double(width))
            s += "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "] "
            s += "\(done)/\(total) frames  \(format(fps)) fps"
            if fps > 0 && done < total {
                s += "  ETA \(clock(Double(total - done) / fps))"
            }
        } else {
            s += "\(done) frames  \(format(fps)) fps  \(clock(elapsed))"
        }
        return s
    }

    static func format(_ v: Double) -> String {
        let tenths = Int((v * 10).rounded())
        return "\(tenths / 10).\(tenths % 10)"
    }

    static func clock(_ seconds: Double) -> String {
        let s = max(0, Int(seconds.rounded()))
        let (h, m, sec) = (s / 3600, (s / 60) % 60, s % 60)
        let mm = m < 10 ? "0\(m)" : "\(m)", ss = sec < 10 ? "0\(sec)" : "\(sec)"
        return h > 0 ? "\(h):\(mm):\(ss)" : "\(m):\(ss)"
    }

    public func update(done: Int) {
        guard isEnabled else { return }
        let now = monotonicNanos()
        if drawn && now - lastDraw < 100_000_000 && done != total { return }
        lastDraw = now
        drawn = true
        let text = ProgressBar.line(label: label, done: done, total: total, elapsed: Double(now - start) / 1e9)
        StandardError.write("\r\u{1B}[2K" + text)
    }

    public func finish() {
        guard isEnabled, drawn else { return }
        StandardError.write("\n")
    }
}
