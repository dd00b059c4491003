import CSharpKernels
import SharpFrames

/// The seed's colour cue: `cv2.inRange(cv2.cvtColor(rgb, RGB2HSV), (0, 10, 0), (180, 255, 255))`,
/// i.e. 255 where OpenCV's 8-bit HSV saturation is at least 10, else 0.
///
/// OpenCV computes S = round(255 · (max − min) / max) through a rounded reciprocal table;
/// for 8-bit inputs S ≥ 10 holds exactly when 510 · (max − min) > 19 · max (checked for all
/// 32,896 (max, min) pairs), which is what is evaluated here, without division or tables.
/// YUV frames are converted per pixel in registers with the same arithmetic as
/// `Frame.convert(into:)` (identical to OpenCV's for BT.601 limited range): no RGB frame
/// is ever materialised.
///
/// Invariant: stateless; `compute` never allocates.
public struct SaturationMask: Sendable {
    public init() {}

    public func compute(_ frame: Frame, into output: GrayImage) {
        precondition(frame.width == output.width && frame.height == output.height, "SaturationMask: size mismatch")
        let k = sc_pixels().pointee
        let w = Int32(frame.width)
        guard let layout = frame.pixelFormat.kernelLayout else {
            for y in 0..<frame.height { k.mask_rgb_row(frame.planes[0].row(y), w, output.row(y)) }
            return
        }
        var c = YUVToRGBCoefficients(frame.colorSpace).kernelCoefficients
        for y in 0..<frame.height {
            let luma = frame.lumaRow(y), (u, v) = frame.chromaRows(forLumaRow: y)
            k.mask_yuv_row(luma.base, u.base, v.base, w, layout, &c, output.row(y))
        }
    }
}
