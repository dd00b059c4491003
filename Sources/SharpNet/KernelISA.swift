import CSharpKernels

/// The instruction sets the fused engine has kernels for, chosen at start-up from the CPU
/// (best first: AVX-512 VNNI, AVX-VNNI, AVX2, portable) unless `SHARPCAM_ISA` or a caller
/// forces one.
public enum KernelISA: String, Sendable, CaseIterable, Codable {
    case portable, avx2, avxvnni, avx512vnni

    /// The C engine's identifier.
    public var cValue: sc_isa {
        switch self {
        case .portable: return SC_ISA_PORTABLE
        case .avx2: return SC_ISA_AVX2
        case .avxvnni: return SC_ISA_AVXVNNI
        case .avx512vnni: return SC_ISA_AVX512VNNI
        }
    }

    init?(_ c: sc_isa) {
        guard let found = Self.allCases.first(where: { $0.cValue == c }) else { return nil }
        self = found
    }

    /// Whether this CPU (and build) can run the set.
    public var isSupported: Bool { sc_cpu_supports_isa(cValue) != 0 }

    /// The sets this CPU can run, best first.
    public static var supported: [KernelISA] { allCases.reversed().filter(\.isSupported) }

    /// The set an engine uses when none is forced: `SHARPCAM_ISA` if set (and valid), else the
    /// CPU's best.
    public static var automatic: KernelISA {
        var isa = SC_ISA_PORTABLE
        var err = [CChar](repeating: 0, count: 200)
        guard sc_isa_resolve(-1, &isa, &err, err.count) != 0 else { return KernelISA(sc_cpu_best_isa()) ?? .portable }
        return KernelISA(isa) ?? .portable
    }

    /// Whether int8 on this set is fast (SIMD) rather than the exact but scalar portable loops.
    public var hasFastInt8: Bool { self != .portable }

    /// The int8 weight scheme the set runs by default (the C table's `native`): the portable
    /// set given this scheme computes the set's int8 output bit for bit, on any CPU.
    public var int8WeightScheme: Int8WeightScheme {
        switch self {
        case .portable, .avx2: return .sixBitWide
        case .avxvnni, .avx512vnni: return .eightBitWide
        }
    }
}

/// How int8 weights are quantised (`sc_int8_weights`).
public enum Int8WeightScheme: String, Sendable, CaseIterable {
    /// |q| ≤ 32 with wide (two-pass, 11-bit) layers listed by `quant.wide-layers`: the AVX2
    /// scheme (and the portable set's default).
    case sixBitWide
    /// Full signed 8 bits with error-feedback rounding, no wide layers: what the AVX-VNNI set ran
    /// before it took `eightBitWide` (chosen explicitly, e.g. to compare the two schemes).
    case eightBit
    /// 8 bits, and 15-bit (two-pass) weights in the layers listed by `quant.wide-layers-8bit`
    /// (default layer 0): the scheme of both VNNI sets, so they compute the same int8 output.
    case eightBitWide

    var c: sc_int8_weights {
        switch self {
        case .sixBitWide: return SC_INT8_WEIGHTS_6BIT_WIDE
        case .eightBit: return SC_INT8_WEIGHTS_8BIT
        case .eightBitWide: return SC_INT8_WEIGHTS_8BIT_WIDE
        }
    }

    init(_ c: sc_int8_weights) {
        switch c {
        case SC_INT8_WEIGHTS_8BIT: self = .eightBit
        case SC_INT8_WEIGHTS_8BIT_WIDE: self = .eightBitWide
        default: self = .sixBitWide
        }
    }
}
