import Foundation
import SharpNet
import SharpSupport
import TestSupport
import Testing

@Suite struct WeightsFileTests {
    let dir = TemporaryDirectory("weights")
    let weights = Weights.heInitialized(.student(widths: [8], convsPerLevel: 1), seed: 3)

    @Test func fp32RoundTripIsExactAndFP16IsClose() throws {
        let path = dir.file("a.scw")
        try WeightsFile.write(weights, to: path)
        #expect(try WeightsFile.load(path) == weights)
        try WeightsFile.write(weights, to: path, dataType: .f16)
        let half = try WeightsFile.load(path)
        for (name, t) in weights.tensors {
            let h = half[name]!
            for i in t.data.indices { #expect(abs(h.data[i] - t.data[i]) <= abs(t.data[i]) * 1e-3 + 1e-7, "\(name)") }
        }
        #expect(half.metadata == weights.metadata)
    }

    func expectFailure(
        _ bytes: [UInt8], _ kind: WeightsFileError.Kind, _ text: String, expecting: ArchitectureKind? = nil,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let path = dir.file("bad.scw")
        try writeFile(path, Data(bytes))
        do {
            _ = try WeightsFile.load(path, expecting: expecting)
            Issue.record("accepted a bad file (\(text))", sourceLocation: sourceLocation)
        } catch let e as WeightsFileError {
            #expect(
                e.kind == kind && e.path == path && e.problem.contains(text), "\(e)", sourceLocation: sourceLocation)
        }
    }

    /// Re-seals edited bytes with a valid checksum, so the test reaches the later checks.
    func resealed(_ b: [UInt8]) -> [UInt8] {
        var body = Array(b[0..<(b.count - 8)])
        let crc = CRC32.checksum(body)
        body += [UInt8(crc & 0xFF), UInt8((crc >> 8) & 0xFF), UInt8((crc >> 16) & 0xFF), UInt8(crc >> 24)]
        return body + Array("SCWE".utf8)
    }

    func header(_ b: [UInt8]) -> (range: Range<Int>, text: String) {
        let n = Int(b[12]) | Int(b[13]) << 8 | Int(b[14]) << 16 | Int(b[15]) << 24
        return (16..<(16 + n), String(decoding: b[16..<(16 + n)], as: UTF8.self))
    }

    /// The header rewritten as `edit` says, padded to the same length (spaces are valid JSON).
    func editedHeader(_ b: [UInt8], _ edit: (String) -> String) -> [UInt8] {
        let (range, text) = header(b)
        var new = Array(edit(text).utf8)
        precondition(new.count <= range.count, "edit must not grow the header")
        new += [UInt8](repeating: 0x20, count: range.count - new.count)
        var out = b
        out.replaceSubrange(range, with: new)
        return resealed(out)
    }

    @Test func everyFailureModeHasAClearError() throws {
        let good = try WeightsFile.encode(weights)
        try expectFailure([], .notWeights, "empty file")
        try expectFailure(Array("PNG....not weights at all".utf8), .notWeights, "not a SharpCam weights file")
        for cut in [20, good.count / 2, good.count - 1] {
            try expectFailure(Array(good.prefix(cut)), .truncated, "truncated")
        }
        var flipped = good
        flipped[good.count / 2] ^= 0x40
        try expectFailure(flipped, .corrupt, "checksum mismatch")
        var version = good
        version[8] = 2
        try expectFailure(resealed(version), .unsupportedVersion, "format version 2 is not supported")
        try expectFailure(
            editedHeader(good) { $0.replacingOccurrences(of: "{\"architecture\"", with: "[\"architecture\"") },
            .corrupt, "unreadable header")
        try expectFailure(
            editedHeader(good) { $0.replacingOccurrences(of: "\"widths\":[8]", with: "\"widths\":[9]") },
            .wrongArchitecture, "has shape")
        try expectFailure(
            editedHeader(good) { $0.replacingOccurrences(of: "\"widths\":[8]", with: "\"widths\":[0]") },
            .wrongArchitecture, "invalid architecture")
        try expectFailure(
            editedHeader(good) { $0.replacingOccurrences(of: "out.k3.bias", with: "out.k3.bia_") }, .wrongArchitecture,
            "missing tensor 'out.k3.bias'")
        try expectFailure(good, .wrongArchitecture, "holds a student network, expected teacher", expecting: .teacher)
        // A NaN in the data (with a valid checksum) is refused too.
        var nan = good
        let firstData = (16 + header(good).range.count + 15) / 16 * 16
        nan.replaceSubrange(firstData..<(firstData + 4), with: [0x00, 0x00, 0xC0, 0x7F])
        try expectFailure(resealed(nan), .wrongArchitecture, "non-finite value")
        // A length that points past the data.
        try expectFailure(
            editedHeader(good) { $0.replacingOccurrences(of: "\"length\":32,", with: "\"length\":64,") }, .corrupt,
            "inconsistent entry")
    }

