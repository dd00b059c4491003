import Foundation
import SharpFrames
import SharpImaging

/// A generated test clip for demos and tests when no camera or file is at hand: a moving
/// scene with the detail sharpening is about (text-like strokes, a zone plate, a Siemens
/// star, a face-like figure with fine hair lines, a panning checkerboard, smooth gradients),
/// softened by a Gaussian blur (σ = `blurSigma`) the way a cheap webcam lens softens it.
///
/// Invariant: frame `n` depends only on (`n`, size, `blurSigma`): the clip is reproducible.
public final class SyntheticClipSource: FrameSource {
    public let info: StreamInfo
    public let blurSigma: Double
    private let rgb: Frame
    private let blur: GaussianBlur?
    private var index = 0

    public init(
        width: Int = 1280, height: Int = 720, frames: Int = 150, frameRate: Rational = Rational(30, 1),
        blurSigma: Double = 1.5
    ) {
        let format = FrameFormat(.i420, width: width, height: height)!
        let space = ColorSpace.videoDefault(height: height)
        info = StreamInfo(
            format: format, colorSpace: space, frameRate: frameRate, frameCount: frames, codecName: "generated")
        self.blurSigma = blurSigma
        rgb = Frame(format: format.with(.rgb24), colorSpace: space)
        blur =
            blurSigma > 0
            ? GaussianBlur(kernel: GaussianKernel(sigma: blurSigma), maxWidth: width, maxHeight: height) : nil
    }

    public func read(into frame: Frame) throws -> Bool {
        guard index < (info.frameCount ?? Int.max) else { return false }
        render(time: Double(index) / (info.frameRate?.doubleValue ?? 30))
        blur?.blur(rgb)
        rgb.convert(into: frame)
        frame.sequence = UInt64(index)
        frame.timestamp = Int64(Double(index) * 1e9 / (info.frameRate?.doubleValue ?? 30))
        index += 1
        return true
    }

    /// Draws the sharp scene at time `t` (seconds) into the RGB scratch frame.
    private func render(time t: Double) {
        let w = rgb.width, h = rgb.height
        let H = Float(h), W = Float(w)
        let tf = Float(t)
        let faceX = 0.62 * W + 0.05 * W * Float(sin(t * 0.9)), faceY = 0.55 * H
        let starX = 0.86 * W, starY = 0.28 * H, starR = 0.16 * H
        let zoneX = 0.40 * W, zoneY = 0.30 * H, zoneR = 0.2 * H
        let starAngle = tf * 0.3
        let scroll = tf * 0.02 * H
        let pan = tf * 40
        let plane = rgb.planes[0]
        for y in 0..<h {
            let row = plane.row(y)
            let fy = Float(y)
            for x in 0..<w {
                let fx = Float(x)
                // Background: smooth colour gradient with two soft blobs.
                var r = 0.30 + 0.25 * fx / W, g = 0.42 + 0.18 * fy / H, b = 0.62 - 0.22 * fy / H
                let bx = fx - 0.2 * W, by = fy - 0.8 * H
                let blob = expf(-(bx * bx + by * by) / (0.02 * W * W))
                r += 0.25 * blob; g += 0.15 * blob
                // Text-like panel (left): dark strokes on paper, scrolling.
                if fx > 0.03 * W && fx < 0.25 * W && fy > 0.08 * H && fy < 0.92 * H {
                    r = 0.92; g = 0.90; b = 0.85
                    let ly = fy + scroll
                    let line = Int(ly / (0.045 * H))
                    let inLine = ly.truncatingRemainder(dividingBy: 0.045 * H) / (0.045 * H)
                    if inLine > 0.25 && inLine < 0.7 {
                        let glyph = Int((fx - 0.03 * W) / 7)
                        let hash = (line &* 73856093) ^ (glyph &* 19349663)
                        let gx = (fx - 0.03 * W).truncatingRemainder(dividingBy: 7)
                        if hash % 5 != 0
                            && (gx < 1.6 || (hash % 3 == 0 && inLine < 0.35) || (hash % 7 == 1 && gx > 4.5 && gx < 6))
                        {
                            r = 0.08; g = 0.08; b = 0.12
                        }
                    }
                }
                // Zone plate (sharpness chart).
                let zx = fx - zoneX, zy = fy - zoneY
                let zr2 = zx * zx + zy * zy
                if zr2 < zoneR * zoneR {
                    let v = 0.5 + 0.5 * cosf(Float.pi * zr2 / (2.2 * zoneR))
                    r = v; g = v; b = v
                }
                // Siemens star, slowly rotating.
                let sx = fx - starX, sy = fy - starY
                if sx * sx + sy * sy < starR * starR {
                    let a = atan2f(sy, sx) + starAngle
                    let v: Float = sinf(18 * a) > 0 ? 0.95 : 0.05
                    r = v; g = v * 0.95; b = v * 0.9
                }
                // Face-like figure: skin ellipse, eyes, mouth and fine hair lines.
                let fxr = (fx - faceX) / (0.13 * H), fyr = (fy - faceY) / (0.18 * H)
                let d2 = fxr * fxr + fyr * fyr
                if d2 < 1 {
                    r = 0.87 - 0.1 * d2; g = 0.66 - 0.08 * d2; b = 0.55 - 0.08 * d2
                    if fyr < -0.55 && sinf(fx * 1.9 + 3 * fyr) > 0.2 { r = 0.25; g = 0.16; b = 0.1 }
                    for ex: Float in [-0.4, 0.4] {
                        let exr = (fxr - ex) / 0.18, eyr = (fyr + 0.15) / 0.09
                        if exr * exr + eyr * eyr < 1 { r = 0.95; g = 0.95; b = 0.95 }
                        if exr * exr + eyr * eyr < 0.3 { r = 0.2; g = 0.3; b = 0.45 }
                    }
                    let mr = fxr / 0.35, my = (fyr - 0.45) / 0.06
                    if mr * mr + my * my < 1 { r = 0.65; g = 0.25; b = 0.25 }
                }
                // Panning checkerboard strip along the bottom.
                if fy > 0.93 * H {
                    let cx = Int((fx + pan) / 6), cy = Int(fy / 6)
                    let v: Float = (cx + cy) & 1 == 0 ? 0.9 : 0.1
                    r = v; g = v; b = v
                }
                row[3 * x] = UInt8(min(max(r, 0), 1) * 255 + 0.5)
                row[3 * x + 1] = UInt8(min(max(g, 0), 1) * 255 + 0.5)
                row[3 * x + 2] = UInt8(min(max(b, 0), 1) * 255 + 0.5)
            }
        }
    }
}
