import CDefaultWeights

/// The student SharpCam ships, compiled into every binary (`Sources/CDefaultWeights`), so that
/// `nn` — the default mode — needs no external file.
///
/// Invariant: `bytes` is exactly `Sources/CDefaultWeights/default-student.scw`, a valid,
/// int8-calibrated student weights file (tests check both); it is validated like any file on
/// every load (signature, version, architecture, checksum).
public enum DefaultStudent {
    /// How the built-in model is named in messages and in configuration (`model = builtin`).
    public static let name = "builtin"

    /// The embedded weights file.
    public static var bytes: [UInt8] {
        Array(UnsafeBufferPointer(start: sc_default_student_ptr(), count: Int(sc_default_student_size)))
    }

    /// Decodes and validates the embedded weights.
    public static func load() throws -> Weights {
        try WeightsFile.decode(bytes, path: "(built-in default student)", expecting: .student)
    }

    /// The weights `model` names: the built-in student, or a weights file (checked against
    /// `kind` when given).
    public static func load(_ model: String?, expecting kind: ArchitectureKind? = nil) throws -> Weights {
        guard let model, !isBuiltIn(model) else { return try load() }
        return try WeightsFile.load(model, expecting: kind)
    }

    /// True when `model` names the built-in weights (nil, empty or "builtin").
    public static func isBuiltIn(_ model: String?) -> Bool {
        guard let model else { return true }
        return model.isEmpty || model == name
    }
}
