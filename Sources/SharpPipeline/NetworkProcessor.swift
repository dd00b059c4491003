import SharpFrames
import SharpImaging
import SharpNet
import SharpSupport

/// The `nn` tier: a network from a weights file run on every frame,
/// `out = in + strength · (net(in) − in)`.
///
/// One-level students run on the fused engine (`FusedStudentEngine`) in the requested precision;
/// other networks (teachers, the seed's U-Net, two-level students) run on the reference engine,
/// which is exact but far from real time.
///
/// Invariant: frames of any size and layout come out in the same size and layout; the fused
/// engine is rebuilt only when a wider frame arrives.
public final class NetworkProcessor: FrameProcessor {
    public func name(strength: Float) -> String {
        "nn (\(modelName), \(engineName), strength \(strength)\(temporal && runner == nil ? ", temporal filter" : ""))"
    }
    /// The model as the user named it: "built-in model" or the weights file.
    public let modelName: String
    private let engineName: String
    public let weights: Weights
    /// Changing it starts the temporal filter afresh (the next frame is the new strength's).
    public var strength: Float { didSet { if strength != oldValue { fused?.temporal?.reset() } } }
    /// Video: the temporal filter (`TemporalFilter`) runs on the fused engine's output.
    public let temporal: Bool
    public let precision: FusedStudentEngine.Precision?
    public let threads: Int
    private var fused: FusedStudentEngine?
    private let runner: NetworkFrameRunner?

    /// The precision `sharpcamd` uses when none is asked for (`FusedStudentEngine.defaultPrecision`).
    public static func defaultPrecision(for weights: Weights) -> FusedStudentEngine.Precision {
        FusedStudentEngine.defaultPrecision(for: weights)
    }

    /// - Throws: `SharpCamError` when int8 is asked for a model without calibration.
    public init(
        weights: Weights, strength: Float = 1, precision: FusedStudentEngine.Precision? = nil, threads: Int = 2,
        modelName: String = "built-in model", temporal: Bool = false
    ) throws {
        self.weights = weights
        self.temporal = temporal
        self.modelName = modelName
        self.strength = strength
        self.threads = threads
        if FusedStudentEngine.supportError(weights.spec) == nil {
            let p = precision ?? Self.defaultPrecision(for: weights)
            self.precision = p
            // Validate now (e.g. int8 without calibration) rather than on the first frame.
            try FusedStudentEngine.validate(weights: weights, precision: p)
            runner = nil
            engineName = p.rawValue
        } else {
            self.precision = nil
            runner = NetworkFrameRunner(engine: ReferenceEngine(weights: weights.collapsed()))
            engineName = "reference fp32 (not real time)"
        }
    }

    public func process(_ input: Frame, into output: Frame) {
        if let runner {
            runner.process(input, strength: strength, into: output)
            return
        }
        if fused == nil || fused!.maxWidth < input.width {
            // The model and precision were validated in init; creation cannot fail here.
            fused = try! FusedStudentEngine(
                weights: weights, precision: precision!, maxWidth: input.width, threads: threads)
            if temporal { fused!.temporal = TemporalFilter() }
        }
        fused!.process(input, strength: strength, into: output)
    }
}
