import CSharpKernels
import Foundation
import SharpFrames
import SharpImaging
import SharpSupport

/// The real-time path on frames: the student run by `StudentNetwork` (the fused C engine), in
/// fp32, fp16 storage or int8.
///
/// Luma is read straight from the input frame (any YUV layout, or computed from RGB), the
/// result is written into the output frame's luma; then `ChromaTransfer` carries the luma
/// change into chroma (or, without it, chroma is copied unchanged and RGB frames get the luma
/// change added to R, G and B). Edge and mask maps, when the student uses them, are computed
/// into preallocated planes first (their normalisation needs the frame's maximum).
///
/// Invariant: frames up to `maxWidth` wide, any height; `process` allocates nothing once it
/// has seen a frame of the size.
public final class FusedStudentEngine: @unchecked Sendable {
    public enum Precision: String, Sendable, CaseIterable, Codable {
        case fp32, fp16, int8
    }

    /// The C engine.
    public let network: StudentNetwork
    public var spec: ArchitectureSpec { network.description.spec }
    public var precision: Precision { network.description.precision }
    public var maxWidth: Int { network.maxWidth }
    public var threads: Int { network.threads }
    /// The layers run with wide int8 weights in the scheme in use (empty for fp32/fp16 and the
    /// plain 8-bit scheme).
    public var wideLayers: [Int] {
        guard precision == .int8 else { return [] }
        switch network.int8Weights {
        case .sixBitWide: return network.description.wideLayers
        case .eightBitWide: return network.description.wideLayers8Bit
        case .eightBit: return []
        }
    }
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

    /// Metadata key of the hidden layers whose int8 weights are wide on the AVX2 path (11 bits as
    /// a high and a low int8 part, twice the layer's cost); JSON list of layer indices. Without
    /// it, layer 0.
    public static let wideLayersKey = "quant.wide-layers"

    /// Metadata key of the hidden layers whose int8 weights are wide (15 bits) in the 8-bit-wide
    /// scheme of the AVX-512 VNNI set; JSON list. Without it, layer 0 (measured: +1.4 dB
    /// agreement with fp32 for 25 % more time; layer 1 adds 0.15 dB more).
    public static let wideLayers8BitKey = "quant.wide-layers-8bit"

    /// Whether a network can run here: a one-level student whose hidden widths are multiples of 8.
    public static func supportError(_ spec: ArchitectureSpec) -> String? {
        guard spec.kind == .student else {
            return "the fused engine runs students only (this is \(spec.kind.rawValue))"
        }
        guard spec.widths.count == 1 else {
            return "the fused engine runs one-level students (this one has \(spec.widths.count) levels)"
        }
        guard !spec.usesChroma else {
            return "the fused engine runs luma students (this one corrects chroma too: `sharpcam-train eval` scores it)"
        }
        guard spec.widths[0] % 8 == 0 else {
            return "the fused engine needs a width that is a multiple of 8 (this one has \(spec.widths[0]))"
        }
        return nil
    }

    /// Checks that `weights` can run at `precision` without building an engine.
    public static func validate(weights: Weights, precision: Precision) throws {
        _ = try StudentNetwork.Description(weights: weights.collapsed(), precision: precision)
    }

    /// The precision `sharpcamd` uses when none is asked for: int8 when the kernel set has fast
    /// int8 and the model is calibrated, else fp32 (the portable int8 path is exact but scalar).
    public static func defaultPrecision(for weights: Weights) -> Precision {
        KernelISA.automatic.hasFastInt8 && weights.metadata[activationScalesKey] != nil ? .int8 : .fp32
    }

    /// - Parameter transferChroma: run `ChromaTransfer` after the network (the default).
    /// - Parameter isa: the kernel set (nil: `SHARPCAM_ISA`, else the CPU's best).
    public init(
        weights: Weights, precision: Precision, maxWidth: Int, threads: Int, isa: KernelISA? = nil,
        int8Weights: Int8WeightScheme? = nil, transferChroma: Bool = true
    ) throws {
        network = try StudentNetwork(
            weights: weights.collapsed(), precision: precision, maxWidth: maxWidth, threads: threads, isa: isa,
            int8Weights: int8Weights)
        chromaTransfer = transferChroma ? ChromaTransfer(threads: network.threads) : nil
    }

    deinit { delta?.deallocate() }

    /// The kernel set in use ("avx512vnni", "avxvnni", "avx2", "portable").
    public var kernelName: String { network.kernelName }

    /// The temporal filter on the network's luma (video: `TemporalFilter`; nil: frames are
    /// independent). Runs after the network and before `ChromaTransfer`, so chroma follows
    /// the filtered luma.
    public var temporal: TemporalFilter?

    /// Sharpens `input` into `output` (same format; a distinct frame): `carryChroma`, then
    /// `prepareMaps`, then `runNetwork`, then the temporal filter (if any), then
    /// `transferChroma`.
    public func process(_ input: Frame, strength: Float, into output: Frame) {
        carryChroma(input, into: output)
        prepareMaps(input)
        runNetwork(input, strength: strength, into: output)
        temporal?.apply(input: input, output: output)
        transferChroma(input, into: output)
    }

    /// Gives the output's chroma the network's luma change (`ChromaTransfer`), if enabled.
    public func transferChroma(_ input: Frame, into output: Frame) {
        chromaTransfer?.apply(input: input, output: output)
    }

    /// Copies the input into the output frame (chroma passes through; luma is overwritten).
    public func carryChroma(_ input: Frame, into output: Frame) {
        precondition(
            input.format == output.format && input !== output,
            "FusedStudentEngine: needs a distinct output frame of the same format")
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
        network.run(&f)
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
        network.run(&f)
        for y in 0..<h {
            let dl = d16 + y * w, o = output.planes[0].row(y)
            for x in 0..<w where dl[x] != 0 {
                for c in 0..<3 { o[3 * x + c] = UInt8(clamping: Int(o[3 * x + c]) + Int(dl[x])) }
            }
        }
    }
}
