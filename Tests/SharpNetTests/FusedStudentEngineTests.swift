import CSharpKernels
import Foundation
import SharpFrames
import SharpImaging
import SharpMedia
import SharpNet
import SharpSupport
import TestSupport
import Testing

/// The fused engine against the reference engine (its oracle), with explicit bounds:
/// fp32 within 1 luma level of the reference (float summation order, rounding), fp16 ≥ 55 dB
/// and int8 ≥ 45 dB PSNR on real photos; AVX2 and portable int8 bit-identical; 1 and 2
/// threads bit-identical.
@Suite(.serialized) struct FusedStudentEngineTests {
    static let student = ArchitectureSpec.student(widths: [16], convsPerLevel: 3)
    static let weights = Weights.heInitialized(student, seed: 21)

    // The network alone (no ChromaTransfer): the engines are compared on what the network writes;
    // the transfer has its own tests and `processEndsWithTheChromaTransfer` checks it is applied.
    static func reference(_ w: Weights, _ frame: Frame, strength: Float = 1) -> Frame {
        let out = Frame(format: frame.format, colorSpace: frame.colorSpace)
        NetworkFrameRunner(engine: ReferenceEngine(weights: w.collapsed()), transferChroma: false).process(
            frame, strength: strength, into: out)
        return out
    }

    static func fused(
        _ w: Weights, _ p: FusedStudentEngine.Precision, _ frame: Frame, threads: Int = 2, isa: KernelISA? = nil,
        int8Weights: Int8WeightScheme? = nil, strength: Float = 1, transferChroma: Bool = false
    ) throws -> Frame {
        let e = try FusedStudentEngine(
            weights: w, precision: p, maxWidth: frame.width, threads: threads, isa: isa,
            int8Weights: int8Weights, transferChroma: transferChroma)
        let out = Frame(format: frame.format, colorSpace: frame.colorSpace)
        e.process(frame, strength: strength, into: out)
        return out
    }

    static func lumaBytes(_ f: Frame) -> [UInt8] {
        if f.pixelFormat == .rgb24 { return TestFrames.bytes(f) }
        var out = [UInt8]()
        for y in 0..<f.height { let r = f.lumaRow(y); for x in 0..<f.width { out.append(r[x]) } }
        return out
    }

    /// Smooth-ish random content (so the network sees structure, not only noise).
    static func frame(_ pf: PixelFormat, _ w: Int, _ h: Int, _ cs: ColorSpace = .bt601Limited, seed: UInt64) -> Frame {
        let rgb = Frame(format: FrameFormat(.rgb24, width: w, height: h)!, colorSpace: cs)
        var rng = TestFrames.Random(seed: seed)
        let fx = rng.uniform() * 0.3 + 0.05, fy = rng.uniform() * 0.3 + 0.05
        for y in 0..<h {
            for x in 0..<w {
                for c in 0..<3 {
                    let v =
                        128 + 90 * sin(Double(x) * fx + Double(c)) * cos(Double(y) * fy) + 20 * (rng.uniform() - 0.5)
                    rgb.planes[0].row(y)[3 * x + c] = UInt8(max(0, min(255, v)))
                }
            }
        }
        if pf == .rgb24 { return rgb }
        let f = Frame(format: rgb.format.with(pf), colorSpace: cs)
        rgb.convert(into: f)
        return f
    }

