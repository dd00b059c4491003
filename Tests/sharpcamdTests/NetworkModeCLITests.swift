import Foundation
import TestSupport
import Testing

/// `sharpcam-train init/inspect/export-onnx` and `sharpcamd --mode nn --model` end to end.
@Suite struct NetworkModeCLITests {
    let dir = TemporaryDirectory("nncli")
    var train: String { TestEnvironment.executable("sharpcam-train") }
    var daemon: String { TestEnvironment.executable("sharpcamd") }

    @Test func initInspectExportAndRun() throws {
        let model = dir.file("s.scw")
        var r = try ProcessRunner.run(train, ["init", "--arch", "student:8:c1:maps", "--out", model, "--seed", "4"])
        #expect(r.status == 0, "\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", model])
        #expect(
            r.status == 0 && r.stdoutText.contains("MACs/pixel:   288") && r.stdoutText.contains("meta trained: no"),
            "\(r.stdoutText)")
        r = try ProcessRunner.run(train, ["inspect", "--arch", "seed-unet"])
        #expect(r.stdoutText.contains("MACs/pixel:   141312") && r.stdoutText.contains("parameters:   1926243"))
        r = try ProcessRunner.run(train, ["export-onnx", model, dir.file("s.onnx")])
        #expect(r.status == 0 && FileManager.default.fileExists(atPath: dir.file("s.onnx")), "\(r.stderr)")

        let photo = try TestEnvironment.photo("skimage_coffee")
        r = try ProcessRunner.run(
            daemon, ["--input", photo, "--output", dir.file("nn.png"), "--model", model, "--size", "64x43", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("nn.png")).width == 64)
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 33, height: 19, frames: 3)
        r = try ProcessRunner.run(
            daemon, ["--input", clip, "--output", dir.file("nn.y4m"), "--mode", "nn", "--model", model, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("nn.y4m")).frames == 3)
    }

    /// With no flags, pictures and videos go through the student compiled into the binary; the
    /// same weights from the committed file give the same bytes.
    @Test func defaultModeRunsTheBuiltInStudent() throws {
        // A blurred picture (the student leaves sharp ones as they are: ≥ 40 dB on `clean`).
        let photo = dir.file("blurred.png")
        try ProcessRunner.check(
            "ffmpeg",
            [
                "-v", "error", "-y", "-i", try TestEnvironment.photo("skimage_coffee"),
                "-vf", "scale=160:106:flags=area,gblur=sigma=1.5", photo,
            ])
        let shipped = TestEnvironment.shippedStudent
        for (name, extra) in [
            ("default", [String]()), ("builtin", ["--mode", "nn", "--model", "builtin"]),
            ("file", ["--model", shipped]),
            ("bypass", ["--mode", "bypass"]),
        ] {
            let r = try ProcessRunner.run(
                daemon, ["--input", photo, "--output", dir.file("\(name).png"), "--size", "160x106", "--quiet"] + extra)
            #expect(r.status == 0, "\(name): \(r.stderr)")
        }
        let out = try ["default", "builtin", "file", "bypass"].map {
            try #require(FileManager.default.contents(atPath: dir.file("\($0).png")))
        }
        #expect(out[0] == out[1] && out[0] == out[2], "the default must be the built-in student")
        #expect(out[0] != out[3], "the network must change the picture")
    }

    @Test func badModelsAndOptions() throws {
        let junk = dir.file("junk.scw")
        try writeFile(junk, Data("hello".utf8))
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 16, height: 16, frames: 1)
        var r = try ProcessRunner.run(daemon, ["--input", clip, "--output", dir.file("o.y4m"), "--model", junk])
        #expect(r.status == 1 && r.stderr.contains("\(junk): not a SharpCam weights file"), "\(r.stderr)")
        r = try ProcessRunner.run(
            daemon, ["--input", clip, "--output", dir.file("o.y4m"), "--mode", "classic", "--model", junk])
        #expect(r.status == 64 && r.stderr.contains("--model is only used with --mode nn"), "\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", dir.file("missing.scw")])
        #expect(r.status == 1 && r.stderr.contains("missing.scw: no such file"), "\(r.stderr)")
        r = try ProcessRunner.run(train, ["init", "--arch", "student:0", "--out", dir.file("x.scw")])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(!dir.contents.contains("o.y4m") && !dir.contents.contains("x.scw"))
    }
}

