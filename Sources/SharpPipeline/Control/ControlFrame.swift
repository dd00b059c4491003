import SharpFrames

/// A frame as the control socket carries it (the `snapshot` answer): one header line
/// `SHARPCAM-FRAME FORMAT WIDTH HEIGHT MATRIX RANGE\n`, then each plane's rows without padding.
///
/// Invariant: `decode(encode(f))` has `f`'s format, colour space and pixels; `decode` throws
/// on anything else (wrong header, wrong length) and never traps.
public enum ControlFrame {
    static let magic = "SHARPCAM-FRAME"

    public static func encode(_ frame: Frame) -> [UInt8] {
        let cs = frame.colorSpace
        var out = Array("\(magic) \(frame.pixelFormat) \(frame.width) \(frame.height) \(cs.matrix) \(cs.range)\n".utf8)
        out.reserveCapacity(out.count + frame.planes.reduce(0) { $0 + $1.rowBytes * $1.rows })
        for p in frame.planes {
            for y in 0..<p.rows { out.append(contentsOf: UnsafeBufferPointer(start: p.row(y), count: p.rowBytes)) }
        }
        return out
    }

    public static func decode(_ bytes: [UInt8]) throws(ControlProtocolError) -> Frame {
        guard let newline = bytes.prefix(200).firstIndex(of: 10) else { throw ControlProtocolError("not a frame") }
        let words = String(decoding: bytes[..<newline], as: UTF8.self).split(separator: " ").map(String.init)
        guard words.count == 6, words[0] == magic, let pf = PixelFormat(rawValue: words[1]),
            let w = Int(words[2]), let h = Int(words[3]), let format = FrameFormat(pf, width: w, height: h),
            let matrix = ColorMatrix(rawValue: words[4]), let range = ColorRange(rawValue: words[5])
        else { throw ControlProtocolError("bad frame header") }
        let expected = pf.planeExtents(width: w, height: h).reduce(0) { $0 + $1.rowBytes * $1.rows }
        guard bytes.count - newline - 1 == expected else {
            throw ControlProtocolError("frame data is \(bytes.count - newline - 1) bytes, expected \(expected)")
        }
        let frame = Frame(format: format, colorSpace: ColorSpace(matrix: matrix, range: range))
        var offset = newline + 1
        bytes.withUnsafeBufferPointer { b in
            for p in frame.planes {
                for y in 0..<p.rows {
                    p.row(y).update(from: b.baseAddress! + offset, count: p.rowBytes)
                    offset += p.rowBytes
                }
            }
        }
        return frame
    }
}
