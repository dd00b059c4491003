import SharpFrames
import SharpMedia

/// An 8-bit RGB picture held in memory (training photos, evaluation images).
///
/// Invariant: `pixels.count == width · height · 3`, packed R G B rows.
public struct RGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    public var pixels: [UInt8]

    public init(width: Int, height: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * 3, "RGBImage: \(pixels.count) bytes for \(width)x\(height)")
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    public init(width: Int, height: Int) {
        self.init(width: width, height: height, pixels: [UInt8](repeating: 0, count: width * height * 3))
    }

    /// Decodes any picture FFmpeg reads (PNG, JPEG...) to RGB.
    public init(contentsOf path: String) throws {
        let source = try FFmpegSource(path: path)
        let frame = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
        guard try source.read(into: frame) else { throw MediaError(.corrupt, path: path, "contains no picture") }
        self.init(frame: frame)
    }

    /// The RGB pixels of a frame (YUV frames converted with their colour space).
    public init(frame: Frame) {
        let rgb: Frame
        if frame.pixelFormat == .rgb24 {
            rgb = frame
        } else {
            rgb = Frame(format: frame.format.with(.rgb24))
            frame.convert(into: rgb)
        }
        var px = [UInt8](repeating: 0, count: frame.width * frame.height * 3)
        for y in 0..<frame.height {
            let row = rgb.planes[0].row(y)
            for i in 0..<(frame.width * 3) { px[y * frame.width * 3 + i] = row[i] }
        }
        self.init(width: frame.width, height: frame.height, pixels: px)
    }

    /// An RGB24 frame holding these pixels (BT.601 full range for later YUV conversions).
    public func frame(colorSpace: ColorSpace = .bt601Full) -> Frame {
        let f = Frame(format: FrameFormat(.rgb24, width: width, height: height)!, colorSpace: colorSpace)
        for y in 0..<height {
            let row = f.planes[0].row(y)
            for i in 0..<(width * 3) { row[i] = pixels[y * width * 3 + i] }
        }
        return f
    }

    /// The `w`×`h` region at (x, y).
    public func cropped(x: Int, y: Int, width w: Int, height h: Int) -> RGBImage {
        precondition(x >= 0 && y >= 0 && x + w <= width && y + h <= height, "crop outside the picture")
        var out = [UInt8](repeating: 0, count: w * h * 3)
        for r in 0..<h {
            let s = ((y + r) * width + x) * 3
            out.replaceSubrange((r * w * 3)..<((r + 1) * w * 3), with: pixels[s..<(s + w * 3)])
        }
        return RGBImage(width: w, height: h, pixels: out)
    }

    /// Planar float [3, H, W] in [0, 1].
    public var planar: [Float] {
        let plane = width * height
        var out = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane { for c in 0..<3 { out[c * plane + i] = Float(pixels[3 * i + c]) / 255 } }
        return out
    }

    /// From planar float [3, H, W] in [0, 1], rounded to nearest and clipped.
    public init(planar: [Float], width: Int, height: Int) {
        let plane = width * height
        var px = [UInt8](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            for c in 0..<3 { px[3 * i + c] = UInt8(min(max(planar[c * plane + i] * 255, 0), 255).rounded()) }
        }
        self.init(width: width, height: height, pixels: px)
    }
}
