import Foundation
import SharpFrames
import SharpNet
import SharpSupport
import TestSupport
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

    /// The shipped student grown into one that reads and corrects chroma computes the same luma
    /// and passes Cb and Cr through; on an RGB frame it writes what the luma student writes
    /// without `ChromaTransfer` (±1 level of rounding); fine-tuning moves its chroma outputs.
    @Test func chromaStudentStartsAsTheLumaStudent() throws {
        let shipped = try DefaultStudent.load()
        var colour = shipped.spec
        colour.usesChroma = true
        colour.reparameterizable = true
        #expect(colour.inputChannels == 5 && colour.outputChannels == 3)
        #expect(ArchitectureSpec(argument: colour.argument) == colour && colour.argument.hasSuffix(":maps:chroma"))
        // Luma students encode as they did before chroma students existed; chroma ones round-trip.
        #expect(!String(decoding: try JSONEncoder().encode(shipped.spec), as: UTF8.self).contains("usesChroma"))
        #expect(try JSONDecoder().decode(ArchitectureSpec.self, from: try JSONEncoder().encode(colour)) == colour)
        #expect(ArchitectureSpec(argument: "teacher:8,16:chroma") == nil)
        let grown = try StudentGrowth.grown(shipped, to: colour, seed: 3, sourceName: "builtin")
        #expect(grown.mismatch(for: NetworkGraph(colour)) == nil)
        #expect(grown.metadata["init"]?.contains("Cb and Cr added as inputs and outputs") == true)
        let x = Self.input(channels: 5, seed: 8)
        let plane = 48 * 64
        // The luma student reads Y, edge, mask: channels 0, 3 and 4 of the chroma student's input.
        let lumaInput = Tensor(
            shape: [3, 48, 64],
            data: Array(x.data[0..<plane]) + Array(x.data[(3 * plane)..<(5 * plane)]))
        let mine = ReferenceEngine(weights: grown.collapsed()).forward(x)
        let theirs = ReferenceEngine(weights: shipped).forward(lumaInput)
        #expect(mine.shape == [3, 48, 64])
        let lumaDifference = (0..<plane).map { abs(mine.data[$0] - theirs.data[$0]) }.max()!
        let chromaDifference = (plane..<(3 * plane)).map { abs(mine.data[$0] - x.data[$0]) }.max()!
        #expect(lumaDifference < 2e-5 && chromaDifference < 1e-6, "\(lumaDifference) \(chromaDifference)")

        let photo = try RGBImage(contentsOf: try TestEnvironment.photo("skimage_coffee"))
        let frame = photo.cropped(x: 0, y: 0, width: 96, height: 64).frame()
        func run(_ w: Weights) -> [UInt8] {
            let out = Frame(format: frame.format, colorSpace: frame.colorSpace)
            NetworkFrameRunner(engine: ReferenceEngine(weights: w.collapsed()), transferChroma: false)
                .process(frame, strength: 1, into: out)
            return RGBImage(frame: out).pixels
        }
        let (a, b) = (run(grown), run(shipped))
        #expect(zip(a, b).map { abs(Int($0) - Int($1)) }.max()! <= 1 && a != RGBImage(frame: frame).pixels)

        let rgb = photo.cropped(x: 0, y: 0, width: 32, height: 32).planar
        let ycc = NetworkTensors.target(colour, rgb: rgb, height: 32, width: 32)
        let back = NetworkTensors.rgb(fromYCbCr: ycc.data, height: 32, width: 32)
        #expect(zip(back, rgb).map { abs($0 - $1) }.max()! < 1e-5)

        let small = ArchitectureSpec.student(widths: [8], convsPerLevel: 1, usesMaps: true, unshuffle: 4)
        let base = try Self.trained(small, steps: 3, seed: 5)
        var smallColour = small
        smallColour.usesChroma = true
        let start = try StudentGrowth.grown(base, to: smallColour, seed: 4, sourceName: "base.scw")
        let tuned = try Self.trained(smallColour, steps: 3, from: start, named: "start.scw")
        // Output channel k·3 + 1 (Cb) and k·3 + 2 (Cr) of the last convolution start at zero.
        let before = start["out.k3.weight"]!, after = tuned["out.k3.weight"]!
        let perOutput = before.shape[1] * 9
        let chromaRows = (0..<before.shape[0]).filter { $0 % 3 != 0 }
        #expect(chromaRows.allSatisfy { o in (0..<perOutput).allSatisfy { before.data[o * perOutput + $0] == 0 } })
        let moved = chromaRows.map { o in (0..<perOutput).map { abs(after.data[o * perOutput + $0]) }.max()! }.max()!
        #expect(moved > 1e-5, "chroma outputs moved \(moved)")
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
        var colour = shipped.spec
        colour.usesChroma = true
        let grown = try StudentGrowth.grown(shipped, to: changed { $0.usesChroma = true }, seed: 1, sourceName: "a")
        let why = StudentGrowth.obstacle(from: grown.spec, to: changed { _ in })
        #expect(why?.contains("drops the chroma") == true, "\(String(describing: why))")
        #expect(FusedStudentEngine.supportError(colour)?.contains("luma students") == true)
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
