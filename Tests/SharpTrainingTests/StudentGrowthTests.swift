import Foundation
import SharpNet
import SharpSupport
import Testing

@testable import SharpTraining

@Suite struct StudentGrowthTests {
    /// A random [C, 48, 64] input in the student's range (luma, edge and mask in [0, 1]).
    static func input(channels c: Int, seed: UInt64) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: [c, 48, 64], data: (0..<(c * 48 * 64)).map { _ in Float(rng.uniform()) })
    }

    /// `arch` after `steps` steps of the trainer tests' small recipe (its seed unless `seed` is
    /// given), from `initial` (named `name`) or from He initialisation.
    static func trained(
        _ arch: ArchitectureSpec, steps: Int, seed: UInt64? = nil, from initial: Weights? = nil, named name: String = ""
    ) throws -> Weights {
        var config = TrainerTests.config(steps: steps, arch: arch)
        if let seed { config.seed = seed }
        let trainer = try Trainer(
            config: config, photos: TrainerTests.photos, validationPhotos: [], teacher: nil, initial: initial,
            initialName: name)
        try trainer.run { _ in }
        return trainer.weights
    }

    static func difference(_ a: Weights, _ b: Weights, seed: UInt64) -> Float {
        let x = input(channels: a.spec.inputChannels, seed: seed)
        return ReferenceEngine(weights: a.collapsed()).forward(x)
            .maxAbsDifference(ReferenceEngine(weights: b.collapsed()).forward(x))
    }

    /// The shipped student (deployment form), grown by two convolutions, computes what it
    /// computes; so does its plain training form.
    @Test func grownShippedStudentComputesTheSame() throws {
        let shipped = try DefaultStudent.load()
        var deeper = shipped.spec
        deeper.convsPerLevel += 2
        deeper.reparameterizable = true
        let grown = try StudentGrowth.grown(shipped, to: deeper, seed: 3, sourceName: "builtin")
        #expect(grown.mismatch(for: NetworkGraph(deeper)) == nil)
        #expect(grown.spec == deeper && grown.spec.reparameterizable)
        let d = Self.difference(grown, shipped, seed: 1)
        #expect(d < 2e-5, "max |difference| \(d)")
        #expect(grown.metadata["init"]?.contains("2 identity convolution(s) added") == true)

        var same = shipped.spec
        same.reparameterizable = true
        let trainingForm = try StudentGrowth.grown(shipped, to: same, seed: 3, sourceName: "builtin")
        #expect(Self.difference(trainingForm, shipped, seed: 2) < 2e-5)
        // The branches that start silent are not dead: their first stages are random.
        #expect(trainingForm["body.conv1.k1k3.w1"]!.data.contains { $0 != 0 })
        #expect(trainingForm["body.conv1.k1k3.w3"]!.data.allSatisfy { $0 == 0 })
    }

    /// A random training-form student grows too, and fine-tuning moves the added layers off the
    /// identity (their gradients are not zero).
    @Test func addedLayersLearn() throws {
        let base = try Self.trained(.student(widths: [8], convsPerLevel: 1), steps: 6, seed: 9)
        let big = ArchitectureSpec.student(widths: [8], convsPerLevel: 3)
        let grown = try StudentGrowth.grown(base, to: big, seed: 4, sourceName: "base.scw")
        #expect(Self.difference(grown, base, seed: 5) < 2e-5)
        let tuned = try Self.trained(big, steps: 3, from: grown, named: "grown.scw")
        for name in ["body.conv2.k3.weight", "body.conv2.k1k3.w3", "body.conv2.laplacian.scale"] {
            let moved = zip(tuned[name]!.data, grown[name]!.data).map { abs($0 - $1) }.max()!
            #expect(moved > 1e-5, "\(name) moved \(moved)")
        }
    }

    /// The shipped student grown wider (and deeper) computes what it computes; fine-tuning
    /// then moves the weights from the added channels into the source's off zero.
    @Test func widenedStudentComputesTheSameAndItsAddedChannelsLearn() throws {
        let shipped = try DefaultStudent.load()
        var wider = shipped.spec
        wider.widths = [shipped.spec.widths[0] + 8]
        wider.convsPerLevel += 1
        wider.reparameterizable = true
        let grown = try StudentGrowth.grown(shipped, to: wider, seed: 3, sourceName: "builtin")
        #expect(grown.mismatch(for: NetworkGraph(wider)) == nil)
        let d = Self.difference(grown, shipped, seed: 6)
        #expect(d < 2e-5, "max |difference| \(d)")
        #expect(
            grown.metadata["init"]?.contains("1 identity convolution(s) added, 8 channel(s) added per convolution")
                == true, "\(grown.metadata)")
        // The added channels compute something (random start into them)...
        let w0 = grown["body.conv0.k3.weight"]!
        let (cout, cin) = (w0.shape[0], w0.shape[1])
        let old = shipped.spec.widths[0]
        #expect((old * cin * 9..<cout * cin * 9).contains { w0.data[$0] != 0 })

        let base = try Self.trained(.student(widths: [8], convsPerLevel: 2), steps: 4)
        let big = ArchitectureSpec.student(widths: [16], convsPerLevel: 2)
        let widened = try StudentGrowth.grown(base, to: big, seed: 4, sourceName: "base.scw")
        #expect(Self.difference(widened, base, seed: 7) < 2e-5)
        let tuned = try Self.trained(big, steps: 3, from: widened, named: "widened.scw")
        // ...and the next convolution's weights from them into the source's channels leave zero.
        let before = widened["body.conv1.k3.weight"]!, after = tuned["body.conv1.k3.weight"]!
        var moved: Float = 0
        for o in 0..<8 {
            for i in 8..<16 {
                for t in 0..<9 {
                    #expect(before.data[(o * 16 + i) * 9 + t] == 0)
                    moved = max(moved, abs(after.data[(o * 16 + i) * 9 + t]))
                }
            }
        }
        #expect(moved > 1e-5, "weights from the added channels moved \(moved)")
    }

    @Test func refusesWhatItCannotPreserve() throws {
        let shipped = try DefaultStudent.load()
        func changed(_ change: (inout ArchitectureSpec) -> Void) -> ArchitectureSpec {
            var spec = shipped.spec
            spec.reparameterizable = true
            change(&spec)
            return spec
        }
        let cases: [(ArchitectureSpec, String)] = [
            (changed { $0.widths = [$0.widths[0] - 8] }, "narrower"),
            (changed { $0.convsPerLevel -= 1 }, "fewer convolutions"),
            (changed { $0.usesMaps.toggle() }, "inputs"),
            (changed { $0.reparameterizable = false }, "plain"),
            (.teacher(), "not a student"),
        ]
        for (target, words) in cases {
            do {
                _ = try StudentGrowth.grown(shipped, to: target, seed: 1, sourceName: "shipped.scw")
                Issue.record("grew into \(target)")
            } catch let e as SharpCamError {
                #expect(e.description.contains("shipped.scw") && e.description.contains(words), "\(e)")
            }
        }
    }
}
