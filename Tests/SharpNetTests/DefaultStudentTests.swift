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
        // The real-time budget is 15 ms per 720p frame on 2 threads with the AVX2 set
        // (`sharpcam-bench network`, docs/BENCHMARKS.md). Its cost follows the MACs it runs, wide
        // layers twice: 2,808 → 9.2 ms and 3,456 → 11.5 ms on the development machine, so 4,000
        // (≈ 13.3 ms there) keeps a margin for slower AVX2 CPUs of the same clock.
        let graph = NetworkGraph(w.spec)
        let perLayer = graph.nodes.compactMap { n -> Double? in
            guard case .conv(_, let k) = n.op else { return nil }
            return Double(n.inChannels * n.channels * k * k) / Double(1 << (2 * n.scale))
        }
        let avx2 = graph.macsPerPixel + wide.map { perLayer[$0] }.reduce(0, +)
        #expect(perLayer.reduce(0, +) == graph.macsPerPixel, "\(perLayer) vs \(graph.macsPerPixel)")
        #expect(avx2 <= 4000, "the default student must stay ≤ 4,000 MAC/pixel on the AVX2 path, has \(avx2)")
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
