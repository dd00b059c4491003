import Foundation
import SharpNet
import SharpTraining
import TestSupport
import Testing

/// The student compiled into the binaries, scored on real photos through the real-time engine
/// (what `sharpcamd` runs). The full validation table is in docs/TRAINING.md; these are
/// the regressions a changed kernel or re-embedded model must not cause.
@Suite(.serialized) struct ShippedStudentTests {
    let photos: [(name: String, image: RGBImage)]

    init() throws {
        photos = try TestEnvironment.standardPhotos.map {
            ($0, try RGBImage(contentsOf: try TestEnvironment.photo($0)))
        }
    }

    /// int8 (the default) loses at most 0.15 dB against fp32 on the p256 protocol with the AVX2
    /// scheme (6-bit weights, wide layers 0 and 1) and at most 0.08 dB with the VNNI schemes
    /// (full 8-bit weights), on every kernel set: a set this CPU lacks runs on the portable
    /// kernels with its weight scheme, which computes its int8 output bit for bit. Measured for
    /// the 6-conv student: avx2 0.13, avxvnni 0.063, avx512vnni 0.066 (the 4-conv one lost
    /// 0.054 / 0.040 / 0.028).
    @Test func int8LosesAtMostATenthAndAHalfOfADecibel() throws {
        let w = try DefaultStudent.load()
        var methods: [Evaluation.Method] = [try .fused(w, precision: .fp32, name: "fp32")]
        let sets = KernelISA.allCases.filter { $0 != .portable }
        for isa in sets {
            methods.append(try .int8(w, as: isa, name: "int8-\(isa.rawValue)"))
        }
        let r = Evaluation.run(.p256, photos: photos, methods: methods)
        let psnr = Dictionary(uniqueKeysWithValues: r.methods.map { ($0.method, $0.mean.psnr) })
        #expect(r.images == photos.count)
        for isa in sets {
            let int8 = psnr["int8-\(isa.rawValue)"]!, bound = isa == .avx2 ? 0.15 : 0.08
            print(
                "p256 \(isa)\(isa.isSupported ? "" : " (portable kernels)"): fp32 \(psnr["fp32"]!) dB, int8 \(int8) dB")
            #expect(psnr["fp32"]! - int8 <= bound, "\(isa): fp32 \(psnr["fp32"]!) dB, int8 \(int8) dB")
            // and the network does its job: far above the blurred input
            #expect(int8 > psnr["identity"]! + 1, "\(psnr)")
        }
    }

    /// Sharp frames stay untouched: ≥ 40 dB against the input.
    @Test func cleanFramesAreNotDamaged() throws {
        let w = try DefaultStudent.load()
        let r = Evaluation.run(.clean, photos: photos, methods: [try .fused(w, precision: .int8, name: "int8")])
        let int8 = try #require(r.methods.first { $0.method == "int8" })
        #expect(int8.mean.psnr >= 40, "\(int8.mean.psnr) dB")
    }

    /// Do no harm to pictures the camera already sharpened: no extra halos at step edges
    /// (≤ 0.5 level over the input's), ≥ 40 dB against sharpened and over-sharpened input; and
    /// a gain on the video-call protocol (webcam chain + H.264).
    @Test func sharpenedInputCallsAndHalos() throws {
        let w = try DefaultStudent.load()
        let student = try Evaluation.Method.fused(w, precision: .int8, name: "int8")
        for row in HaloMeasure.run([student]) where row.method == "int8" {
            #expect(row.extra <= 0.5, "\(row.input): \(row.overshoot) levels, extra \(row.extra)")
        }
        for p in [EvaluationProtocol.sharpened, .oversharpened] {
            let r = Evaluation.run(p, photos: photos, methods: [student])
            let int8 = try #require(r.methods.first { $0.method == "int8" })
            #expect(int8.mean.psnr >= 40, "\(p): \(int8.mean.psnr) dB")
        }
        let call = Evaluation.run(.call, photos: photos, methods: [student])
        let psnr = Dictionary(uniqueKeysWithValues: call.methods.map { ($0.method, $0.mean.psnr) })
        #expect(call.images == photos.count && psnr["int8"]! > psnr["identity"]! + 0.2, "\(psnr)")
    }
}
