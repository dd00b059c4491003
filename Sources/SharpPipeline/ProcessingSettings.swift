import SharpFrames
import SharpImaging
import SharpNet

/// How frames are processed, shared by file mode and live mode (and reloaded on SIGHUP).
public struct ProcessingSettings: Sendable, Equatable {
    public var mode: ProcessingMode
    public var strength: Float
    /// Weights file for `nn`; nil (or "builtin") is the student compiled into the binary.
    public var model: String?
    public var precision: FusedStudentEngine.Precision?
    public var threads: Int
    public var classic: UnsharpMask.Settings

    public init(mode: ProcessingMode = .nn, strength: Float = 1, model: String? = nil, precision: FusedStudentEngine.Precision? = nil,
                threads: Int = 2, classic: UnsharpMask.Settings = .default) {
        self.mode = mode
        self.strength = strength
        self.model = model
        self.precision = precision
        self.threads = threads
        self.classic = classic
    }

    /// Builds the processor (loads and validates the model for `nn`).
    public func makeProcessor() throws -> FrameProcessor {
        switch mode {
        case .classic: return ClassicProcessor(settings: classic, strength: strength)
        case .bypass: return BypassProcessor()
        case .nn:
            return try NetworkProcessor(weights: try DefaultStudent.load(model), strength: strength, precision: precision, threads: threads)
        }
    }
}
