import Glibc

/// Unbuffered writes to file descriptor 2 (stdio's `stderr` is shared mutable state that
/// Swift 6 rejects, and progress lines must appear immediately anyway).
public enum StandardError {
    public static func write(_ text: String) {
        var t = text
        t.withUTF8 { buf in
            var off = 0
            while off < buf.count {
                let n = Glibc.write(STDERR_FILENO, buf.baseAddress! + off, buf.count - off)
                if n <= 0 { if errno == EINTR { continue }; return }
                off += n
            }
        }
    }

    public static var isTerminal: Bool { isatty(STDERR_FILENO) == 1 }

    /// Columns of the terminal on stderr ($COLUMNS, else the terminal's size, else 80).
    public static var columns: Int {
        if let c = getenv("COLUMNS").flatMap({ Int(String(cString: $0)) }), c > 0 { return c }
        var size = winsize()
        if ioctl(STDERR_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 { return Int(size.ws_col) }
        return 80
    }
}
