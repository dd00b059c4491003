import CSharpKernels
import Foundation
import SharpFrames
import SharpImaging

/// The real-time path: a one-level student run by the fused C engine (`sc_student`) on frames,
/// in fp32, fp16 storage or int8, on a fixed pool of threads.
///
/// Luma is read straight from the input frame (any YUV layout, or computed from RGB), the
/// result is written into the output frame's luma; then `ChromaTransfer` carries the luma
/// change into chroma (or, without it, chroma is copied unchanged and RGB frames get the luma
/// change added to R, G and B). Edge and mask maps, when the student uses them, are computed
/// into preallocated planes first (their normalisation needs the frame's maximum).
///
/// Invariant: frames up to `maxWidth` wide, any height; `process` allocates nothing.
public final class FusedStudentEngine: @unchecked Sendable {
    public enum Precision: String, Sendable, CaseIterable, Codable {
        case fp32, fp16, int8
        var c: sc_precision {
            switch self {
            case .fp32: return SC_PRECISION_FP32
            case .fp16: return SC_PRECISION_FP16
            case .int8: return SC_PRECISION_INT8
            }
        }
    }

    public let spec: ArchitectureSpec
    public let precision: Precision
    public let maxWidth: Int
    public let threads: Int
    private let engine: OpaquePointer
    private var edge: GrayImage?
    private var mask: GrayImage?
    private var sobel: SobelEdgeMap?
    private var lumaIn: GrayImage?
    private var delta: UnsafeMutablePointer<Int16>?
    /// Carries the luma change into chroma (nil: chroma is copied unchanged).
    public let chromaTransfer: ChromaTransfer?

    /// Metadata key of the calibrated int8 activation scales (JSON: per hidden layer, one
    /// scale per channel).
    public static let activationScalesKey = "quant.activation-scales"

    /// Metadata key of the hidden layers whose int8 weights are wide (11 bits as a high and a
    /// low int8 part, twice the layer's cost); JSON list of layer indices. Without it, layer 0.
    public static let wideLayersKey = "quant.wide-layers"

    /// The layers run with wide int8 weights (empty for fp32/fp16).
    public let wideLayers: [Int]

    /// Whether a network can run here: a one-level student whose hidden widths are multiples of 8.
    public static func supportError(_ spec: ArchitectureSpec) -> String? {
        guard spec.kind == .student else { return "the fused engine runs students only (this is \(spec.kind.rawValue))" }
        guard spec.widths.count == 1 else { return "the fused engine runs one-level students (this one has \(spec.widths.count) levels)" }
        guard spec.widths[0] % 8 == 0 else { return "the fused engine needs a width that is a multiple of 8 (this one has \(spec.widths[0]))" }
        return nil
    }