    @Test(arguments: PixelFormat.allCases)
    func fp32MatchesTheReferenceOnEveryLayoutAndOddSizes(_ pf: PixelFormat) throws {
        for (w, h, cs) in [(37, 23, ColorSpace.bt601Limited), (64, 48, .bt709Full), (3, 1, .bt601Limited)] {
            let f = Self.frame(pf, w, h, cs, seed: UInt64(w))
            let ref = Self.reference(Self.weights, f), out = try Self.fused(Self.weights, .fp32, f)
            #expect(
                TestFrames.maxDifference(TestFrames.bytes(out), TestFrames.bytes(ref)) <= 1, "\(pf) \(w)x\(h) \(cs)")
            #expect(TestFrames.bytes(out) != TestFrames.bytes(f))
        }
    }

    @Test func studentWithMapsMatchesTheReference() throws {
        let w = Weights.heInitialized(.student(widths: [8], convsPerLevel: 2, usesMaps: true), seed: 4)
        let f = Self.frame(.i420, 45, 31, seed: 3)
        let ref = Self.reference(w, f), out = try Self.fused(w, .fp32, f)
        #expect(TestFrames.maxDifference(TestFrames.bytes(out), TestFrames.bytes(ref)) <= 1)
    }

    /// Every one-level student depth the architecture allows (`convsPerLevel` up to the spec's
    /// limit) fits the C engine's `SC_STUDENT_MAX_LAYERS`: `supportError` passes it, so
    /// `NetworkProcessor` builds its engine on the first frame without a second check, and that
    /// engine matches the reference within 1 level. Raising either limit alone fails here.
    @Test func everyAllowedStudentDepthRunsOnTheFusedEngine() throws {
        var depths: [Int] = []
        for c in 1...64 {
            let spec = ArchitectureSpec.student(widths: [8], convsPerLevel: c, usesMaps: true, unshuffle: 4)
            guard spec.validationError == nil else { break }
            depths.append(c)
            #expect(FusedStudentEngine.supportError(spec) == nil)
            let w = Weights.heInitialized(spec, seed: UInt64(30 + c))
            let d = try StudentNetwork.Description(weights: w.collapsed(), precision: .fp32)
            #expect(d.layers.count <= Int(SC_STUDENT_MAX_LAYERS), "c\(c): \(d.layers.count) layers")
            let f = Self.frame(.yuyv, 26, 18, seed: UInt64(c))
            let ref = Self.reference(w, f), out = try Self.fused(w, .fp32, f, threads: 1)
            #expect(TestFrames.maxDifference(TestFrames.bytes(out), TestFrames.bytes(ref)) <= 1, "c\(c)")
        }
        #expect(depths.count >= 8, "student depths the architecture allows: \(depths)")
    }

    /// Space-to-depth ×4 students (16 or 48 input channels, 16 outputs): fp32 within 1 level of
    /// the reference on sizes that are not multiples of 4 (reflected partial blocks), with and
    /// without maps; int8 and fp16 near it; every SIMD kernel set's int8 bit-identical to the
    /// portable reference quantised the same way.
    @Test(arguments: [false, true])
    func spaceToDepth4Students(usesMaps: Bool) throws {
        let w = Weights.heInitialized(
            .student(widths: [16], convsPerLevel: 2, usesMaps: usesMaps, unshuffle: 4), seed: 31)
        for (pf, width, height) in [(PixelFormat.i420, 45, 31), (.yuyv, 66, 50), (.rgb24, 3, 1), (.nv12, 64, 48)] {
            let f = Self.frame(pf, width, height, seed: UInt64(width))
            let ref = Self.reference(w, f), out = try Self.fused(w, .fp32, f)
            #expect(
                TestFrames.maxDifference(TestFrames.bytes(out), TestFrames.bytes(ref)) <= 1, "\(pf) \(width)x\(height)")
            #expect(TestFrames.bytes(out) != TestFrames.bytes(f))
        }
        let f = Self.frame(.i420, 101, 37, seed: 8)
        let cal = try StudentCalibration.calibrated(w, frames: [Self.frame(.i420, 64, 48, seed: 9)])
        let ref = Self.lumaBytes(Self.reference(cal, f))
        #expect(TestFrames.psnr(Self.lumaBytes(try Self.fused(cal, .fp16, f)), ref) >= 55)
        #expect(TestFrames.psnr(Self.lumaBytes(try Self.fused(cal, .int8, f)), ref) >= 35)
        for isa in KernelISA.supported where isa != .portable {
            let a = try Self.fused(cal, .int8, f, isa: isa),
                b = try Self.fused(cal, .int8, f, isa: .portable, int8Weights: isa.int8WeightScheme)
            #expect(mismatch(TestFrames.bytes(a), TestFrames.bytes(b)) == nil, "\(isa): int8 must be bit-identical")
        }
        let one = try Self.fused(cal, .int8, f, threads: 1), three = try Self.fused(cal, .int8, f, threads: 3)
        #expect(mismatch(TestFrames.bytes(one), TestFrames.bytes(three)) == nil)
    }

    /// `process` is carry, maps, network, then `ChromaTransfer` on the network's output.
    @Test(arguments: PixelFormat.allCases)
    func processEndsWithTheChromaTransfer(_ pf: PixelFormat) throws {
        let f = Self.frame(pf, 45, 27, seed: 21)
        let network = try Self.fused(Self.realisticWeights, .fp32, f)
        let full = try Self.fused(Self.realisticWeights, .fp32, f, transferChroma: true)
        #expect(TestFrames.bytes(full) != TestFrames.bytes(network))
        ChromaTransfer().apply(input: f, output: network)
        #expect(TestFrames.bytes(full) == TestFrames.bytes(network))
    }

    @Test func strengthAndChroma() throws {
        let f = Self.frame(.yuyv, 40, 20, seed: 2)
        let zero = try Self.fused(Self.weights, .fp32, f, strength: 0)
        #expect(TestFrames.bytes(zero) == TestFrames.bytes(f))
        let half = try Self.fused(Self.weights, .fp32, f, strength: 0.5),
            ref = Self.reference(Self.weights, f, strength: 0.5)
        #expect(TestFrames.maxDifference(TestFrames.bytes(half), TestFrames.bytes(ref)) <= 1)
    }

    /// Every kernel set this CPU has (AVX2, AVX-VNNI, AVX-512 VNNI; the ones it lacks are
    /// skipped and listed in the output) against the portable reference: int8 bit-identical
    /// with the set's weight scheme, fp32/fp16 within one level; on every layout and odd sizes.
    @Test(arguments: KernelISA.allCases.filter { $0 != .portable })
    func kernelSetMatchesThePortableReference(_ isa: KernelISA) throws {
        guard isa.isSupported else {
            print("kernel set \(isa): not supported by this CPU, not executed")
            return
        }
        let cal = try StudentCalibration.calibrated(Self.weights, frames: [Self.frame(.i420, 64, 48, seed: 9)])
        for (pf, w, h) in [(PixelFormat.i420, 101, 37), (.yuyv, 66, 9), (.rgb24, 5, 3), (.nv12, 130, 21)] {
            let f = Self.frame(pf, w, h, seed: UInt64(w))
            let a = try Self.fused(cal, .int8, f, isa: isa)
            let b = try Self.fused(cal, .int8, f, isa: .portable, int8Weights: isa.int8WeightScheme)
            #expect(
                mismatch(TestFrames.bytes(a), TestFrames.bytes(b)) == nil,
                "\(isa) \(pf) \(w)x\(h): int8 must be bit-identical")
            for p in [FusedStudentEngine.Precision.fp32, .fp16] {
                let x = try Self.fused(Self.weights, p, f, isa: isa),
                    y = try Self.fused(Self.weights, p, f, isa: .portable)
                #expect(TestFrames.maxDifference(TestFrames.bytes(x), TestFrames.bytes(y)) <= 1, "\(isa) \(p)")
            }
        }
        let engine = try FusedStudentEngine(weights: cal, precision: .int8, maxWidth: 64, threads: 1, isa: isa)
        #expect(engine.kernelName == isa.rawValue)
        #expect(engine.network.int8Weights == isa.int8WeightScheme)
    }

    /// Both VNNI sets run one scheme (8-bit weights, layer 0 wide), so every VNNI CPU gives the
    /// built-in student's int8 output byte for byte alike; the plain 8-bit scheme (AVX-VNNI's
    /// before) differs. A set this CPU lacks is replaced by the portable set with its scheme,
    /// which the test above shows to be bit-identical to it.
    @Test func vnniSetsComputeTheSameBytes() throws {
        let w = try DefaultStudent.load()
        let f = Self.frame(.yuyv, 96, 40, seed: 17)
        func int8(_ isa: KernelISA, _ scheme: Int8WeightScheme? = nil) throws -> [UInt8] {
            let run = isa.isSupported && scheme == nil
            return TestFrames.bytes(
                try Self.fused(
                    w, .int8, f, isa: run ? isa : .portable, int8Weights: run ? nil : scheme ?? isa.int8WeightScheme))
        }
        let vnni = try int8(.avxvnni), vnni512 = try int8(.avx512vnni)
        let native = [KernelISA.avxvnni, .avx512vnni].map { "\($0) \($0.isSupported ? "native" : "portable")" }
        print("VNNI sets: \(native.joined(separator: ", "))")
        #expect(mismatch(vnni, vnni512) == nil, "avxvnni and avx512vnni must compute the same int8 bytes")
        #expect(vnni != (try int8(.avxvnni, .eightBit)), "layer 0 wide must change the output")
        #expect(
            try FusedStudentEngine(
                weights: w, precision: .int8, maxWidth: 64, threads: 1, isa: .portable,
                int8Weights: KernelISA.avxvnni.int8WeightScheme
            ).wideLayers == [0])
    }

    /// The AVX2 scheme cannot run on a VNNI set, a set the CPU lacks cannot be forced.
    @Test func kernelSetChoiceIsChecked() throws {
        let cal = try StudentCalibration.calibrated(Self.weights, frames: [Self.frame(.i420, 64, 48, seed: 9)])
        for isa in KernelISA.allCases where !isa.isSupported {
            #expect(throws: SharpCamError.self) {
                try FusedStudentEngine(weights: cal, precision: .int8, maxWidth: 64, threads: 1, isa: isa)
            }
        }
        for isa in [KernelISA.avxvnni, .avx512vnni] where isa.isSupported {
            #expect(throws: SharpCamError.self) {
                try FusedStudentEngine(
                    weights: cal, precision: .int8, maxWidth: 64, threads: 1, isa: isa, int8Weights: .sixBitWide)
            }
        }
        #expect(
            KernelISA.supported.first == KernelISA.automatic
                || ProcessInfo.processInfo.environment["SHARPCAM_ISA"] != nil)
    }

    @Test func bandsAndThreadsDoNotChangeTheResult() throws {
        let f = Self.frame(.nv12, 80, 61, seed: 5)
        let cal = try StudentCalibration.calibrated(Self.weights, frames: [f])
        for p in FusedStudentEngine.Precision.allCases {
            let w = p == .int8 ? cal : Self.weights
            let one = try Self.fused(w, p, f, threads: 1), three = try Self.fused(w, p, f, threads: 3)
            #expect(mismatch(TestFrames.bytes(one), TestFrames.bytes(three)) == nil, "\(p)")
        }
    }

    /// A random student whose residual is as large as a sharpening network's (it moves luma by
    /// tens of dB PSNR, not by a few): the He-initialised one is rescaled so its output layer
    /// changes luma by a few levels RMS.
    static let realisticWeights: Weights = {
        var w = weights.collapsed()
        for k in ["out.weight", "out.bias"] { w[k]!.data = w[k]!.data.map { $0 * 0.08 } }
        return w
    }()

    /// The accuracy bars on real photos (calibrated on other photos): fp16 ≥ 55 dB, int8 ≥ 45 dB
    /// PSNR of the output luma against the FP32 reference engine's.
    @Test func accuracyOnRealPhotos() throws {
        let calibration = try ["lomiri16_fig", "skimage_chelsea"].map {
            try TestFrames.load(try TestEnvironment.photo($0), as: .i420)
        }
        let model = try StudentCalibration.calibrated(
            Self.realisticWeights, frames: calibration.map { Self.shrink($0, 320) })
        for name in ["skimage_astronaut", "skimage_coffee", "lomiri16_bridge"] {
            let photo = Self.shrink(try TestFrames.load(try TestEnvironment.photo(name), as: .i420), 480)
            let ref = Self.lumaBytes(Self.reference(model, photo))
            let fp16 = TestFrames.psnr(Self.lumaBytes(try Self.fused(model, .fp16, photo)), ref)
            let int8 = TestFrames.psnr(Self.lumaBytes(try Self.fused(model, .int8, photo)), ref)
            let moved = TestFrames.psnr(ref, Self.lumaBytes(photo))
            print("accuracy \(name): fp16 \(fp16) dB, int8 \(int8) dB, net moves luma to \(moved) dB")
            #expect(moved < 40 && moved > 25, "the test net should act like a sharpener: \(moved) dB")
            #expect(fp16 >= 55, "\(name): fp16 \(fp16) dB")
            #expect(int8 >= 45, "\(name): int8 \(int8) dB (the net moves luma by \(moved) dB)")
        }
    }

    /// Wide (11-bit) int8 weights: a first layer whose channels are large cancelling taps plus
    /// small ones (a difference of neighbours, as trained deblurring students have) loses the
    /// small taps at 6 bits; wide layers win them back (the AVX2 scheme, run here on the portable
    /// set); AVX2 and portable stay bit-identical, threads do not change results. Full 8-bit
    /// weights (the VNNI scheme) need no wide layers: clearly better than 6-bit ones.
    @Test func wideWeightsWinBackFirstLayerPrecision() throws {
        var w = Self.realisticWeights
        let cin = 4, taps = 9
        for o in 0..<16 {
            let base = (o * cin) * taps, m = w["body.conv0.weight"]!.data[base..<(base + cin * taps)].map(abs).max()!
            w["body.conv0.weight"]!.data[base + 4] += 6 * m  // centre tap of input channel 0
            w["body.conv0.weight"]!.data[base + 5] -= 6 * m  // minus its right neighbour
        }
        let calibration = [try TestFrames.load(try TestEnvironment.photo("skimage_chelsea"), as: .i420)].map {
            Self.shrink($0, 320)
        }
        let photo = Self.shrink(try TestFrames.load(try TestEnvironment.photo("skimage_astronaut"), as: .i420), 480)
        var psnr: [[Int]: Double] = [:]
        for wide in [[], [0], [0, 1]] {
            let model = try StudentCalibration.calibrated(w, frames: calibration, wideLayers: wide)
            let engine = try FusedStudentEngine(
                weights: model, precision: .int8, maxWidth: 480, threads: 2, isa: .portable,
                int8Weights: .sixBitWide)
            #expect(engine.wideLayers == wide)
            let ref = Self.lumaBytes(Self.reference(model, photo))
            psnr[wide] = TestFrames.psnr(
                Self.lumaBytes(try Self.fused(model, .int8, photo, isa: .portable, int8Weights: .sixBitWide)), ref)
            if KernelISA.avx2.isSupported {
                let a = try Self.fused(model, .int8, photo, isa: .avx2)
                let b = try Self.fused(model, .int8, photo, isa: .portable, int8Weights: .sixBitWide)
                #expect(
                    mismatch(TestFrames.bytes(a), TestFrames.bytes(b)) == nil,
                    "wide \(wide): int8 must be bit-identical")
            }
            if wide == [0] {
                let full = TestFrames.psnr(
                    Self.lumaBytes(try Self.fused(model, .int8, photo, isa: .portable, int8Weights: .eightBit)), ref)
                print("8-bit int8 weights (no wide layers): \(full) dB")
                psnr[[-1]] = full
            }
            let one = try Self.fused(model, .int8, photo, threads: 1, isa: .portable, int8Weights: .sixBitWide)
            let three = try Self.fused(model, .int8, photo, threads: 3, isa: .portable, int8Weights: .sixBitWide)
            #expect(mismatch(TestFrames.bytes(one), TestFrames.bytes(three)) == nil)
        }
        print("wide int8 weights: none \(psnr[[]]!) dB, layer 0 \(psnr[[0]]!) dB, layers 0,1 \(psnr[[0, 1]]!) dB")
        #expect(psnr[[0]]! >= psnr[[]]! + 3, "wide layer 0 must be clearly more accurate")
        #expect(psnr[[0, 1]]! >= psnr[[0]]! - 0.1)
        #expect(psnr[[-1]]! >= psnr[[]]! + 3, "8-bit weights must be clearly more accurate than 6-bit ones")
        // Without the metadata key, layer 0 is wide; only hidden layers can be.
        var noKey = try StudentCalibration.calibrated(w, frames: calibration)
        noKey.metadata[FusedStudentEngine.wideLayersKey] = nil
        #expect(
            try FusedStudentEngine(
                weights: noKey, precision: .int8, maxWidth: 64, threads: 1, isa: .portable,
                int8Weights: .sixBitWide
            ).wideLayers == [0])
        #expect(
            try FusedStudentEngine(
                weights: noKey, precision: .int8, maxWidth: 64, threads: 1, isa: .portable,
                int8Weights: .eightBit
            ).wideLayers == [])
        #expect(try FusedStudentEngine(weights: noKey, precision: .fp32, maxWidth: 64, threads: 1).wideLayers == [])
        noKey.metadata[FusedStudentEngine.wideLayersKey] = "[3]"
        #expect(throws: SharpCamError.self) {
            try FusedStudentEngine(weights: noKey, precision: .int8, maxWidth: 64, threads: 1)
        }
        #expect(throws: SharpCamError.self) {
            try StudentCalibration.calibrated(w, frames: calibration, wideLayers: [3])
        }
        // Choosing by measurement: agreement grows with wide layer 0 (the one that needs it);
        // a reachable target takes the fewest layers, an unreachable one the best.
        let cal = try StudentCalibration.calibrated(w, frames: calibration)
        let choice = try StudentCalibration.chooseWideLayers(cal, frames: calibration)
        #expect(choice.agreement.count == 4 && choice.agreement[1] > 40)
        // It measures the scheme the key belongs to (6-bit weights), where each wide layer
        // changes the result, even on a CPU whose own set uses 8-bit weights and ignores the key.
        #expect(Set(choice.agreement.dropFirst()).count == 3, "\(choice.agreement)")
        #expect(try StudentCalibration.chooseWideLayers(cal, frames: calibration, target: 0).layers == [0])
        let best = (1...3).max { choice.agreement[$0] < choice.agreement[$1] }!
        #expect(
            try StudentCalibration.chooseWideLayers(cal, frames: calibration, target: 200).layers == Array(0..<best))
        if let k = (1...3).first(where: { choice.agreement[$0] >= 50 }) { #expect(choice.layers == Array(0..<k)) }
        // A cap measures only up to it and chooses within it.
        let capped = try StudentCalibration.chooseWideLayers(cal, frames: calibration, target: 200, maxLayers: 2)
        #expect(capped.agreement.count == 3 && capped.agreement[1] == choice.agreement[1])
        #expect(capped.layers == Array(0..<((1...2).max { choice.agreement[$0] < choice.agreement[$1] }!)))
        #expect(
            try StudentCalibration.chooseWideLayers(cal, frames: calibration, target: 200, maxLayers: 1).layers == [0])
        #expect(throws: SharpCamError.self) {
            try StudentCalibration.chooseWideLayers(cal, frames: calibration, maxLayers: 0)
        }
        #expect(throws: SharpCamError.self) { try StudentCalibration.chooseWideLayers(w, frames: calibration) }
    }

    @Test func unsupportedNetworksAndMissingCalibration() {
        #expect(throws: SharpCamError.self) {
            try FusedStudentEngine(
                weights: Weights.heInitialized(.student(widths: [8, 16]), seed: 1), precision: .fp32, maxWidth: 64,
                threads: 1)
        }
        #expect(throws: SharpCamError.self) {
            try FusedStudentEngine(
                weights: Weights.heInitialized(.teacher(widths: [4, 8]), seed: 1), precision: .fp32, maxWidth: 64,
                threads: 1)
        }
        #expect(throws: SharpCamError.self) {
            try FusedStudentEngine(
                weights: Weights.heInitialized(.student(widths: [12]), seed: 1), precision: .fp32, maxWidth: 64,
                threads: 1)
        }
        #expect(throws: SharpCamError.self) {
            try FusedStudentEngine(weights: Self.weights, precision: .int8, maxWidth: 64, threads: 1)
        }
    }

    static func shrink(_ f: Frame, _ width: Int) -> Frame {
        let h = f.height * width / f.width
        let out = Frame(format: FrameFormat(f.pixelFormat, width: width, height: h)!, colorSpace: f.colorSpace)
        try! FrameResizer(from: f.format, to: out.format, colorSpace: f.colorSpace).resize(f, into: out)
        return out
    }
}
