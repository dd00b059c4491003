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
        #expect(r.status == 0 && r.stdoutText.contains("MACs/pixel:   288") && r.stdoutText.contains("meta trained: no"), "\(r.stdoutText)")
        r = try ProcessRunner.run(train, ["inspect", "--arch", "seed-unet"])
        #expect(r.stdoutText.contains("MACs/pixel:   141312") && r.stdoutText.contains("parameters:   1926243"))
        r = try ProcessRunner.run(train, ["export-onnx", model, dir.file("s.onnx")])
        #expect(r.status == 0 && FileManager.default.fileExists(atPath: dir.file("s.onnx")), "\(r.stderr)")

        let photo = try TestEnvironment.photo("skimage_coffee")
        r = try ProcessRunner.run(daemon, ["--input", photo, "--output", dir.file("nn.png"), "--model", model, "--size", "64x43", "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("nn.png")).width == 64)
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 33, height: 19, frames: 3)
        r = try ProcessRunner.run(daemon, ["--input", clip, "--output", dir.file("nn.y4m"), "--mode", "nn", "--model", model, "--quiet"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Fixtures.probe(dir.file("nn.y4m")).frames == 3)
    }

    @Test func badModelsAndOptions() throws {
        let junk = dir.file("junk.scw")
        try writeFile(junk, Data("hello".utf8))
        let clip = dir.file("c.y4m")
        try Fixtures.clip(clip, width: 16, height: 16, frames: 1)
        var r = try ProcessRunner.run(daemon, ["--input", clip, "--output", dir.file("o.y4m"), "--model", junk])
        #expect(r.status == 1 && r.stderr.contains("\(junk): not a SharpCam weights file"), "\(r.stderr)")
        r = try ProcessRunner.run(daemon, ["--input", clip, "--output", dir.file("o.y4m"), "--mode", "nn"])
        #expect(r.status == 64 && r.stderr.contains("--mode nn needs --model"), "\(r.stderr)")
        r = try ProcessRunner.run(train, ["inspect", dir.file("missing.scw")])
        #expect(r.status == 1 && r.stderr.contains("missing.scw: no such file"), "\(r.stderr)")
        r = try ProcessRunner.run(train, ["init", "--arch", "student:0", "--out", dir.file("x.scw")])
        #expect(r.status == 64, "\(r.stderr)")
        #expect(!dir.contents.contains("o.y4m") && !dir.contents.contains("x.scw"))
    }
}
