import CSharpKernels
import SharpFrames

/// Separable Gaussian blur of 8-bit samples (BORDER_REFLECT_101, rounded to nearest), on
/// every channel of a frame or on one interleaved channel of a plane.
///
/// Invariant: one instance serves planes up to `maxWidth` × `maxHeight` and owns its
/// scratch; `blur` never allocates.
public final class GaussianBlur: @unchecked Sendable {
    public let kernel: GaussianKernel
    public let maxWidth: Int
    public let maxHeight: Int
    private let rows: UnsafeMutablePointer<Float>
    private let horizontal: UnsafeMutablePointer<Float>
    private let padded: UnsafeMutablePointer<Float>
    private let accumulator: UnsafeMutablePointer<Float>
    private let taps: UnsafeMutablePointer<Float>

    public init(kernel: GaussianKernel, maxWidth: Int, maxHeight: Int) {
        self.kernel = kernel
        self.maxWidth = maxWidth
        self.maxHeight = maxHeight
        rows = .allocate(capacity: maxWidth * maxHeight)
        horizontal = .allocate(capacity: maxWidth * maxHeight)
        padded = .allocate(capacity: maxWidth + 2 * kernel.radius)
        accumulator = .allocate(capacity: maxWidth)
        taps = .allocate(capacity: kernel.weights.count)
        for (i, w) in kernel.weights.enumerated() { taps[i] = Float(w) }
    }

    deinit {
        rows.deallocate(); horizontal.deallocate(); padded.deallocate(); accumulator.deallocate(); taps.deallocate()
    }

    /// Blurs every sample plane of `frame` in place (for YUYV: luma and each chroma channel
    /// separately, at their own resolutions).
    public func blur(_ frame: Frame) {
        switch frame.pixelFormat {
        case .rgb24:
            for c in 0..<3 { blur(frame.planes[0], width: frame.width, step: 3, offset: c) }
        case .i420:
            blur(frame.planes[0], width: frame.width, step: 1, offset: 0)
            blur(frame.planes[1], width: frame.planes[1].rowBytes, step: 1, offset: 0)
            blur(frame.planes[2], width: frame.planes[2].rowBytes, step: 1, offset: 0)
        case .nv12:
            blur(frame.planes[0], width: frame.width, step: 1, offset: 0)
            for c in 0..<2 { blur(frame.planes[1], width: frame.planes[1].rowBytes / 2, step: 2, offset: c) }
        case .yuyv:
            let cw = frame.planes[0].rowBytes / 4
            blur(frame.planes[0], width: frame.width, step: 2, offset: 0)
            blur(frame.planes[0], width: cw, step: 4, offset: 1)
            blur(frame.planes[0], width: cw, step: 4, offset: 3)
        }
    }

    /// Blurs the samples `base[y * bytesPerRow + x * step + offset]`, x < width, in place.
    public func blur(_ plane: Plane, width: Int, step: Int, offset: Int) {
        let h = plane.rows, w = width, r = kernel.radius, ntaps = Int32(kernel.weights.count)
        precondition(w <= maxWidth && h <= maxHeight, "GaussianBlur: plane larger than the instance")
        let k = sc_pixels().pointee
        for y in 0..<h {
            let s = plane.row(y) + offset, d = rows + y * w
            for x in 0..<w { d[x] = Float(s[x * step]) }
            (padded + r).update(from: d, count: w)
            for i in 0...r where i > 0 {
                padded[r - i] = d[reflect101(-i, w)]
                padded[r + w - 1 + i] = d[reflect101(w - 1 + i, w)]
            }
            k.convolve_row(padded, Int32(w), taps, ntaps, horizontal + y * w)
        }
        for y in 0..<h {
            accumulator.update(repeating: 0, count: w)
            for j in -r...r { k.axpy(taps[j + r], horizontal + reflect101(y + j, h) * w, Int32(w), accumulator) }
            let d = plane.row(y) + offset
            for x in 0..<w { d[x * step] = UInt8(min(max(accumulator[x], 0), 255) + 0.5) }
        }
    }
}
