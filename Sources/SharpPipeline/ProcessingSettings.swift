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
    /// `nn` on video: the temporal filter (`TemporalFilter`) keeps amplified sensor noise from
    /// flickering between frames (default on).
    public var temporal: Bool

    public init(
        mode: ProcessingMode = .nn, strength: Float = 1, model: String? = nil,
        precision: FusedStudentEngine.Precision? = nil,
        threads: Int = 2, classic: UnsharpMask.Settings = .default, temporal: Bool = true
    ) {
        self.temporal = temporal
        self.mode = mode
        self.strength = strength
        self.model = model
        self.precision = precision
        self.threads = threads
        self.classic = classic
    }

    /// What is wrong with these settings (values out of range, however they were set), or nil.
    public var validationError: String? {
        let checks: [(NumericSetting, Double)] = [
            (.strength, Double(strength)), (.threads, Double(threads)), (.radius, classic.sigma),
            (.amount, Double(classic.amount)),
        ]
        return checks.lazy.compactMap { $0.problem(with: $1) }.first
    }

    /// Builds the processor (loads and validates the model for `nn`); throws before building
    /// anything when a value is out of range.
    public func makeProcessor() throws -> FrameProcessor {
        if let problem = validationError { throw ConfigurationError(problem) }
        switch mode {
        case .classic: return ClassicProcessor(settings: classic, strength: strength)
        case .bypass: return BypassProcessor()
        case .nn:
            return try NetworkProcessor(
                weights: try DefaultStudent.load(model), strength: strength, precision: precision, threads: threads,
                modelName: model.flatMap { $0 == "builtin" ? nil : $0 } ?? "built-in model", temporal: temporal)
        }
    }

    /// Applies one processing setting (`mode`, `strength`, `model`, `precision`, `threads`,
    /// `radius`, `amount`, `temporal`) from a file or the command line; false for any other key.
    public mutating func apply(_ key: String, _ value: String, origin: String) throws -> Bool {
        let v = SettingValue(key: key, value: value, origin: origin)
        switch key {
        case "mode":
            guard let m = ProcessingMode(rawValue: value) else { throw v.bad("expected classic, nn or bypass") }
            mode = m
        case "strength": strength = Float(try v.number(NumericSetting.strength))
        case "model": model = value.isEmpty ? nil : value
        case "precision":
            guard let p = FusedStudentEngine.Precision(rawValue: value) else {
                throw v.bad("expected fp32, fp16 or int8")
            }
            precision = p
        case "threads": threads = Int(try v.number(NumericSetting.threads))
        case "radius": classic.sigma = try v.number(NumericSetting.radius)
        case "amount": classic.amount = Float(try v.number(NumericSetting.amount))
        case "temporal": temporal = try v.bool()
        default: return false
        }
        return true
    }
}