    @Test func missingFileAndDirectory() throws {
        #expect(throws: WeightsFileError(.notFound, path: dir.file("none.scw"), "no such file")) {
            try WeightsFile.load(dir.file("none.scw"))
        }
        #expect(throws: WeightsFileError.self) { try WeightsFile.write(weights, to: dir.file("no/such/dir.scw")) }
    }

    @Test func crc32MatchesZlib() {
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum([UInt8]()) == 0)
    }
}

/// Untrusted weights files: sizes that overflow, absurd values and scales are clear errors
/// (they crashed `sharpcamd`, `inspect` and `eval`, or made int8 silently do nothing).
@Suite struct WeightsFileHostileTests {
    @Test func overflowingShapesAndOffsetsAreCorrupt() throws {
        for bytes in [WeightsFileTestBytes.overflowingShape(), WeightsFileTestBytes.overflowingOffset()] {
            do {
                _ = try WeightsFile.decode(bytes, path: "evil.scw")
                Issue.record("accepted")
            } catch let e as WeightsFileError {
                #expect(e.kind == .corrupt && e.description.hasPrefix("evil.scw: tensor"), "\(e)")
            }
        }
        // The edit itself keeps a valid container: the unedited round trip loads.
        _ = try WeightsFile.decode(WeightsFileTestBytes.editingHeader { _ in }, path: "same.scw")
    }

    @Test func hugeWeightsAreRefused() throws {
        var w = Weights.heInitialized(.student(widths: [8]), seed: 1)
        let name = w.tensors.keys.sorted()[0]
        w[name]!.data[0] = 3e30
        #expect(throws: WeightsFileError.self) { try WeightsFile.decode(try WeightsFile.encode(w), path: "huge.scw") }
        w[name]!.data[0] = 9_000
        _ = try WeightsFile.decode(try WeightsFile.encode(w), path: "large-but-sane.scw")
    }

    @Test func absurdActivationScalesAreRefused() throws {
        let model = try DefaultStudent.load()
        let json = model.metadata[FusedStudentEngine.activationScalesKey]!
        for absurd in ["1e38", "1e-30", "0"] {
            let scales = try JSONDecoder().decode([[Float]].self, from: Data(json.utf8))
            let edited = scales.enumerated().map { k, layer in k == 0 ? [Float(absurd)!] + layer.dropFirst() : layer }
            var w = model
            w.metadata[FusedStudentEngine.activationScalesKey] = String(
                decoding: try JSONEncoder().encode(edited), as: UTF8.self)
            #expect(throws: SharpCamError.self, "\(absurd)") {
                try FusedStudentEngine(weights: w, precision: .int8, maxWidth: 64, threads: 1)
            }
            #expect(throws: SharpCamError.self) { try FusedStudentEngine.validate(weights: w, precision: .int8) }
        }
    }
}
