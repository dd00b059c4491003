import CSharpKernels

/// Fixed-point Y'CbCr → R'G'B' coefficients (20 fractional bits) for one colour space.
///
/// For BT.601 limited range these are exactly OpenCV's `cvtColor(COLOR_YUV2RGB_*)` constants
/// (the classic 1.164 / 1.596 / 0.813 / 0.391 / 2.018 set, Y clamped below 16), so frames
/// converted here match OpenCV bit for bit; the other spaces use the exact matrix values.
/// Invariant: R = clamp((cy·max(Y − yOffset, 0) + cvr·(V − 128) + 2^19) >> 20), and likewise
/// G with cug/cvg and B with cub.
public struct YUVToRGBCoefficients: Sendable, Equatable {
    public static let shift: Int32 = 20
    public let cy: Int32, cvr: Int32, cvg: Int32, cug: Int32, cub: Int32
    public let yOffset: Int32

    public init(_ space: ColorSpace) {
        if space == .bt601Limited {
            cy = 1_220_542; cvr = 1_673_527; cvg = -852_492; cug = -409_993; cub = 2_116_026
            yOffset = 16
            return
        }
        let (kr, kg, kb) = space.matrix.lumaWeights
        let (yScale, cScale, offset): (Double, Double, Int32) =
            space.range == .limited ? (255.0 / 219.0, 255.0 / 224.0, 16) : (1, 1, 0)
        let one = Double(1 << 20)
        func q(_ v: Double) -> Int32 { Int32((v * one).rounded()) }
        cy = q(yScale)
        cvr = q(cScale * 2 * (1 - kr))
        cub = q(cScale * 2 * (1 - kb))
        cvg = q(-cScale * 2 * (1 - kr) * kr / kg)
        cug = q(-cScale * 2 * (1 - kb) * kb / kg)
        yOffset = offset
    }
}

/// Fixed-point R'G'B' → Y'CbCr coefficients (16 fractional bits) for one colour space.
///
/// Invariant: the three Cb weights and the three Cr weights each sum to exactly 0, so grey
/// maps to Cb = Cr = 128 with no rounding drift; the Y weights sum to the range's scale.
public struct RGBToYUVCoefficients: Sendable, Equatable {
    public static let shift: Int32 = 16
    public let yr: Int32, yg: Int32, yb: Int32
    public let ur: Int32, ug: Int32, ub: Int32
    public let vr: Int32, vg: Int32, vb: Int32
    public let yOffset: Int32

    public init(_ space: ColorSpace) {
        let (kr, kg, kb) = space.matrix.lumaWeights
        let (yScale, cScale, offset): (Double, Double, Int32) =
            space.range == .limited ? (219.0 / 255.0, 224.0 / 255.0, 16) : (1, 1, 0)
        let one = Double(1 << 16)
        func q(_ v: Double) -> Int32 { Int32((v * one).rounded()) }
        yr = q(yScale * kr); yb = q(yScale * kb); yg = q(yScale) - yr - yb
        _ = kg
        ur = q(-cScale * 0.5 * kr / (1 - kb)); ub = q(cScale * 0.5); ug = -ur - ub
        vr = q(cScale * 0.5); vb = q(-cScale * 0.5 * kb / (1 - kr)); vg = -vr - vb
        yOffset = offset
    }
}

extension YUVToRGBCoefficients {
    /// R, G, B (0...255) of one sample; `cu`, `cv` are chroma minus 128. Exactly the
    /// arithmetic of `Frame.convert(into:)` for YUV → RGB.
    @inlinable @inline(__always)
    public func rgb(y: UInt8, cu: Int32, cv: Int32) -> (r: Int32, g: Int32, b: Int32) {
        let yy = max(Int32(y) &- yOffset, 0) &* cy &+ (1 << 19)
        let r = (yy &+ cvr &* cv) >> 20
        let g = (yy &+ cvg &* cv &+ cug &* cu) >> 20
        let b = (yy &+ cub &* cu) >> 20
        return (min(max(r, 0), 255), min(max(g, 0), 255), min(max(b, 0), 255))
    }
}

extension YUVToRGBCoefficients {
    /// The same coefficients in the C kernels' struct.
    public var kernelCoefficients: sc_yuv_coeffs {
        sc_yuv_coeffs(cy: cy, cvr: cvr, cvg: cvg, cug: cug, cub: cub, y_offset: yOffset)
    }
}

extension PixelFormat {
    /// How the C row kernels address this layout's YUV samples (nil for RGB).
    public var kernelLayout: sc_yuv_layout? {
        switch self {
        case .i420: return SC_LAYOUT_PLANAR
        case .nv12: return SC_LAYOUT_SEMIPLANAR
        case .yuyv: return SC_LAYOUT_YUYV
        case .rgb24: return nil
        }
    }
}
