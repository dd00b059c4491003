import Foundation
import SharpFrames
import SharpNet
import TestSupport
import Testing

/// The student compiled into the binaries (`DefaultStudent`, `Sources/CDefaultWeights`).
@Suite struct DefaultStudentTests {
    @Test func embeddedBytesAreTheCommittedWeightsFile() throws {
        let path = TestEnvironment.shippedStudent
        let file = try #require(FileManager.default.contents(atPath: path), "missing \(path)")
        // scripts/embed-weights.sh regenerates the C array from this file: they must not drift apart
        #expect(
            DefaultStudent.bytes == [UInt8](file), "default_student.c is stale: run scripts/embed-weights.sh \(path)")
    }

    @Test func shippedModelIsATrainedCalibratedRealTimeStudent() throws {
        let w = try DefaultStudent.load()
        #expect(w.spec.kind == .student)
        #expect(!w.spec.reparameterizable, "shipped in deployment form")
        #expect(w.metadata["trained"] == "yes", "\(w.metadata["trained"] ?? "nil")")
        #expect(w.metadata[FusedStudentEngine.activationScalesKey] != nil, "int8 needs calibrated activation scales")
        // quantize chose its wide int8 layers (the AVX2 scheme) by measurement (the first layer
        // always needs them); the VNNI scheme needs none
        let wide = try FusedStudentEngine(
            weights: w, precision: .int8, maxWidth: 64, threads: 1, isa: .portable, int8Weights: .sixBitWide
        ).wideLayers
        #expect(w.metadata[FusedStudentEngine.wideLayersKey] != nil && wide.first == 0, "\(wide)")
        let macs = NetworkGraph(w.spec).macsPerPixel
        #expect(macs <= 2000, "the default student must stay ≤ 2 K MAC/pixel, has \(macs)")
        // the real-time engine accepts it at every precision
        for p in FusedStudentEngine.Precision.allCases {
            _ = try FusedStudentEngine(weights: w, precision: p, maxWidth: 1280, threads: 1)
        }
    }

    @Test func builtInNames() {
        #expect(DefaultStudent.isBuiltIn(nil) && DefaultStudent.isBuiltIn("") && DefaultStudent.isBuiltIn("builtin"))
        #expect(!DefaultStudent.isBuiltIn("builtin.scw") && !DefaultStudent.isBuiltIn("/etc/sharpcam/x.scw"))
    }

    @Test func corruptedEmbeddedBytesAreRefused() {
        var bytes = DefaultStudent.bytes
        bytes[bytes.count / 2] ^= 0x40
        #expect(throws: WeightsFileError.self) { try WeightsFile.decode(bytes, path: "(built-in default student)") }
    }
}