/// `sharpcam-train quantize` and `sharpcamd --precision`.
@Suite struct PrecisionCLITests {
    let dir = TemporaryDirectory("prec")
    var train: String { TestEnvironment.executable("sharpcam-train") }
    var daemon: String { TestEnvironment.executable("sharpcamd") }

    @Test func quantizeThenRunEveryPrecision() throws {
        let model = dir.file("s.scw")
        try ProcessRunner.check(train, ["init", "--arch", "student:8:c2:nomaps", "--out", model])
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 64, height: 36, frames: 2)
        var r = try ProcessRunner.run(
            daemon,
            ["--input", clip, "--output", dir.file("o.y4m"), "--model", model, "--precision", "int8", "--quiet"])
        #expect(r.status == 1 && r.stderr.contains("int8 needs activation scales"), "\(r.stderr)")
        try FileManager.default.createDirectory(atPath: dir.file("photos"), withIntermediateDirectories: true)
        for name in ["skimage_coffee", "lomiri16_fig"] {
            try FileManager.default.createSymbolicLink(
                atPath: dir.file("photos/\(name).png"), withDestinationPath: try TestEnvironment.photo(name))
        }
        r = try ProcessRunner.run(train, ["quantize", model, "--data", dir.file("photos"), "--out", dir.file("q.scw")])
        #expect(r.status == 0 && r.stdoutText.contains("int8 activation scales from 4 frames"), "\(r.stderr)")
        #expect(r.stdoutText.contains("deployment form"), "\(r.stdoutText)")
        // --wide-layers auto (default) measures int8 against fp32 per number of wide layers.
        #expect(
            r.stdoutText.contains("int8 against fp32 on the calibration frames with wide layers 0..<1: ")
                && r.stdoutText.contains("0..<2: ") && r.stdoutText.contains("wide int8 weights in layers 0"),
            "\(r.stdoutText)")
        // --max-wide-layers bounds what auto measures and picks.
        r = try ProcessRunner.run(
            train,
            ["quantize", model, "--data", dir.file("photos"), "--out", dir.file("q-one.scw"), "--max-wide-layers", "1"])
        #expect(
            r.status == 0 && r.stdoutText.contains("with wide layers 0..<1: ") && !r.stdoutText.contains("0..<2: ")
                && r.stdoutText.contains("wide int8 weights in layers 0\n"), "\(r.stdoutText)\(r.stderr)")
        r = try ProcessRunner.run(
            train,
            [
                "quantize", model, "--data", dir.file("photos"), "--out", dir.file("q-zero.scw"), "--max-wide-layers",
                "0",
            ])
        #expect(r.status == 1 && r.stderr.contains("--max-wide-layers: expected 1 or more"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("q-zero.scw")))
        r = try ProcessRunner.run(
            train,
            [
                "quantize", model, "--data", dir.file("photos"), "--out", dir.file("q-narrow.scw"), "--wide-layers",
                "none",
            ])
        #expect(
            r.status == 0 && r.stdoutText.contains("wide int8 weights in layers none"), "\(r.stdoutText)\(r.stderr)")
        for bad in ["5", "first"] {
            r = try ProcessRunner.run(
                train,
                ["quantize", model, "--data", dir.file("photos"), "--out", dir.file("q-bad.scw"), "--wide-layers", bad])
            #expect(
                r.status == 1 && r.stderr.contains(bad == "5" ? "wide layer 5 is not a hidden layer" : "--wide-layers"),
                "\(bad): \(r.stderr)")
            #expect(!FileManager.default.fileExists(atPath: dir.file("q-bad.scw")))
        }
        r = try ProcessRunner.run(train, ["inspect", dir.file("q.scw")])
        #expect(r.stdoutText.contains("deployment form") && !r.stdoutText.contains("training form"), "\(r.stdoutText)")
        for p in ["fp32", "fp16", "int8"] {
            r = try ProcessRunner.run(
                daemon,
                ["--input", clip, "--output", dir.file("o-\(p).y4m"), "--model", dir.file("q.scw"), "--precision", p])
            #expect(r.status == 0 && r.stderr.contains(p), "\(p): \(r.stderr)")
        }
        // The precisions agree closely on the same frames.
        let a = [UInt8](try Fixtures.decode(dir.file("o-fp32.y4m"), pixelFormat: "gray")),
            b = [UInt8](try Fixtures.decode(dir.file("o-int8.y4m"), pixelFormat: "gray"))
        #expect(TestFrames.psnr(a, b) > 40)
    }
}
