/// Which network family a description belongs to.
public enum ArchitectureKind: String, Codable, Sendable, CaseIterable {
    /// Exactly the seed's UNetSmall: 5-channel input (RGB in [-1, 1], Sobel edge, HSV mask),
    /// two 3×3 conv + InstanceNorm + ReLU per level, 2×2 max-pooling, ConvTranspose 2×2 up,
    /// concatenated skips, 1×1 conv + Tanh to RGB. Kept for faithfulness.
    case seedUNet = "seed-unet"
    /// The seed's U-Net made fit for restoration: no InstanceNorm, output = input RGB +
    /// predicted residual, no Tanh. The distillation teacher.
    case teacher
    /// The real-time net: luma (+ optional edge and mask) → space-to-depth ×2 or ×4 → small
    /// U-Net of 3×3 convs with ReLU → depth-to-space → + luma. Chroma passes through, unless
    /// the student reads and corrects it too (`usesChroma`).
    case student
}

/// The one description of a network that training, inference, export and counting all read.
///
/// Invariants: `widths` has 1...6 entries, each 1...1024; `convsPerLevel >= 1`;
/// seed-unet and teacher always use the maps; only the student has re-parameterisable
/// blocks (`reparameterizable`), which describe its training form, and an `unshuffle` other
/// than 2 (2 or 4).
public struct ArchitectureSpec: Codable, Hashable, Sendable, CustomStringConvertible {
    public var kind: ArchitectureKind
    /// Channel widths per U-Net level, finest first.
    public var widths: [Int]
    /// 3×3 convolutions per level (per block).
    public var convsPerLevel: Int
    /// Whether the Sobel edge and HSV mask maps are network inputs.
    public var usesMaps: Bool
    /// Training form: each 3×3 conv is an ECBSR-style block (3×3, 1×1→3×3, 1×1→Sobel-x,
    /// 1×1→Sobel-y, 1×1→Laplacian) that `collapsed()` folds into one 3×3.
    public var reparameterizable: Bool
    /// Student: the space-to-depth block size in front of the U-Net (2 or 4); the network
    /// runs at 1/`unshuffle` resolution and predicts `unshuffle`² luma samples per position.
    public var unshuffle: Int
    /// Student: Cb and Cr are inputs (after luma) and the network predicts their correction
    /// too (output Y, Cb, Cr); `ChromaTransfer` does not run after it.
    public var usesChroma: Bool

    public init(
        kind: ArchitectureKind, widths: [Int], convsPerLevel: Int, usesMaps: Bool, reparameterizable: Bool,
        unshuffle: Int = 2, usesChroma: Bool = false
    ) {
        self.kind = kind
        self.widths = widths
        self.convsPerLevel = convsPerLevel
        self.usesMaps = usesMaps
        self.reparameterizable = reparameterizable
        self.unshuffle = unshuffle
        self.usesChroma = usesChroma
    }

    private enum CodingKeys: String, CodingKey {
        case kind, widths, convsPerLevel, usesMaps, reparameterizable, unshuffle, usesChroma
    }

