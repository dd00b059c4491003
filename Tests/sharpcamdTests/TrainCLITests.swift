import Foundation
import SharpFrames
import SharpMedia
import SharpNet
import SharpPipeline
import TestSupport
import Testing

/// `sharpcam-train train`, `--resume` and `eval` end to end on generated pictures.
@Suite struct TrainCLITests {
    let dir = TemporaryDirectory("traincli")
    var train: String { TestEnvironment.executable("sharpcam-train") }

    func writePhotos(_ folder: String, count: Int) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let source = SyntheticClipSource(width: 200, height: 150, frames: count * 10, blurSigma: 0)
        let frame = Frame(format: source.info.format, colorSpace: source.info.colorSpace)
        for i in 0..<(count * 10) {
            _ = try source.read(into: frame)
            if i % 10 == 0 { try writePNG(frame, "\(folder)/p\(i).png") }
        }
    }

    /// The shipped student's weights file.
    var builtin: URL {
        TestEnvironment.repositoryRoot.appendingPathComponent("Sources/CDefaultWeights/default-student.scw")
    }

    /// The methods of the first protocol in an `eval --report` folder's results.json.
    func reportMethods(_ report: String) throws -> [[String: Any]] {
        let json =
            try JSONSerialization.jsonObject(
                with: try Data(contentsOf: URL(fileURLWithPath: "\(report)/results.json"))) as? [String: Any]
        return ((json?["protocols"] as? [[String: Any]])?.first?["methods"] as? [[String: Any]]) ?? []
    }

    func writePNG(_ frame: Frame, _ path: String) throws {
        let rgb = Frame(format: frame.format.with(.rgb24))
        frame.convert(into: rgb)
        let w = try ImageWriter(path: path)
        try w.write(rgb)
        try w.finish()
    }

    @Test func trainResumeAndEvaluate() throws {
        try writePhotos(dir.file("train"), count: 3)
        try writePhotos(dir.file("val"), count: 1)
        let model = dir.file("s.scw")
        let common = [
            "train", "--arch", "student:8:c1:nomaps", "--data", dir.file("train"), "--val", dir.file("val"), "--out",
            model,
            "--steps", "6", "--batch", "4", "--crop", "32", "--validate-every", "3", "--quiet",
        ]
        var r = try ProcessRunner.run(train, common + ["--stop-after", "3"])
        #expect(r.status == 0 && r.stderr.contains("stopped at step 3 of 6"), "\(r.stderr)")
        #expect(
            FileManager.default.fileExists(atPath: model + ".checkpoint")
                && !FileManager.default.fileExists(atPath: model))
        r = try ProcessRunner.run(
            train,
            ["train", "--data", dir.file("train"), "--val", dir.file("val"), "--out", model, "--resume", "--quiet"])
        #expect(
            r.status == 0 && r.stderr.contains("resuming") && r.stderr.contains("wrote \(model) after 6 steps"),
            "\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", model])
        #expect(r.stdoutText.contains("meta trained: yes"), "\(r.stdoutText)")
        r = try ProcessRunner.run(
            train,
            ["eval", "--model", model, "--data", dir.file("val"), "--protocol", "p256", "--report", dir.file("report")])
        #expect(r.status == 0, "\(r.stderr)")
        for m in ["identity", "classic", "wiener", "model"] {
            #expect(r.stdoutText.contains("p256") && r.stdoutText.contains(m), "\(r.stdoutText)")
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("report")).sorted()
        #expect(
            files.contains("results.json") && files.contains("training-curve.svg")
                && files.contains { $0.hasPrefix("p256-") && $0.hasSuffix(".png") }, "\(files)")
        let svg = try String(contentsOfFile: dir.file("report/training-curve.svg"), encoding: .utf8)
        #expect(svg.contains("<polyline"))
        // report.md: provenance, the per-photo table against identity and Wiener, best/worst crops.
        let md = try String(contentsOfFile: dir.file("report/report.md"), encoding: .utf8)
        let facts = [
            "## p256 (1 photos)", "| photo | identity | Wiener", "model − Wiener", "teacher: none", "![best]",
            "- trained: 6 steps of 4 × 32², recipe `webcam`, lr ",
        ]
        for fact in facts {
            #expect(md.contains(fact), "\(fact) in \(md)")
        }
        #expect(files.contains { $0.hasPrefix("p256-best-") } && files.contains { $0.hasPrefix("p256-worst-") })

        // Distillation records which teacher the student came from (architecture, size, hash).
        let teacher = dir.file("t.scw")
        r = try ProcessRunner.run(train, ["init", "--arch", "teacher:4,8,16,32", "--out", teacher])
        #expect(r.status == 0, "\(r.stderr)")
        let distilled = dir.file("d.scw")
        r = try ProcessRunner.run(
            train,
            [
                "train", "--arch", "student:8:c1:nomaps", "--data", dir.file("train"), "--out", distilled, "--steps",
                "2",
                "--batch", "2", "--crop", "32", "--teacher", teacher, "--kd-weight", "0.5", "--quiet",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", distilled])
        #expect(
            r.stdoutText.contains("\"teacher\":\"teacher:4,8,16,32") && r.stdoutText.contains("fnv1a64"),
            "\(r.stdoutText)")

        // Behaviour over time only (--protocol none --temporal), with the built-in student.
        r = try ProcessRunner.run(
            train,
            [
                "eval", "--model", builtin.path, "--data", dir.file("val"), "--protocol", "none", "--temporal",
                "--max-images", "1", "--report", dir.file("temporal"),
            ])
        #expect(r.status == 0, "\(r.stderr)")
        for m in ["identity", "classic (unsharp mask)", "student  ", "student + temporal filter"] {
            #expect(r.stdoutText.contains(m), "\(m) in \(r.stdoutText)")
        }
        let json =
            try JSONSerialization.jsonObject(
                with: try Data(contentsOf: URL(fileURLWithPath: dir.file("temporal/temporal.json")))) as? [String: Any]
        let methods = json?["methods"] as? [[String: Any]] ?? []
        let filtered = methods.first { $0["method"] as? String == "student + temporal filter" } ?? [:]
        let plain = methods.first { $0["method"] as? String == "student" } ?? [:]
        let gain = filtered["static_noise_gain"] as? Double ?? 9, plainGain = plain["static_noise_gain"] as? Double ?? 0
        #expect(gain < 1 && gain < plainGain, "noise gain \(gain) with the filter, \(plainGain) without")
        #expect((filtered["motion_temporal_error_ratio"] as? Double ?? 9) < 0.95, "\(filtered)")
        // Each still frame is closer to the sharp photo with the filter (less noise in it).
        let framePSNR = filtered["static_frame_psnr"] as? Double ?? 0,
            plainFrame = plain["static_frame_psnr"] as? Double ?? 0
        #expect(framePSNR > plainFrame, "frame PSNR \(framePSNR) with the filter, \(plainFrame) without")
        #expect(methods.first { $0["method"] as? String == "identity" }?["static_noise_gain"] as? Double == 1)
    }

    /// `init --from`: the shipped student grown to 8 convolutions, then fine-tuned from it,
    /// quantised and run in int8; files that cannot grow are refused by name.
    @Test func growTheShippedStudent() throws {
        try writePhotos(dir.file("gtrain"), count: 2)
        let grown = dir.file("grown.scw")
        var r = try ProcessRunner.run(
            train, ["init", "--from", "builtin", "--arch", "student:24:c8:s4:maps", "--out", grown])
        #expect(r.status == 0 && r.stdoutText.contains("identity convolution(s) added"), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", grown])
        #expect(r.status == 0 && r.stdoutText.contains("8 convs/level"), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(
            train,
            [
                "train", "--arch", "student:24:c8:s4:maps", "--data", dir.file("gtrain"), "--out",
                dir.file("tuned.scw"),
                "--init", grown, "--steps", "2", "--batch", "2", "--crop", "32", "--lr", "1e-4", "--quiet",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        // 10 convolution layers (head, 8 hidden, tail): the fused engine runs it in int8
        r = try ProcessRunner.run(
            train, ["quantize", dir.file("tuned.scw"), "--data", dir.file("gtrain"), "--out", dir.file("tuned-q.scw")])
        #expect(r.status == 0 && r.stdoutText.contains("wrote"), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(
            train,
            [
                "eval", "--model", dir.file("tuned-q.scw"), "--data", dir.file("gtrain"), "--protocol", "p256",
                "--precision", "int8", "--pictures", "0",
            ])
        #expect(r.status == 0 && r.stdoutText.contains("model-int8"), "\(r.stdoutText)\(r.stderr)")
        // Wider grows (the added channels feed nothing the source computed); narrower cannot.
        r = try ProcessRunner.run(
            train, ["init", "--from", "builtin", "--arch", "student:32:c6:s4:maps", "--out", dir.file("wide.scw")])
        #expect(
            r.status == 0 && r.stdoutText.contains("8 channel(s) added per convolution"), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(
            train, ["init", "--from", "builtin", "--arch", "student:16:c8:s4:maps", "--out", dir.file("narrow.scw")])
        #expect(
            r.status == 1 && r.stderr.contains("cannot grow builtin") && r.stderr.contains("narrower"), "\(r.stderr)")
        r = try ProcessRunner.run(
            train, ["init", "--from", dir.file("missing.scw"), "--arch", "student:24:c8:s4:maps", "--out", grown])
        #expect(r.status == 1 && r.stderr.contains("missing.scw"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("narrow.scw")))
        // A student that corrects chroma too: grown, fine-tuned and scored in float; the
        // real-time engine (int8, sharpcamd) refuses it by name.
        let colour = dir.file("colour.scw")
        r = try ProcessRunner.run(
            train, ["init", "--from", "builtin", "--arch", "student:24:c6:s4:maps:chroma", "--out", colour])
        #expect(r.status == 0 && r.stdoutText.contains("Cb and Cr added"), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", colour])
        #expect(r.stdoutText.contains("output:       luma and chroma (Y, Cb, Cr)"), "\(r.stdoutText)")
        r = try ProcessRunner.run(
            train,
            [
                "train", "--arch", "student:24:c6:s4:maps:chroma", "--data", dir.file("gtrain"), "--out",
                dir.file("colour-tuned.scw"), "--init", colour, "--steps", "2", "--batch", "2", "--crop", "32",
                "--quantized-luma", "--quiet",
            ])
        #expect(r.status == 0, "\(r.stderr)")
        r = try ProcessRunner.run(
            train,
            [
                "eval", "--model", dir.file("colour-tuned.scw"), "--data", dir.file("gtrain"), "--protocol", "p256",
                "--components", "--pictures", "0",
            ])
        #expect(r.status == 0 && r.stdoutText.contains("model "), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(
            train,
            [
                "eval", "--model", dir.file("colour-tuned.scw"), "--data", dir.file("gtrain"), "--protocol", "p256",
                "--precision", "int8",
            ])
        #expect(r.status == 1 && r.stderr.contains("colour-tuned.scw") && r.stderr.contains("luma students"))
        // sharpcamd runs it on the reference engine (not real time), YUV clips included.
        let clip = dir.file("colour.y4m")
        try Fixtures.clip(clip, width: 33, height: 19, frames: 2)
        r = try ProcessRunner.run(
            TestEnvironment.executable("sharpcamd"),
            ["--input", clip, "--output", dir.file("colour-out.y4m"), "--model", dir.file("colour-tuned.scw")])
        #expect(r.status == 0 && r.stderr.contains("reference fp32"), "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("colour-out.y4m")).width == 33)
    }

    /// `eval --int8-as`: int8 as each kernel set computes it, on any CPU (sets it lacks run on the
    /// portable kernels with their weight scheme). The row of this CPU's own set is exactly the
    /// `model-int8` row; 6-bit (AVX2) and 8-bit (VNNI) weights score differently; unknown sets
    /// are refused by name.
    @Test func int8AsEveryKernelSet() throws {
        try writePhotos(dir.file("isa"), count: 1)
        var r = try ProcessRunner.run(
            train,
            [
                "eval", "--model", builtin.path, "--data", dir.file("isa"), "--protocol", "p256", "--precision", "int8",
                "--int8-as", "avx2,avxvnni,avx512vnni", "--pictures", "0", "--report", dir.file("isa-report"),
            ])
        #expect(r.status == 0, "\(r.stderr)")
        let methods = try reportMethods(dir.file("isa-report"))
        func psnr(_ name: String) -> Double? {
            (methods.first { $0["method"] as? String == name }?["mean"] as? [String: Any])?["psnr"] as? Double
        }
        let own = KernelISA.automatic == .portable ? KernelISA.avx2 : KernelISA.automatic
        let names = methods.compactMap { $0["method"] as? String }
        print("eval --int8-as on \(KernelISA.automatic): \(names.map { "\($0) \(psnr($0) ?? 0)" })")
        #expect(psnr("model-int8") != nil && psnr("model-int8-\(own.rawValue)") == psnr("model-int8"), "\(methods)")
        let six = try #require(psnr("model-int8-avx2")), eight = try #require(psnr("model-int8-avx512vnni"))
        #expect(psnr("model-int8-avxvnni") != nil && six != eight)
        #expect(abs(six - eight) < 0.5, "\(six) vs \(eight)")
        r = try ProcessRunner.run(
            train,
            ["eval", "--model", builtin.path, "--data", dir.file("isa"), "--protocol", "p256", "--int8-as", "sse4"])
        #expect(r.status != 0 && r.stderr.contains("unknown kernel set 'sse4'"), "\(r.stderr)")
    }

    /// `eval --components`: the console table, results.json and report.md carry the luma/chroma
    /// split of every method and the model's score with Wiener's chroma.
    @Test func componentsSplitLumaAndChroma() throws {
        try writePhotos(dir.file("parts"), count: 1)
        let r = try ProcessRunner.run(
            train,
            [
                "eval", "--model", builtin.path, "--data", dir.file("parts"), "--protocol", "p256", "--components",
                "--pictures", "0", "--report", dir.file("parts-report"),
            ])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdoutText.contains("CbCr dB") && r.stdoutText.contains("Wiener chroma"), "\(r.stdoutText)")
        let methods = try reportMethods(dir.file("parts-report"))
        let model = try #require(methods.first { $0["method"] as? String == "model" })
        let mean = try #require(model["mean"] as? [String: Any])
        let parts = try #require(mean["components"] as? [String: Double], "\(model)")
        let psnr = try #require(mean["psnr"] as? Double)
        #expect(parts["referenceChroma"]! > psnr && parts["luma"] != nil && parts["chroma"] != nil, "\(parts)")
        #expect(model["wienerChroma"] as? Double != nil, "\(model)")
        let report = try String(contentsOfFile: dir.file("parts-report/report.md"), encoding: .utf8)
        #expect(report.contains("| method | PSNR | Y | CbCr | with the reference's chroma | with Wiener's chroma |"))
    }

    @Test func trainingErrors() throws {
        var r = try ProcessRunner.run(
            train,
            ["train", "--arch", "student", "--data", dir.file("none"), "--out", dir.file("x.scw"), "--steps", "1"])
        #expect(r.status == 1 && r.stderr.contains("none: cannot list the folder"), "\(r.stderr)")
        try writePhotos(dir.file("p"), count: 1)
        r = try ProcessRunner.run(
            train, ["train", "--arch", "student", "--data", dir.file("p"), "--out", dir.file("x.scw"), "--crop", "33"])
        #expect(r.status == 1 && r.stderr.contains("multiple of 2"), "\(r.stderr)")
        r = try ProcessRunner.run(train, ["train", "--data", dir.file("p"), "--out", dir.file("x.scw"), "--resume"])
        #expect(r.status == 1 && r.stderr.contains("x.scw.checkpoint: no such file"), "\(r.stderr)")
    }
}
