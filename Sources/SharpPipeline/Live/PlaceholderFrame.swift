import SharpFrames

/// The picture the output shows when the camera is gone or stalled: dark grey with diagonal
/// stripes and a crossed-out camera in the middle, unmistakable for live video.
public enum PlaceholderFrame {
    public static func make(_ format: FrameFormat) -> Frame {
        let w = format.width, h = format.height
        let rgb = Frame(format: format.with(.rgb24), colorSpace: .bt601Limited)
        let cx = w / 2, cy = h / 2, s = max(8, min(w, h) / 6)
        for y in 0..<h {
            let row = rgb.planes[0].row(y)
            for x in 0..<w {
                var v: UInt8 = ((x + y) / max(4, h / 24)) % 2 == 0 ? 48 : 58
                // Camera body and lens.
                let dx = x - cx, dy = y - cy
                if abs(dx) < s && abs(dy) < s * 2 / 3 { v = 150 }
                if dx > s - s / 8 && dx < s + s / 2 && abs(dy) < s / 3 + (dx - s) / 2 { v = 150 }
                if dx * dx + dy * dy < (s / 3) * (s / 3) { v = 70 }
                // The slash.
                if abs(dx + dy) < max(2, s / 10) && abs(dx) < s + s / 2 { v = 220 }
                row[3 * x] = v; row[3 * x + 1] = v; row[3 * x + 2] = v
            }
        }
        let out = Frame(format: format, colorSpace: .bt601Limited)
        rgb.convert(into: out)
        return out
    }
}
