import Foundation
import SharpFrames
import SharpMedia
import SharpSupport

/// Frames for tests: seeded random content, real photos, raw dumps, quality metrics.
public enum TestFrames {
    /// A deterministic generator (SplitMix64).
    public struct Random {
        var state: UInt64
        public init(seed: UInt64) { state = seed }
        public mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        public mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 56) }
        public mutating func uniform() -> Double { Double(next() >> 11) / Double(1 << 53) }
    }

    /// A frame whose meaningful bytes are uniformly random.
    public static func random(_ format: FrameFormat, colorSpace: ColorSpace = .bt601Limited, seed: UInt64 = 1) -> Frame
    {
        let f = Frame(format: format, colorSpace: colorSpace)
        var rng = Random(seed: seed)
        for p in f.planes { for y in 0..<p.rows { let r = p.row(y); for x in 0..<p.rowBytes { r[x] = rng.byte() } } }
        if format.pixelFormat == .yuyv && format.width % 2 == 1 {
            // Odd widths: the last pair's second luma slot is padding and, by convention,
            // repeats the first (what every SharpCam writer and converter produces).
            let p = f.planes[0]
            for y in 0..<p.rows { p.row(y)[p.rowBytes - 2] = p.row(y)[p.rowBytes - 4] }
        }
        return f
    }

    /// Loads a picture (decoded with FFmpeg) as a frame of its native layout.
    public static func load(_ path: String) throws -> Frame {
        let source = try FFmpegSource(path: path)
        let frame = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
        guard try source.read(into: frame) else { throw TestSetupError("\(path) has no frame") }
        return frame
    }

    /// Loads a picture converted to `format`'s layout (RGB → YUV with `colorSpace`).
    public static func load(
        _ path: String, as pixelFormat: PixelFormat, colorSpace: ColorSpace = .bt601Limited
    ) throws -> Frame {
        let native = try load(path)
        if native.pixelFormat == pixelFormat { return native }
        let out = Frame(format: native.format.with(pixelFormat), colorSpace: colorSpace)
        native.convert(into: out)
        return out
    }

    /// The meaningful bytes of every plane, concatenated (no row padding).
    public static func bytes(_ frame: Frame) -> [UInt8] {
        var out = [UInt8]()
        for p in frame.planes {
            for y in 0..<p.rows { out.append(contentsOf: UnsafeBufferPointer(start: p.row(y), count: p.rowBytes)) }
        }
        return out
    }

    /// Fills a frame's planes from packed bytes (the inverse of `bytes`).
    public static func fill(_ frame: Frame, from data: [UInt8]) {
        var i = 0
        for p in frame.planes { for y in 0..<p.rows { for x in 0..<p.rowBytes { p.row(y)[x] = data[i]; i += 1 } } }
        precondition(i == data.count, "fill: \(data.count) bytes for a frame of \(i)")
    }

    /// A YUYV frame's samples as planar 4:2:2 (Y, then U, then V; chroma (w+1)/2 wide), the
    /// layout FFmpeg's `yuv422p` uses for any width.
    public static func planar422(_ frame: Frame) -> [UInt8] {
        precondition(frame.pixelFormat == .yuyv)
        let w = frame.width, h = frame.height, cw = (w + 1) / 2
        var y = [UInt8](), u = [UInt8](), v = [UInt8]()
        for r in 0..<h {
            let row = frame.planes[0].row(r)
            for x in 0..<w { y.append(row[(x / 2) * 4 + (x % 2) * 2]) }
            for i in 0..<cw { u.append(row[4 * i + 1]); v.append(row[4 * i + 3]) }
        }
        return y + u + v
    }

    /// Writes `bytes(frame)` to a file.
    public static func writeRaw(_ frame: Frame, to path: String) throws {
        try Data(bytes(frame)).write(to: URL(fileURLWithPath: path))
    }

    public static func readRaw(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// PSNR in dB between two equal-length byte arrays (peak 255).
    public static func psnr(_ a: [UInt8], _ b: [UInt8]) -> Double {
        PSNR.decibels(a, b)
    }

    /// Largest absolute difference between two equal-length byte arrays.
    public static func maxDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        precondition(a.count == b.count)
        var m = 0
        for i in a.indices { m = max(m, abs(Int(a[i]) - Int(b[i]))) }
        return m
    }
}

/// Compares two byte arrays and describes the first difference (nil when equal), so failing
/// tests print one line instead of megabytes.
public func mismatch(_ a: [UInt8], _ b: [UInt8]) -> String? {
    if a.count != b.count { return "lengths differ: \(a.count) vs \(b.count)" }
    guard let i = a.indices.first(where: { a[$0] != b[$0] }) else { return nil }
    let differing = a.indices.reduce(0) { $0 + (a[$1] != b[$1] ? 1 : 0) }
    return
        """
        first difference at byte \(i): \(a[i]) vs \(b[i]); \(differing) of \(a.count) bytes differ, max |diff| \
        \(TestFrames.maxDifference(a, b))
        """
}
