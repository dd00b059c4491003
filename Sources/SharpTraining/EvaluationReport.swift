import Foundation
import SharpFrames
import SharpMedia
import SharpSupport

/// Writes an evaluation report folder: `results.json` (every number), per-image side-by-side
/// PNGs (Original | Degraded | Sharpened) and `training-curve.svg` (loss and validation PSNR
/// over steps, from the model's training history).
public enum EvaluationReport {
    public struct Document: Codable {
        public var model: String
        public var architecture: String
        public var macsPerPixel: Double
        public var protocols: [Evaluation.ProtocolResult]
        public var training: [String: String]

        public init(
            model: String, architecture: String, macsPerPixel: Double, protocols: [Evaluation.ProtocolResult],
            training: [String: String]
        ) {
            self.model = model
            self.architecture = architecture
            self.macsPerPixel = macsPerPixel
            self.protocols = protocols
            self.training = training
        }
    }

    public static func writeJSON(_ doc: Document, to path: String) throws {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        try enc.encode(doc).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Panels side by side with a 4-pixel white gap.
    public static func sideBySide(_ panels: [RGBImage]) -> RGBImage {
        let gap = 4, h = panels.map(\.height).max()!, w = panels.map(\.width).reduce(0, +) + gap * (panels.count - 1)
        var out = RGBImage(width: w, height: h, pixels: [UInt8](repeating: 255, count: w * h * 3))
        var x0 = 0
        for p in panels {
            for y in 0..<p.height {
                out.pixels.replaceSubrange(
                    ((y * w + x0) * 3)..<((y * w + x0 + p.width) * 3),
                    with: p.pixels[(y * p.width * 3)..<((y + 1) * p.width * 3)])
            }
            x0 += p.width + gap
        }
        return out
    }

    public static func writePNG(_ image: RGBImage, to path: String) throws {
        let w = try ImageWriter(path: path)
        try w.write(image.frame())
        try w.finish()
    }

    /// An SVG line chart of the training loss (left axis) and validation PSNR (right axis).
    public static func curveSVG(_ history: [TrainingRecord], title: String) -> String {
        let width = 720.0, height = 360.0, left = 70.0, right = 70.0, top = 40.0, bottom = 50.0
        let pw = width - left - right, ph = height - top - bottom
        guard let last = history.last, history.count >= 1 else {
            return
                """
                <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"80\"><text x=\"10\" \
                y=\"40\">no training history in this model</text></svg>
                """
        }
        let maxStep = Double(max(last.step, 1))
        let losses = history.map(\.loss), psnrs = history.compactMap(\.validationPSNR)
        let (l0, l1) = (losses.min()!, losses.max()!)
        let (p0, p1) = (min(psnrs.min() ?? 0, history.compactMap(\.identityPSNR).min() ?? 0), psnrs.max() ?? 1)
        func x(_ s: Int) -> Double { left + pw * Double(s) / maxStep }
        func yl(_ v: Double) -> Double { top + ph * (1 - (v - l0) / max(l1 - l0, 1e-12)) }
        func yp(_ v: Double) -> Double { top + ph * (1 - (v - p0) / max(p1 - p0, 1e-12)) }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        var s =
            """
            <svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" \
            font-family=\"sans-serif\" font-size=\"12\">\n
            """
        s += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
        s += "<text x=\"\(f(width / 2))\" y=\"22\" text-anchor=\"middle\" font-size=\"14\">\(title)</text>\n"
        s +=
            """
            <rect x=\"\(f(left))\" y=\"\(f(top))\" width=\"\(f(pw))\" height=\"\(f(ph))\" fill=\"none\" \
            stroke=\"#999\"/>\n
            """
        s +=
            "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\""
            + history.map { "\(f(x($0.step))),\(f(yl($0.loss)))" }.joined(separator: " ") + "\"/>\n"
        let val = history.filter { $0.validationPSNR != nil }
        s +=
            "<polyline fill=\"none\" stroke=\"#d62728\" stroke-width=\"2\" points=\""
            + val.map { "\(f(x($0.step))),\(f(yp($0.validationPSNR!)))" }.joined(separator: " ") + "\"/>\n"
        if let id = history.last?.identityPSNR {
            s +=
                """
                <line x1=\"\(f(left))\" x2=\"\(f(left + pw))\" y1=\"\(f(yp(id)))\" y2=\"\(f(yp(id)))\" \
                stroke=\"#d62728\" stroke-dasharray=\"4 4\"/>\n
                """
            s +=
                """
                <text x=\"\(f(left + pw - 4))\" y=\"\(f(yp(id) - 4))\" text-anchor=\"end\" \
                fill=\"#d62728\">degraded input \(String(format: "%.2f", id)) dB</text>\n
                """
        }
        s +=
            """
            <text x=\"\(f(left - 8))\" y=\"\(f(top + 4))\" text-anchor=\"end\" \
            fill=\"#1f77b4\">\(String(format: "%.4f", l1))</text>\n
            """
        s +=
            """
            <text x=\"\(f(left - 8))\" y=\"\(f(top + ph))\" text-anchor=\"end\" \
            fill=\"#1f77b4\">\(String(format: "%.4f", l0))</text>\n
            """
        s +=
            """
            <text x=\"\(f(left + pw + 8))\" y=\"\(f(top + 4))\" fill=\"#d62728\">\(String(format: "%.2f", p1)) \
            dB</text>\n
            """
        s +=
            """
            <text x=\"\(f(left + pw + 8))\" y=\"\(f(top + ph))\" fill=\"#d62728\">\(String(format: "%.2f", p0)) \
            dB</text>\n
            """
        s +=
            """
            <text x=\"\(f(left))\" y=\"\(f(height - 18))\">0</text><text x=\"\(f(left + pw))\" \
            y=\"\(f(height - 18))\" text-anchor=\"end\">\(last.step) steps</text>\n
            """
        s +=
            """
            <text x=\"\(f(left + 8))\" y=\"\(f(height - 4))\" fill=\"#1f77b4\">training loss</text><text \
            x=\"\(f(left + 140))\" y=\"\(f(height - 4))\" fill=\"#d62728\">validation PSNR</text>\n
            """
        s += "</svg>\n"
        return s
    }
}