    /// Luma students encode as before `usesChroma` existed (byte-identical files).
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(kind, forKey: .kind)
        try c.encode(widths, forKey: .widths)
        try c.encode(convsPerLevel, forKey: .convsPerLevel)
        try c.encode(usesMaps, forKey: .usesMaps)
        try c.encode(reparameterizable, forKey: .reparameterizable)
        try c.encode(unshuffle, forKey: .unshuffle)
        if usesChroma { try c.encode(true, forKey: .usesChroma) }
    }

    /// Files written before `unshuffle` existed decode with 2, before `usesChroma` without it.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            kind: try c.decode(ArchitectureKind.self, forKey: .kind), widths: try c.decode([Int].self, forKey: .widths),
            convsPerLevel: try c.decode(Int.self, forKey: .convsPerLevel),
            usesMaps: try c.decode(Bool.self, forKey: .usesMaps),
            reparameterizable: try c.decode(Bool.self, forKey: .reparameterizable),
            unshuffle: try c.decodeIfPresent(Int.self, forKey: .unshuffle) ?? 2,
            usesChroma: try c.decodeIfPresent(Bool.self, forKey: .usesChroma) ?? false)
    }

    /// The seed's UNetSmall (widths 32/64/128/256).
    public static let seedUNet = ArchitectureSpec(
        kind: .seedUNet, widths: [32, 64, 128, 256], convsPerLevel: 2, usesMaps: true, reparameterizable: false)

    /// The corrected teacher; `widths` may be narrowed to fit a training budget.
    public static func teacher(widths: [Int] = [32, 64, 128, 256]) -> ArchitectureSpec {
        ArchitectureSpec(kind: .teacher, widths: widths, convsPerLevel: 2, usesMaps: true, reparameterizable: false)
    }

    /// A student variant.
    public static func student(
        widths: [Int] = [16], convsPerLevel: Int = 3, usesMaps: Bool = false, reparameterizable: Bool = true,
        unshuffle: Int = 2, usesChroma: Bool = false
    ) -> ArchitectureSpec {
        ArchitectureSpec(
            kind: .student, widths: widths, convsPerLevel: convsPerLevel, usesMaps: usesMaps,
            reparameterizable: reparameterizable,
            unshuffle: unshuffle, usesChroma: usesChroma)
    }

    /// The deployment form: re-parameterisable blocks folded into plain 3×3 convs.
    public var collapsed: ArchitectureSpec {
        var c = self
        c.reparameterizable = false
        return c
    }

    /// Checks the invariants; returns a description of the first violation.
    public var validationError: String? {
        if widths.isEmpty || widths.count > 6 { return "needs 1 to 6 levels, has \(widths.count)" }
        if widths.contains(where: { $0 < 1 || $0 > 1024 }) { return "widths must be 1...1024, got \(widths)" }
        if convsPerLevel < 1 || convsPerLevel > 8 { return "convsPerLevel must be 1...8, got \(convsPerLevel)" }
        if kind != .student && !usesMaps { return "\(kind.rawValue) always takes the edge and mask maps" }
        if kind != .student && reparameterizable { return "only the student has re-parameterisable blocks" }
        if kind == .student && widths.count > 3 { return "the student has at most 3 levels" }
        if kind != .student && usesChroma { return "only students take ':chroma'" }
        if kind == .student ? (unshuffle != 2 && unshuffle != 4) : unshuffle != 2 {
            return "space-to-depth must be ×2 or ×4 (students only)"
        }
        return nil
    }

    /// Channels of the network input tensor (before any space-to-depth).
    public var inputChannels: Int {
        switch kind {
        case .seedUNet, .teacher: return 5
        case .student: return (usesMaps ? 3 : 1) + (usesChroma ? 2 : 0)
        }
    }

    /// Channels of the output: RGB for seed/teacher, luma (with `usesChroma`: Y, Cb, Cr) for
    /// the student.
    public var outputChannels: Int { kind == .student ? (usesChroma ? 3 : 1) : 3 }

    /// Frame sizes must be multiples of this (inputs are reflect-padded up to it).
    public var stride: Int { (kind == .student ? unshuffle : 1) << (widths.count - 1) }

    public var description: String {
        var s =
            """
            \(kind.rawValue) widths \(widths.map(String.init).joined(separator: "/")), \(convsPerLevel) \
            conv\(convsPerLevel == 1 ? "" : "s")/level
            """
        if kind == .student {
            s +=
                usesMaps
                ? ", luma\(usesChroma ? "+chroma" : "")+edge+mask" : usesChroma ? ", luma+chroma" : ", luma only"
            s += ", space-to-depth ×\(unshuffle)"
            s += reparameterizable ? ", re-parameterisable (training form)" : ""
        }
        return s
    }

    /// Parses the command-line form: `seed-unet`, `teacher[:W1,W2,...]`,
    /// `student[:W1,...][:cN][:s2|:s4][:maps|:nomaps][:chroma][:plain]` (e.g.
    /// `student:16:c3:nomaps`, `student:24:c6:s4:maps:chroma`).
    public init?(argument: String) {
        let parts = argument.split(separator: ":").map(String.init)
        guard let first = parts.first, let kind = ArchitectureKind(rawValue: first) else { return nil }
        var spec: ArchitectureSpec
        switch kind {
        case .seedUNet: spec = .seedUNet
        case .teacher: spec = .teacher()
        case .student: spec = .student()
        }
        for p in parts.dropFirst() {
            if let ws = Optional(p.split(separator: ",").compactMap { Int($0) }), !ws.isEmpty,
                ws.count == p.split(separator: ",").count
            {
                spec.widths = ws
            } else if p.hasPrefix("c"), let n = Int(p.dropFirst()) {
                spec.convsPerLevel = n
            } else if kind == .student, p == "s2" || p == "s4" {
                spec.unshuffle = p == "s2" ? 2 : 4
            } else if p == "maps" {
                spec.usesMaps = true
            } else if p == "nomaps" {
                spec.usesMaps = false
            } else if kind == .student, p == "chroma" {
                spec.usesChroma = true
            } else if p == "plain" {
                spec.reparameterizable = false
            } else {
                return nil
            }
        }
        if kind == .seedUNet && spec != .seedUNet { return nil }
        guard spec.validationError == nil else { return nil }
        self = spec
    }

    /// The command-line form of this spec (round-trips through `init(argument:)`).
    public var argument: String {
        switch kind {
        case .seedUNet: return "seed-unet"
        case .teacher: return "teacher:" + widths.map(String.init).joined(separator: ",")
        case .student:
            return "student:" + widths.map(String.init).joined(separator: ",") + ":c\(convsPerLevel)"
                + (unshuffle == 2 ? "" : ":s\(unshuffle)")
                + (usesMaps ? ":maps" : ":nomaps")
                + (usesChroma ? ":chroma" : "")
                + (reparameterizable ? "" : ":plain")
        }
    }
}
