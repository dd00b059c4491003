import Foundation

/// systemd's journal as the destination of stderr: when `$JOURNAL_STREAM` is set, every line
/// starts with an sd-daemon `<N>` priority (and carries no timestamp of its own), so
/// `journalctl -p warning` can filter it.
public enum Journal {
    /// Whether stderr goes to the journal.
    public static var isTarget: Bool { ProcessInfo.processInfo.environment["JOURNAL_STREAM"] != nil }

    public static let error = 3, warning = 4, notice = 5, info = 6, debug = 7, critical = 2

    /// "<N>" when stderr goes to the journal, else "".
    public static func prefix(_ priority: Int) -> String { isTarget ? "<\(priority)>" : "" }
}
