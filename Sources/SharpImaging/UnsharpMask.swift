import CSharpKernels
import SharpFrames
import SharpSupport

/// Classic sharpening, the cheap tier: unsharp mask on luma only.
///
/// `Y' = Y + amount · strength · (Y − G_σ ∗ Y)` with a separable Gaussian (BORDER_REFLECT_101).
/// YUV frames keep their chroma samples untouched. RGB frames get the luma correction added
/// equally to R, G and B, which changes Y by exactly the correction and leaves Cb and Cr
/// unchanged (their weights sum to zero), so colour is preserved there too.
///
/// Runs the CPU's row kernels; `UnsharpMask+Reference.swift` holds the plain definition.
/// Invariant: one instance serves one frame size and owns its scratch; `apply` never
/// allocates, and `output` may be `input`.
public final class UnsharpMask: @unchecked Sendable {
    /// Blur σ and gain of an unsharp mask.
    public struct Settings: Sendable, Equatable {
        /// Gaussian σ of the blur the mask subtracts, in pixels (the "radius").
        public var sigma: Double
        /// Gain of the correction at strength 1.
        public var amount: Float

        /// Defaults chosen on photos blurred with σ = 1.5 (docs/ENGINE.md, "Classic mode defaults"): they
        /// raise PSNR against the sharp originals without visible halos on clean frames.
        public static let `default` = Settings(sigma: 1.5, amount: 1.2)

        public init(sigma: Double, amount: Float) {
            self.sigma = sigma
            self.amount = amount
        }
    }

    public let width: Int
    public let height: Int
    public let kernel: GaussianKernel
    /// Gain of the correction at strength 1.
    public let amount: Float

    let luma: UnsafeMutablePointer<Float>
    let horizontal: UnsafeMutablePointer<Float>
    let padded: UnsafeMutablePointer<Float>
    let blurredRow: UnsafeMutablePointer<Float>
    let taps: UnsafeMutablePointer<Float>

    public convenience init(width: Int, height: Int, settings: Settings) {
        self.init(width: width, height: height, sigma: settings.sigma, amount: settings.amount)
    }

    public init(width: Int, height: Int, sigma: Double, amount: Float) {
        precondition(width > 0 && height > 0, "UnsharpMask needs a positive size")
        self.width = width
        self.height = height
        self.amount = amount
        kernel = GaussianKernel(sigma: sigma)
        let r = kernel.radius
        luma = .allocate(capacity: width * height)
        horizontal = .allocate(capacity: width * height)
        padded = .allocate(capacity: width + 2 * r)
        blurredRow = .allocate(capacity: width)
        taps = .allocate(capacity: 2 * r + 1)
        for (i, w) in kernel.weights.enumerated() { taps[i] = Float(w) }
    }

    deinit {
        luma.deallocate(); horizontal.deallocate(); padded.deallocate()
        blurredRow.deallocate(); taps.deallocate()
    }

    /// Sharpens `input` into `output` (same format and size). `strength` in 0...1 scales the
    /// correction; 0 copies the input.
    public func apply(_ input: Frame, strength: Float, into output: Frame) {
        precondition(
            input.format == output.format && input.width == width && input.height == height,
            "UnsharpMask: frame \(input.format) / \(output.format) vs \(width)x\(height)")
        if output !== input { output.copy(from: input) }
        let gain = amount * min(max(strength, 0), 1)
        if gain == 0 { return }
        let k = sc_pixels().pointee
        let w = width, h = height, r = kernel.radius, ntaps = Int32(2 * r + 1)
        loadLuma(input, k)
        for y in 0..<h {
            padRow(luma + y * w)
            k.convolve_row(padded, Int32(w), taps, ntaps, horizontal + y * w)
        }
        let isRGB = input.pixelFormat == .rgb24
        for y in 0..<h {
            blurredRow.update(repeating: 0, count: w)
            for j in -r...r { k.axpy(taps[j + r], horizontal + reflect101(y + j, h) * w, Int32(w), blurredRow) }
            if isRGB {
                k.unsharp_rgb_row(luma + y * w, blurredRow, gain, Int32(w), output.planes[0].row(y))
            } else {
                let d = output.lumaRow(y)
                k.unsharp_luma_row(luma + y * w, blurredRow, gain, Int32(w), d.base, Int32(d.step))
            }
        }
    }

    func loadLuma(_ frame: Frame, _ k: sc_pixel_kernels) {
        let w = width
        if frame.pixelFormat == .rgb24 {
            let (kr, kg, kb) = frame.colorSpace.matrix.lumaWeights
            for y in 0..<height {
                k.rgb_luma_to_float(frame.planes[0].row(y), Int32(w), Float(kr), Float(kg), Float(kb), luma + y * w)
            }
        } else {
            for y in 0..<height {
                let s = frame.lumaRow(y)
                k.luma_to_float(s.base, Int32(s.step), Int32(w), luma + y * w)
            }
        }
    }

    /// Copies a row into `padded` with `radius` reflected samples on each side.
    func padRow(_ s: UnsafePointer<Float>) {
        let w = width, r = kernel.radius
        (padded + r).update(from: s, count: w)
        for i in 1...r {
            padded[r - i] = s[reflect101(-i, w)]
            padded[r + w - 1 + i] = s[reflect101(w - 1 + i, w)]
        }
    }
}