    /// - Parameter transferChroma: run `ChromaTransfer` after the network (the default).
    public init(weights: Weights, precision: Precision, maxWidth: Int, threads: Int, useAVX2: Bool? = nil,
                transferChroma: Bool = true) throws {
        let w = weights.collapsed()
        spec = w.spec
        self.precision = precision
        self.maxWidth = maxWidth
        let threadCount = max(1, threads)
        self.threads = threadCount
        chromaTransfer = transferChroma ? ChromaTransfer(threads: threadCount) : nil
        if let problem = Self.supportError(spec) { throw FusedEngineError(problem) }
        let graph = NetworkGraph(spec)
        var prefixes: [String] = []
        var channels: [Int] = [spec.unshuffle * spec.unshuffle * spec.inputChannels]
        for n in graph.nodes {
            if case .conv(let p, _) = n.op { prefixes.append(p); channels.append(n.channels) }
        }
        var scales: [[Float]] = []
        var wide: [Int] = []
        if precision == .int8 {
            guard let json = w.metadata[Self.activationScalesKey], let s = try? JSONDecoder().decode([[Float]].self, from: Data(json.utf8)),
                  s.count == prefixes.count - 1, zip(s, channels.dropFirst()).allSatisfy({ $0.count == $1 }) else {
                throw FusedEngineError("int8 needs activation scales calibrated for this model: run `sharpcam-train quantize`")
            }
            scales = s
            if let json = w.metadata[Self.wideLayersKey] {
                guard let list = try? JSONDecoder().decode([Int].self, from: Data(json.utf8)),
                      list.allSatisfy({ $0 >= 0 && $0 < prefixes.count - 1 }) else {
                    throw FusedEngineError("\(Self.wideLayersKey) must list hidden layers 0..<\(prefixes.count - 1) (it is \(json))")
                }
                wide = Array(Set(list)).sorted()
            } else {
                wide = [0]
            }
        }
        wideLayers = wide
        let weightArrays = prefixes.map { w[$0 + ".weight"]!.data }
        let biasArrays = prefixes.map { w[$0 + ".bias"]!.data }
        var desc = sc_student_desc()
        desc.layers = Int32(prefixes.count)
        desc.uses_maps = spec.usesMaps ? 1 : 0
        desc.block = Int32(spec.unshuffle)
        desc.precision = precision.c
        desc.use_avx2 = useAVX2.map { $0 ? 1 : 0 } ?? -1
        withUnsafeMutableBytes(of: &desc.channels) { raw in
            let c = raw.bindMemory(to: Int32.self)
            for (i, v) in channels.enumerated() { c[i] = Int32(v) }
        }
        withUnsafeMutableBytes(of: &desc.wide_weights) { raw in
            let c = raw.bindMemory(to: Int32.self)
            for k in wide { c[k] = 1 }
        }
        var err = [CChar](repeating: 0, count: 256)
        // The C engine copies (packs) the weights during creation; the arrays only need to live
        // until it returns.
        let created: OpaquePointer? = weightArrays.withUnsafeBufferPointers { wp in
            biasArrays.withUnsafeBufferPointers { bp in
                scales.withUnsafeBufferPointers { sp in
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
            throw FusedEngineError(String(decoding: err.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        engine = created
    }

    deinit {
        sc_student_destroy(engine)
        delta?.deallocate()
    }

    /// "avx2" or "portable".
    public var kernelName: String { String(cString: sc_student_kernels(engine)) }

    /// Sharpens `input` into `output` (same format; a distinct frame): `carryChroma`, then
    /// `prepareMaps`, then `runNetwork`, then `transferChroma`.
    public func process(_ input: Frame, strength: Float, into output: Frame) {
        carryChroma(input, into: output)
        prepareMaps(input)
        runNetwork(input, strength: strength, into: output)
        transferChroma(input, into: output)
    }

    /// Gives the output's chroma the network's luma change (`ChromaTransfer`), if enabled.
    public func transferChroma(_ input: Frame, into output: Frame) {
        chromaTransfer?.apply(input: input, output: output)
    }

    /// Copies the input into the output frame (chroma passes through; luma is overwritten).
    public func carryChroma(_ input: Frame, into output: Frame) {
        precondition(input.format == output.format && input !== output, "FusedStudentEngine: needs a distinct output frame of the same format")
        output.copy(from: input)
    }

    /// Edge and mask planes for students that use them (nothing otherwise).
    public func prepareMaps(_ input: Frame) {
        guard spec.usesMaps else { return }
        let w = input.width, h = input.height
        if edge == nil || edge!.width != w || edge!.height != h {
            edge = GrayImage(width: w, height: h)
            mask = GrayImage(width: w, height: h)
            sobel = SobelEdgeMap(width: w, height: h)
        }
        sobel!.compute(input, into: edge!)
        SaturationMask().compute(input, into: mask!)
    }

    /// The network: reads the input's luma (and the maps), writes the output's luma.
    public func runNetwork(_ input: Frame, strength: Float, into output: Frame) {
        precondition(input.width <= maxWidth, "FusedStudentEngine: frame wider than \(maxWidth)")
        var f = sc_student_frame()
        f.width = Int32(input.width)
        f.height = Int32(input.height)
        f.strength = min(max(strength, 0), 1)
        if let edge, let mask, spec.usesMaps {
            f.edge = UnsafePointer(edge.base)
            f.mask = UnsafePointer(mask.base)
            f.map_stride = edge.bytesPerRow
        }
        if input.pixelFormat == .rgb24 {
            processRGB(input, output, &f)
            return
        }
        let yIn = input.lumaRow(0), yOut = output.lumaRow(0)
        f.y = UnsafePointer(yIn.base)
        f.y_step = Int32(yIn.step)
        f.y_stride = input.planes[0].bytesPerRow
        f.out = yOut.base
        f.out_step = Int32(yOut.step)
        f.out_stride = output.planes[0].bytesPerRow
        f.limited_range = input.colorSpace.range == .limited ? 1 : 0
        withUnsafePointer(to: &f) { sc_student_run(engine, $0) }
    }

    /// RGB frames: a full-range luma plane in, the unclamped luma change out, added to R, G, B
    /// (what `NetworkFrameRunner` does).
    private func processRGB(_ input: Frame, _ output: Frame, _ f: inout sc_student_frame) {
        let w = input.width, h = input.height
        if lumaIn == nil || lumaIn!.width != w || lumaIn!.height != h {
            lumaIn = GrayImage(width: w, height: h)
            delta?.deallocate()
            delta = .allocate(capacity: w * h)
        }
        let li = lumaIn!, d16 = delta!
        let (kr, kg, kb) = input.colorSpace.matrix.lumaWeights
        for y in 0..<h {
            let s = input.planes[0].row(y), d = li.row(y)
            for x in 0..<w {
                let v = Float(kr) * Float(s[3 * x]) + Float(kg) * Float(s[3 * x + 1]) + Float(kb) * Float(s[3 * x + 2])
                d[x] = UInt8(min(max(v.rounded(), 0), 255))
            }
        }
        f.y = UnsafePointer(li.base); f.y_step = 1; f.y_stride = li.bytesPerRow
        f.delta = d16; f.delta_stride = w
        f.limited_range = 0
        withUnsafePointer(to: &f) { sc_student_run(engine, $0) }
        for y in 0..<h {
            let dl = d16 + y * w, o = output.planes[0].row(y)
            for x in 0..<w where dl[x] != 0 {
                for c in 0..<3 { o[3 * x + c] = UInt8(clamping: Int(o[3 * x + c]) + Int(dl[x])) }
            }
        }
    }
}

public struct FusedEngineError: Error, CustomStringConvertible {
    public let description: String
    public init(_ d: String) { description = d }
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
