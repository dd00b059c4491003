import CSharpKernels
import Foundation
import SharpSupport

/// The fused C engine (`sc_student`) for one student in deployment form: validates the weights
/// (`Description`), hands them to C, which packs (and for int8 quantises per instruction set)
/// its own copy, and runs frames described by `sc_student_frame` on the process's shared pool.
///
/// Invariant: after `init` returns, `run` allocates nothing and handles frames up to
/// `maxWidth` wide.
public final class StudentNetwork: @unchecked Sendable {
    /// What the C engine needs, read and checked from weights without building anything.
    public struct Description: Sendable {
        public let spec: ArchitectureSpec
        public let precision: FusedStudentEngine.Precision
        /// Parameter-name prefixes of the convolutions, in order.
        public let layers: [String]
        /// Channels: the space-to-depth input, then each convolution's output.
        public let channels: [Int]
        /// int8: per hidden layer, one activation scale per channel (empty otherwise).
        public let activationScales: [[Float]]
        /// int8: hidden layers stored as wide (two-pass) weights in the 6-bit (AVX2) scheme.
        public let wideLayers: [Int]
        /// int8: hidden layers stored as wide (15-bit) weights in the 8-bit-wide (AVX-512 VNNI)
        /// scheme.
        public let wideLayers8Bit: [Int]

        /// Checks that `weights` (deployment form) can run at `precision`.
        public init(weights w: Weights, precision: FusedStudentEngine.Precision) throws {
            spec = w.spec
            self.precision = precision
            if let problem = FusedStudentEngine.supportError(spec) { throw SharpCamError(problem) }
            var prefixes: [String] = []
            var channels: [Int] = [spec.unshuffle * spec.unshuffle * spec.inputChannels]
            for n in NetworkGraph(spec).nodes {
                if case .conv(let p, _) = n.op {
                    prefixes.append(p)
                    channels.append(n.channels)
                }
            }
            layers = prefixes
            self.channels = channels
            guard precision == .int8 else {
                activationScales = []
                wideLayers = []
                wideLayers8Bit = []
                return
            }
            guard let json = w.metadata[FusedStudentEngine.activationScalesKey],
                let s = try? JSONDecoder().decode([[Float]].self, from: Data(json.utf8)),
                s.count == prefixes.count - 1, zip(s, channels.dropFirst()).allSatisfy({ $0.count == $1 })
            else {
                throw SharpCamError(
                    "int8 needs activation scales calibrated for this model: run `sharpcam-train quantize`")
            }
            if let bad = s.joined().first(where: { !($0.isFinite && $0 >= 1e-7 && $0 <= 1e4) }) {
                throw SharpCamError(
                    """
                    int8 activation scale \(bad) is absurd (expected 1e-7...1e4): recalibrate with \
                    `sharpcam-train quantize`
                    """
                )
            }
            activationScales = s
            func layerList(_ key: String) throws -> [Int] {
                guard let json = w.metadata[key] else { return [0] }
                guard let list = try? JSONDecoder().decode([Int].self, from: Data(json.utf8)),
                    list.allSatisfy({ $0 >= 0 && $0 < prefixes.count - 1 })
                else {
                    throw SharpCamError("\(key) must list hidden layers 0..<\(prefixes.count - 1) (it is \(json))")
                }
                return Array(Set(list)).sorted()
            }
            wideLayers = try layerList(FusedStudentEngine.wideLayersKey)
            wideLayers8Bit = try layerList(FusedStudentEngine.wideLayers8BitKey)
        }
    }

    public let description: Description
    public let maxWidth: Int
    public let threads: Int
    private let engine: OpaquePointer

