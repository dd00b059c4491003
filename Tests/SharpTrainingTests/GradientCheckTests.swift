import Foundation
import SharpNet
import SharpSupport
import TestSupport
import Testing

@testable import SharpTraining

/// Every op's and loss's gradient against central finite differences (in Double around the
/// Float implementation; relative tolerance 2e-2 plus a small absolute floor).
@Suite struct GradientCheckTests {
    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var rng = SplitMix64(seed: seed)
        return Tensor(shape: shape, data: (0..<shape.reduce(1, *)).map { _ in Float(rng.normal()) * scale })
    }

    /// Checks d⟨g, f(x)⟩/dx at `samples` coordinates against `analytic`.
    static func check(
        _ name: String, x: Tensor, g: Tensor, samples: Int = 24, eps: Float = 1e-2,
        f: (Tensor) -> Tensor, analytic: Tensor, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var rng = SplitMix64(seed: 99)
        var worst: Float = 0
        for _ in 0..<samples {
            let i = Int(rng.next() % UInt64(x.count))
            var xp = x, xm = x
            xp.data[i] += eps
            xm.data[i] -= eps
            let lp = zip(f(xp).data, g.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let lm = zip(f(xm).data, g.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
            let numeric = Float((lp - lm) / Double(2 * eps))
            let err = abs(numeric - analytic.data[i]) / max(1e-2, abs(numeric) + abs(analytic.data[i]))
            worst = max(worst, err)
        }
        #expect(worst < 2e-2, "\(name): worst relative error \(worst)", sourceLocation: sourceLocation)
    }

    @Test(arguments: [1, 3])
    func convolution(kernel: Int) {
        let x = Self.random([3, 7, 9], seed: 1), w = Self.random([4, 3, kernel, kernel], seed: 2),
            b = Self.random([4], seed: 3)
        let g = Self.random([4, 7, 9], seed: 4)
        var scratch: [Float] = []
        var dW = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
        let dx = TrainingOps.convBackward(
            x, dy: g, weight: w, kernel: kernel, dW: &dW, db: &db, inputGradient: true, scratch: &scratch)!
        Self.check(
            "conv dx", x: x, g: g,
            f: { TrainingOps.convForward($0, weight: w, bias: b, kernel: kernel, scratch: &scratch) }, analytic: dx)
        Self.check(
            "conv dW", x: w, g: g,
            f: { TrainingOps.convForward(x, weight: $0, bias: b, kernel: kernel, scratch: &scratch) }, analytic: dW)
        Self.check(
            "conv db", x: b, g: g,
            f: { TrainingOps.convForward(x, weight: w, bias: $0, kernel: kernel, scratch: &scratch) }, analytic: db)
        // And the forward equals the reference engine's definition.
        #expect(
            TrainingOps.convForward(x, weight: w, bias: b, kernel: kernel, scratch: &scratch)
                .maxAbsDifference(ReferenceEngine.conv(x, weight: w, bias: b, kernel: kernel)) < 1e-4)
    }

    @Test func transposedConvolution() {
        let x = Self.random([3, 4, 5], seed: 5), w = Self.random([3, 2, 2, 2], seed: 6), b = Self.random([2], seed: 7)
        let g = Self.random([2, 8, 10], seed: 8)
        var dW = Tensor(zeros: w.shape), db = Tensor(zeros: b.shape)
        let dx = TrainingOps.convTransposeBackward(x, dy: g, weight: w, dW: &dW, db: &db)
        Self.check(
            "convT dx", x: x, g: g, f: { TrainingOps.convTransposeForward($0, weight: w, bias: b) }, analytic: dx)
        Self.check(
            "convT dW", x: w, g: g, f: { TrainingOps.convTransposeForward(x, weight: $0, bias: b) }, analytic: dW)
        Self.check(
            "convT db", x: b, g: g, f: { TrainingOps.convTransposeForward(x, weight: w, bias: $0) }, analytic: db)
        #expect(
            TrainingOps.convTransposeForward(x, weight: w, bias: b).maxAbsDifference(
                ReferenceEngine.convTranspose2x2(x, weight: w, bias: b)) < 1e-5)
    }

    @Test func elementwiseAndStructuralOps() {
        let x = Self.random([4, 6, 8], seed: 9), g = Self.random([4, 6, 8], seed: 10)
        let relu = { (t: Tensor) in Tensor(shape: t.shape, data: t.data.map { max($0, 0) }) }
        Self.check("relu", x: x, g: g, eps: 1e-3, f: relu, analytic: TrainingOps.reluBackward(output: relu(x), dy: g))
        let tanh = { (t: Tensor) in Tensor(shape: t.shape, data: t.data.map { Foundation.tanh($0) }) }
        Self.check("tanh", x: x, g: g, eps: 1e-3, f: tanh, analytic: TrainingOps.tanhBackward(output: tanh(x), dy: g))
        Self.check(
            "instance norm", x: x, g: g, eps: 1e-2, f: ReferenceEngine.instanceNorm,
            analytic: TrainingOps.instanceNormBackward(input: x, output: ReferenceEngine.instanceNorm(x), dy: g))
        let gp = Self.random([4, 3, 4], seed: 11)
        Self.check(
            "max pool", x: x, g: gp, eps: 1e-3, f: ReferenceEngine.maxPool2x2,
            analytic: TrainingOps.maxPoolBackward(input: x, dy: gp))
        let gs = Self.random([16, 3, 4], seed: 12)
        Self.check(
            "space to depth", x: x, g: gs, f: { ReferenceEngine.spaceToDepth($0, block: 2) },
            analytic: ReferenceEngine.depthToSpace(gs, block: 2))
        let gd = Self.random([1, 12, 16], seed: 13)
        Self.check(
            "depth to space", x: x, g: gd, f: { ReferenceEngine.depthToSpace($0, block: 2) },
            analytic: ReferenceEngine.spaceToDepth(gd, block: 2))
        let x4 = Self.random([2, 4, 8], seed: 17), gs4 = Self.random([32, 1, 2], seed: 16)
        Self.check(
            "space to depth ×4", x: x4, g: gs4, f: { ReferenceEngine.spaceToDepth($0, block: 4) },
            analytic: ReferenceEngine.depthToSpace(gs4, block: 4))
    }

    /// The rep-block gradient through the fold equals finite differences of the unfolded
    /// block (the reference engine's branch-by-branch forward).
    /// Whole networks: the parameter gradients of ⟨g, net(x)⟩ from `TrainingPass.backward`
    /// against finite differences of `TrainingPass.forward`, for every architecture family
    /// (space-to-depth ×2 and ×4 students, with and without maps, two-level student, teacher,
    /// seed-unet).
    @Test(arguments: [
        ArchitectureSpec.student(widths: [8], convsPerLevel: 2, reparameterizable: false),
        .student(widths: [8], convsPerLevel: 1, usesMaps: true, reparameterizable: false, unshuffle: 4),
        .student(
            widths: [8], convsPerLevel: 1, usesMaps: true, reparameterizable: false, unshuffle: 4, usesChroma: true),
        .student(widths: [4, 8], convsPerLevel: 1, reparameterizable: false),
        .teacher(widths: [4, 8]),
        ArchitectureSpec(kind: .seedUNet, widths: [4, 8], convsPerLevel: 1, usesMaps: true, reparameterizable: false),
    ])
    func wholeNetwork(_ spec: ArchitectureSpec) {
        let graph = NetworkGraph(spec)
        let weights = Weights.heInitialized(spec, seed: 5).tensors
        let x = Self.random([spec.inputChannels, 16, 16], seed: 6, scale: 0.5)
        let pass = TrainingPass(graph: graph)
        let y = pass.forward(x, weights: weights)
        let g = Self.random(y.shape, seed: 7)
        var grads: [String: Tensor] = [:]
        pass.backward(g, weights: weights, grads: &grads)
        // ReLU and max-pool kinks make a few finite differences unreliable (a bias moves every
        // pixel of its channel, and one unit crossing zero shifts the difference): at most 1 in
        // 10 sampled coordinates may be off by more than 3 %, none by more than 20 %; a wrong
        // gradient for an op is off on nearly all of its parameters.
        var rng = SplitMix64(seed: 8)
        var errors: [Float] = []
        for (name, shape) in graph.parameters {
            for _ in 0..<4 {
                let i = Int(rng.next() % UInt64(shape.reduce(1, *)))
                let eps: Float = 1e-3
                func loss(_ delta: Float) -> Double {
                    var w = weights
                    w[name]!.data[i] += delta
                    let out = TrainingPass(graph: graph).forward(x, weights: w, keep: false)
                    return zip(out.data, g.data).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                }
                let numeric = Float((loss(eps) - loss(-eps)) / Double(2 * eps))
                let analytic = grads[name]?.data[i] ?? 0
                errors.append(abs(numeric - analytic) / max(5e-2, abs(numeric) + abs(analytic)))
            }
        }
        let off = errors.filter { $0 > 3e-2 }.count
        #expect(
            off * 10 <= errors.count && errors.max()! < 0.2,
            "\(spec.argument): \(off) of \(errors.count) off by > 3 %, worst \(errors.max()!)")
    }

    @Test func reparameterisableBlock() {
        let spec = ArchitectureSpec.student(widths: [4], convsPerLevel: 1)
        let weights = Weights.heInitialized(spec, seed: 3)
        let p = "body.conv0", x = Self.random([4, 5, 6], seed: 14), g = Self.random([4, 5, 6], seed: 15)
        func block(_ w: Weights) -> Tensor {
            let (wt, bt) = RepConvBlock.collapse(prefix: p, inChannels: 4, outChannels: 4, weights: w)
            return ReferenceEngine.conv(x, weight: wt, bias: bt, kernel: 3)
        }
        let (wf, bf) = RepConvBlock.collapse(prefix: p, inChannels: 4, outChannels: 4, weights: weights)
        var scratch: [Float] = []
        var dW = Tensor(zeros: wf.shape), db = Tensor(zeros: bf.shape)
        _ = TrainingOps.convBackward(
            x, dy: g, weight: wf, kernel: 3, dW: &dW, db: &db, inputGradient: false, scratch: &scratch)
        let branch = RepConvGradient.branchGradients(
            prefix: p, inChannels: 4, outChannels: 4, weights: weights, dW: dW, db: db)
        for name in [
            "k3.weight", "k1k3.w1", "k1k3.b1", "k1k3.w3", "k1k3.b3", "sobelx.w1", "sobely.scale", "laplacian.bias",
            "laplacian.w1",
        ] {
            let key = "\(p).\(name)"
            Self.check(
                "rep \(name)", x: weights[key]!, g: g, eps: 1e-2,
                f: { t in
                    var w = weights
                    w[key] = t
                    return block(w)
                }, analytic: branch[key]!)
        }
    }

    @Test(arguments: Loss.allCases)
    func losses(_ loss: Loss) {
        var rng = SplitMix64(seed: 20)
        let t = Tensor(shape: [2, 16, 18], data: (0..<576).map { _ in Float(rng.uniform()) })
        var y = t
        // Offsets of at least 0.02 keep finite differences (ε = 1e-3) off L1's kink at y = t.
        for i in y.data.indices { let d = Float(rng.normal() * 0.1); y.data[i] += d >= 0 ? d + 0.02 : d - 0.02 }
        let (_, grad) = loss.evaluate(y, t)
        // ⟨1, f(y)⟩ with f = the scalar loss broadcast: check d loss / dy directly.
        Self.check(
            "\(loss)", x: y, g: Tensor(shape: [1], data: [1]), eps: 1e-3,
            f: { Tensor(shape: [1], data: [Float(loss.evaluate($0, t).value)]) }, analytic: grad)
        #expect(loss.evaluate(t, t).value < 1e-6 + (loss == .charbonnier ? 1e-3 : 0))
    }
}
