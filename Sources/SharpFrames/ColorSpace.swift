/// The Y'CbCr matrix a YUV frame was encoded with.
public enum ColorMatrix: String, Sendable, CaseIterable, CustomStringConvertible {
    /// ITU-R BT.601 (SD video, JPEG): Kr = 0.299, Kb = 0.114.
    case bt601
    /// ITU-R BT.709 (HD video): Kr = 0.2126, Kb = 0.0722.
    case bt709

    public var description: String { rawValue }

    /// Luma weights (Kr, Kg, Kb); they sum to 1.
    public var lumaWeights: (r: Double, g: Double, b: Double) {
        switch self {
        case .bt601: return (0.299, 0.587, 0.114)
        case .bt709: return (0.2126, 0.7152, 0.0722)
        }
    }
}

/// The quantisation range of YUV samples.
public enum ColorRange: String, Sendable, CaseIterable, CustomStringConvertible {
    /// "TV" range: Y in 16...235, Cb/Cr in 16...240.
    case limited
    /// "PC"/JPEG range: all of 0...255.
    case full

    public var description: String { rawValue }
}

/// How a frame's samples relate to R'G'B'. RGB frames carry one too: it is the colour space
/// used when they are converted to or from YUV.
public struct ColorSpace: Hashable, Sendable, CustomStringConvertible {
    public var matrix: ColorMatrix
    public var range: ColorRange

    public init(matrix: ColorMatrix, range: ColorRange) {
        self.matrix = matrix
        self.range = range
    }

    public static let bt601Limited = ColorSpace(matrix: .bt601, range: .limited)
    public static let bt601Full = ColorSpace(matrix: .bt601, range: .full)
    public static let bt709Limited = ColorSpace(matrix: .bt709, range: .limited)
    public static let bt709Full = ColorSpace(matrix: .bt709, range: .full)

    /// The conventional default for untagged video: BT.709 from 720 rows up, BT.601 below,
    /// limited range.
    public static func videoDefault(height: Int) -> ColorSpace {
        height >= 720 ? .bt709Limited : .bt601Limited
    }

    public var description: String { "\(matrix)/\(range)" }
}