    /// Builds the engine for `weights` (deployment form) on frames up to `maxWidth` wide.
    /// - Parameters:
    ///   - isa: the kernel set (nil: `SHARPCAM_ISA`, else the CPU's best); one the CPU lacks throws.
    ///   - int8Weights: the int8 weight scheme (nil: the set's own; the portable set can
    ///     reproduce either bit for bit).
    public init(
        weights: Weights, precision: FusedStudentEngine.Precision, maxWidth: Int, threads: Int,
        isa: KernelISA? = nil, int8Weights: Int8WeightScheme? = nil
    ) throws {
        let d = try Description(weights: weights, precision: precision)
        description = d
        self.maxWidth = maxWidth
        self.threads = max(1, threads)
        let weightArrays = d.layers.map { weights[$0 + ".weight"]!.data }
        let biasArrays = d.layers.map { weights[$0 + ".bias"]!.data }
        var desc = sc_student_desc()
        desc.layers = Int32(d.layers.count)
        desc.uses_maps = d.spec.usesMaps ? 1 : 0
        desc.block = Int32(d.spec.unshuffle)
        desc.precision = precision.c
        desc.isa = isa.map { Int32($0.cValue.rawValue) } ?? Int32(SC_ISA_AUTO.rawValue)
        desc.int8_weights = Int32(int8Weights?.c.rawValue ?? SC_INT8_WEIGHTS_AUTO.rawValue)
        withUnsafeMutableBytes(of: &desc.channels) { raw in
            let c = raw.bindMemory(to: Int32.self)
            for (i, v) in d.channels.enumerated() { c[i] = Int32(v) }
        }
        withUnsafeMutableBytes(of: &desc.wide_weights) { raw in
            let c = raw.bindMemory(to: Int32.self)
            for k in d.wideLayers { c[k] = 1 }
        }
        withUnsafeMutableBytes(of: &desc.wide_weights_8bit) { raw in
            let c = raw.bindMemory(to: Int32.self)
            for k in d.wideLayers8Bit { c[k] = 1 }
        }
        var err = [CChar](repeating: 0, count: 256)
        let threadCount = self.threads
        // The C engine copies (packs) the weights during creation; the arrays only need to live
        // until it returns.
        let created: OpaquePointer? = weightArrays.withUnsafeBufferPointers { wp in
            biasArrays.withUnsafeBufferPointers { bp in
                d.activationScales.withUnsafeBufferPointers { sp in
                    withUnsafeMutableBytes(of: &desc.activation_scale) { raw in
                        let slots = raw.bindMemory(to: UnsafePointer<Float>?.self)
                        for i in sp.indices { slots[i] = sp[i] }
                    }
                    withUnsafeMutableBytes(of: &desc.weights) { raw in
                        let slots = raw.bindMemory(to: UnsafePointer<Float>?.self)
                        for i in wp.indices { slots[i] = wp[i] }
                    }
                    withUnsafeMutableBytes(of: &desc.bias) { raw in
                        let slots = raw.bindMemory(to: UnsafePointer<Float>?.self)
                        for i in bp.indices { slots[i] = bp[i] }
                    }
                    return sc_student_create(&desc, Int32(maxWidth), Int32(threadCount), &err, err.count)
                }
            }
        }
        guard let created else {
            throw SharpCamError(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        engine = created
    }

    deinit { sc_student_destroy(engine) }

    /// The kernel set in use ("avx512vnni", "avxvnni", "avx2", "portable").
    public var kernelName: String { String(cString: sc_student_kernels(engine)) }

    /// The kernel set in use.
    public var isa: KernelISA { KernelISA(sc_student_isa(engine)) ?? .portable }

    /// The int8 weight scheme in use (int8 engines).
    public var int8Weights: Int8WeightScheme { Int8WeightScheme(sc_student_int8_weights(engine)) }

    /// Runs one frame (blocking, allocation-free).
    @inline(__always)
    public func run(_ frame: inout sc_student_frame) {
        precondition(Int(frame.width) <= maxWidth, "StudentNetwork: frame wider than \(maxWidth)")
        withUnsafePointer(to: &frame) { sc_student_run(engine, $0) }
    }
}

extension FusedStudentEngine.Precision {
    var c: sc_precision {
        switch self {
        case .fp32: return SC_PRECISION_FP32
        case .fp16: return SC_PRECISION_FP16
        case .int8: return SC_PRECISION_INT8
        }
    }
}

extension Array where Element == [Float] {
    /// Runs `body` with stable pointers to every inner array's storage.
    func withUnsafeBufferPointers<R>(_ body: ([UnsafePointer<Float>]) -> R) -> R {
        func go(_ i: Int, _ acc: [UnsafePointer<Float>]) -> R {
            if i == count { return body(acc) }
            return self[i].withUnsafeBufferPointer { go(i + 1, acc + [$0.baseAddress!]) }
        }
        return go(0, [])
    }
}
