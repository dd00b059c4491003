import CSharpKernels
import SharpFrames

/// The seed's edge cue: Sobel gradient magnitude of the grey image, normalised so the
/// frame's strongest edge is 255.
///
/// Matches `cv2.Sobel(grey, CV_64F, 1, 0, ksize=3)` / `(0, 1)` with BORDER_REFLECT_101,
/// `mag = sqrt(gx² + gy²)`, `edge = uint8(255 · mag / max(mag))` (truncated; all zero for a
/// flat frame) to within ±1 (float32 vs float64 rounding at the truncation). For YUV frames
/// the grey image is the Y plane; range and matrix scale the gradient uniformly, which the
/// normalisation cancels. RGB frames use OpenCV's `RGB2GRAY` weights.
///
/// Runs the CPU's row kernels (`sc_pixels()`); `SobelEdgeMap+Reference.swift` holds the
/// plain Swift definition the kernels are tested against.
///
/// Invariant: one instance serves one frame size and owns all its scratch memory, so
/// `compute` never allocates.
public final class SobelEdgeMap: @unchecked Sendable {
    public let width: Int
    public let height: Int
    let grey: GrayImage
    let magnitude: UnsafeMutablePointer<Float>
    let scratch: UnsafeMutablePointer<Int16>

    public init(width: Int, height: Int) {
        self.width = width
        self.height = height
        grey = GrayImage(width: width, height: height)
        magnitude = .allocate(capacity: width * height)
        scratch = .allocate(capacity: 2 * (width + 2))
    }

    deinit {
        magnitude.deallocate()
        scratch.deallocate()
    }

    /// Computes the edge map of `frame` into `output` (both of this instance's size).
    public func compute(_ frame: Frame, into output: GrayImage) {
        let (src, stride) = greyPlane(of: frame, output: output)
        compute(grey: src, bytesPerRow: stride, into: output)
    }

    /// The grey plane of `frame`: its own Y plane when planar, else converted into `grey`.
    func greyPlane(of frame: Frame, output: GrayImage) -> (UnsafePointer<UInt8>, Int) {
        precondition(
            frame.width == width && frame.height == height && output.width == width && output.height == height,
            "SobelEdgeMap: size mismatch")
        if frame.pixelFormat == .i420 || frame.pixelFormat == .nv12 {
            let p = frame.planes[0]
            return (UnsafePointer(p.base), p.bytesPerRow)
        }
        if frame.pixelFormat == .rgb24 {
            let k = sc_pixels().pointee
            for y in 0..<height { k.grey_from_rgb24(frame.planes[0].row(y), Int32(width), grey.row(y)) }
        } else {
            grey.loadGrey(from: frame)
        }
        return (UnsafePointer(grey.base), grey.bytesPerRow)
    }

    /// Computes the edge map of an 8-bit grey plane of this instance's size.
    public func compute(grey src: UnsafePointer<UInt8>, bytesPerRow: Int, into output: GrayImage) {
        let k = sc_pixels().pointee
        let w = width, h = height
        var maxMag: Float = 0
        for y in 0..<h {
            let a = src + reflect101(y - 1, h) * bytesPerRow
            let b = src + y * bytesPerRow
            let c = src + reflect101(y + 1, h) * bytesPerRow
            maxMag = max(maxMag, k.sobel_magnitude_row(a, b, c, Int32(w), scratch, magnitude + y * w))
        }
        let scale: Float = maxMag == 0 ? 0 : 255 / maxMag
        for y in 0..<h { k.scale_to_u8(magnitude + y * w, Int32(w), scale, output.row(y)) }
    }
}
