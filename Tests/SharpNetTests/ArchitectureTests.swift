import Foundation
import SharpNet
import Testing

@Suite struct ArchitectureTests {
    @Test func seedUNetCostsMatchTheSeed() {
        let g = NetworkGraph(.seedUNet)
        #expect(g.macsPerPixel == 141_312)
        #expect(g.parameterCount == 1_926_243)
        #expect(ArchitectureSpec.seedUNet.stride == 8 && ArchitectureSpec.seedUNet.inputChannels == 5)
        // Per level two 3×3 convs with InstanceNorm; 3 pools, 3 transposed convs, 1×1 out + Tanh.
        let ops = g.nodes.map(\.op)
        #expect(ops.filter { if case .instanceNorm = $0 { return true } else { return false } }.count == 14)
        #expect(ops.filter { $0 == .maxPool2x2 }.count == 3 && ops.last == .tanh)
    }

    @Test func teacherIsTheSeedWithoutNormWithResidual() {
        let g = NetworkGraph(.teacher())
        #expect(g.macsPerPixel == 141_312)
        #expect(!g.nodes.contains { $0.op == .instanceNorm || $0.op == .tanh })
        #expect(g.nodes.last!.op == .add && g.nodes[g.nodes.last!.inputs[0]].op == .slice(0..<3))
    }

    @Test func studentCostsAndStride() {
        let s = ArchitectureSpec.student(widths: [16], convsPerLevel: 3)
        // Luma only, at half resolution: 4→16, 16→16, 16→16 and 16→4 3×3 convs.
        #expect(NetworkGraph(s.collapsed).macsPerPixel == Double(4 * 16 * 9 + 2 * 16 * 16 * 9 + 16 * 4 * 9) / 4)
        #expect(s.stride == 2 && ArchitectureSpec.student(widths: [16, 32]).stride == 4)
        #expect(NetworkGraph(.student(usesMaps: true)).nodes[1].channels == 12)
        // Space-to-depth ×4: 16 luma samples per position at quarter resolution, 16 outputs.
        let s4 = ArchitectureSpec.student(widths: [32], convsPerLevel: 3, reparameterizable: false, unshuffle: 4)
        #expect(NetworkGraph(s4).macsPerPixel == Double(16 * 32 * 9 + 2 * 32 * 32 * 9 + 32 * 16 * 9) / 16)
        #expect(s4.stride == 4 && NetworkGraph(s4).nodes[1].channels == 16 && NetworkGraph(s4).nodes[1].scale == 2)
        // The training form has the same cost once collapsed and more parameters.
        #expect(NetworkGraph(s).parameterCount > NetworkGraph(s.collapsed).parameterCount)
    }

    /// Weights files written before the space-to-depth size existed read as ×2.
    @Test func oldDescriptionsDecodeAsSpaceToDepth2() throws {
        let old = #"{"kind":"student","widths":[16],"convsPerLevel":3,"usesMaps":false,"reparameterizable":true}"#
        let spec = try JSONDecoder().decode(ArchitectureSpec.self, from: Data(old.utf8))
        #expect(spec == .student(widths: [16], convsPerLevel: 3) && spec.unshuffle == 2)
        let s4 = ArchitectureSpec.student(unshuffle: 4)
        #expect(try JSONDecoder().decode(ArchitectureSpec.self, from: JSONEncoder().encode(s4)) == s4)
    }

    @Test func commandLineFormRoundTrips() throws {
        for text in [
            "seed-unet", "teacher:16,32,64,128", "student:16:c3:nomaps", "student:12,24:c1:maps:plain",
            "student:32:c3:s4:nomaps",
        ] {
            let spec = try #require(ArchitectureSpec(argument: text))
            #expect(spec.argument == text)
        }
        for bad in [
            "unet", "student:0", "student:16:c0", "teacher:nomaps", "seed-unet:16", "student:1,2,3,4", "student:16:zz",
            "student:16:s3", "teacher:16:s4",
        ] {
            #expect(ArchitectureSpec(argument: bad) == nil, "\(bad)")
        }
    }
}
