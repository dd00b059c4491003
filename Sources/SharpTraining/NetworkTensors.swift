import SharpFrames
import SharpImaging
import SharpNet

/// Network input and target tensors for an architecture, from planar RGB in [0, 1]
/// (the same recipe `NetworkFrameRunner` uses on frames).
///
/// - seed-unet / teacher: input [5, H, W] = RGB·2 − 1, Sobel edge, HSV mask; target RGB·2 − 1.
/// - student: input [1 or 3, H, W] = BT.601 luma (+ edge, mask); target luma. A student with
///   `usesChroma` reads [Y, Cb, Cr (+ edge, mask)] and targets [Y, Cb, Cr] (`chroma`).
public enum NetworkTensors {
    /// `lumaLevels`: students only — round the luma input to that many steps over [0, 1] (255:
    /// full-range 8-bit Y, 219: limited range), as the real-time engine sees it.
    public static func input(
        _ spec: ArchitectureSpec, rgb: [Float], height h: Int, width w: Int, lumaLevels: Float? = nil
    ) -> Tensor {
        let plane = h * w
        switch spec.kind {
        case .seedUNet, .teacher:
            var data = rgb.map { $0 * 2 - 1 }
            data += maps(rgb, height: h, width: w)
            return Tensor(shape: [5, h, w], data: data)
        case .student:
            var data = ImageOps.luma(rgb, height: h, width: w)
            if let levels = lumaLevels { data = data.map { ($0 * levels).rounded() / levels } }
            if spec.usesChroma {
                // 8-bit chroma has 255 (full range) or 224 (limited range) steps.
                let steps: Float? = lumaLevels.map { $0 == 255 ? 255 : 224 }
                data += chroma(rgb, height: h, width: w).map { v in steps.map { (v * $0).rounded() / $0 } ?? v }
            }
            if spec.usesMaps { data += maps(rgb, height: h, width: w) }
            precondition(data.count == spec.inputChannels * plane)
            return Tensor(shape: [spec.inputChannels, h, w], data: data)
        }
    }

    public static func target(_ spec: ArchitectureSpec, rgb: [Float], height h: Int, width w: Int) -> Tensor {
        switch spec.kind {
        case .seedUNet, .teacher: return Tensor(shape: [3, h, w], data: rgb.map { $0 * 2 - 1 })
        case .student:
            let luma = ImageOps.luma(rgb, height: h, width: w)
            guard spec.usesChroma else { return Tensor(shape: [1, h, w], data: luma) }
            return Tensor(shape: [3, h, w], data: luma + chroma(rgb, height: h, width: w))
        }
    }

    /// Cb and Cr planes of planar RGB in [0, 1] (`StudentYCbCr`).
    public static func chroma(_ rgb: [Float], height h: Int, width w: Int) -> [Float] {
        let plane = h * w
        var out = [Float](repeating: 0, count: 2 * plane)
        for i in 0..<plane {
            let c = StudentYCbCr.forward(r: rgb[i], g: rgb[plane + i], b: rgb[2 * plane + i])
            out[i] = c.cb
            out[plane + i] = c.cr
        }
        return out
    }

    /// Planar RGB in [0, 1] from [Y, Cb, Cr] planes as `chroma` makes them (`StudentYCbCr`).
    public static func rgb(fromYCbCr t: [Float], height h: Int, width w: Int) -> [Float] {
        let plane = h * w
        var out = [Float](repeating: 0, count: 3 * plane)
        for i in 0..<plane {
            let c = StudentYCbCr.inverse(y: t[i], cb: t[plane + i], cr: t[2 * plane + i])
            out[i] = c.r
            out[plane + i] = c.g
            out[2 * plane + i] = c.b
        }
        return out
    }

    /// Edge map and HSV mask of an 8-bit-level RGB image, each in [0, 1].
    public static func maps(_ rgb: [Float], height h: Int, width w: Int) -> [Float] {
        let frame = RGBImage(planar: rgb, width: w, height: h).frame()
        let edge = GrayImage(width: w, height: h), mask = GrayImage(width: w, height: h)
        SobelEdgeMap(width: w, height: h).compute(frame, into: edge)
        SaturationMask().compute(frame, into: mask)
        return edge.pixels.map { Float($0) / 255 } + mask.pixels.map { Float($0) / 255 }
    }

    /// Output in [0, 1] for losses and metrics: RGB outputs live in [−1, 1].
    public static func unitRange(_ spec: ArchitectureSpec, _ t: Tensor) -> (tensor: Tensor, scale: Float) {
        spec.kind != .student ? (Tensor(shape: t.shape, data: t.data.map { ($0 + 1) / 2 }), 0.5) : (t, 1)
    }
}
