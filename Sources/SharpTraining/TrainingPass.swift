import Foundation
import SharpNet

/// One batch item's forward and backward pass through a `NetworkGraph`, with the effective
/// (deployment-form) convolution weights. Keeps the activations between the two passes and
/// owns its scratch memory, so each thread of the trainer has its own.
///
/// Invariant: used by one thread at a time (one pass per trainer worker); `backward` follows
/// the `forward` that preceded it; gradients are added to the
/// effective parameters' names (`<prefix>.weight`, `<prefix>.bias`).
final class TrainingPass: @unchecked Sendable {
    let graph: NetworkGraph
    private var values: [Tensor?]
    private var scratch: [Float] = []

    init(graph: NetworkGraph) {
        self.graph = graph
        values = Array(repeating: nil, count: graph.nodes.count)
    }

    /// Runs the network; with `keep` the activations stay for `backward`.
    func forward(_ input: Tensor, weights effective: [String: Tensor], keep: Bool = true) -> Tensor {
        var lastUse = [Int](repeating: -1, count: graph.nodes.count)
        if !keep { for (i, n) in graph.nodes.enumerated() { for j in n.inputs { lastUse[j] = i } } }
        for (i, n) in graph.nodes.enumerated() {
            let x = n.inputs.map { values[$0]! }
            values[i] = evaluate(n, x, input, effective)
            if !keep { for j in n.inputs where lastUse[j] == i { values[j] = nil } }
        }
        let out = values[graph.output]!
        if !keep { values = Array(repeating: nil, count: graph.nodes.count) }
        return out
    }

    private func evaluate(_ n: NetworkGraph.Node, _ x: [Tensor], _ input: Tensor, _ w: [String: Tensor]) -> Tensor {
        switch n.op {
        case .input: return input
        case .conv(let p, let k):
            return TrainingOps.convForward(
                x[0], weight: w[p + ".weight"]!, bias: w[p + ".bias"]!, kernel: k, scratch: &scratch)
        case .repConv(let p):
            return TrainingOps.convForward(
                x[0], weight: w[p + ".weight"]!, bias: w[p + ".bias"]!, kernel: 3, scratch: &scratch)
        case .convTranspose2x2(let p):
            return TrainingOps.convTransposeForward(x[0], weight: w[p + ".weight"]!, bias: w[p + ".bias"]!)
        case .relu: return Tensor(shape: x[0].shape, data: x[0].data.map { max($0, 0) })
        case .tanh: return Tensor(shape: x[0].shape, data: x[0].data.map { Foundation.tanh($0) })
        case .instanceNorm: return ReferenceEngine.instanceNorm(x[0])
        case .maxPool2x2: return ReferenceEngine.maxPool2x2(x[0])
        case .concat:
            return Tensor(shape: [x[0].channels + x[1].channels, x[0].height, x[0].width], data: x[0].data + x[1].data)
        case .add: return Tensor(shape: x[0].shape, data: zip(x[0].data, x[1].data).map { $0 + $1 })
        case .slice(let r):
            let plane = x[0].height * x[0].width
            return Tensor(
                shape: [r.count, x[0].height, x[0].width],
                data: Array(x[0].data[(r.lowerBound * plane)..<(r.upperBound * plane)]))
        case .spaceToDepth(let b): return ReferenceEngine.spaceToDepth(x[0], block: b)
        case .depthToSpace(let b): return ReferenceEngine.depthToSpace(x[0], block: b)
        }
    }

    /// Back-propagates `dOutput`, adding parameter gradients to `grads` (created on demand).
    func backward(_ dOutput: Tensor, weights w: [String: Tensor], grads: inout [String: Tensor]) {
        var g: [Tensor?] = Array(repeating: nil, count: graph.nodes.count)
        g[graph.output] = dOutput
        func accumulate(_ i: Int, _ t: Tensor) {
            if g[i] == nil { g[i] = t } else { for k in t.data.indices { g[i]!.data[k] += t.data[k] } }
        }
        func paramGrads(_ p: String, _ shapeW: [Int], _ shapeB: [Int]) -> (Tensor, Tensor) {
            (grads[p + ".weight"] ?? Tensor(zeros: shapeW), grads[p + ".bias"] ?? Tensor(zeros: shapeB))
        }
        for i in stride(from: graph.nodes.count - 1, through: 1, by: -1) {
            guard let dy = g[i] else { continue }
            let n = graph.nodes[i]
            let x = n.inputs.map { values[$0]! }
            let needsInput = n.inputs.map { $0 != 0 }
            switch n.op {
            case .input: break
            case .conv(let p, _), .repConv(let p):
                let k: Int = { if case .conv(_, let k) = n.op { return k } else { return 3 } }()
                let weight = w[p + ".weight"]!
                var (dW, db) = paramGrads(p, weight.shape, [n.channels])
                let dx = TrainingOps.convBackward(
                    x[0], dy: dy, weight: weight, kernel: k, dW: &dW, db: &db, inputGradient: needsInput[0],
                    scratch: &scratch)
                grads[p + ".weight"] = dW
                grads[p + ".bias"] = db
                if let dx { accumulate(n.inputs[0], dx) }
            case .convTranspose2x2(let p):
                let weight = w[p + ".weight"]!
                var (dW, db) = paramGrads(p, weight.shape, [n.channels])
                accumulate(
                    n.inputs[0], TrainingOps.convTransposeBackward(x[0], dy: dy, weight: weight, dW: &dW, db: &db))
                grads[p + ".weight"] = dW
                grads[p + ".bias"] = db
            case .relu: accumulate(n.inputs[0], TrainingOps.reluBackward(output: values[i]!, dy: dy))
            case .tanh: accumulate(n.inputs[0], TrainingOps.tanhBackward(output: values[i]!, dy: dy))
            case .instanceNorm:
                accumulate(n.inputs[0], TrainingOps.instanceNormBackward(input: x[0], output: values[i]!, dy: dy))
            case .maxPool2x2: accumulate(n.inputs[0], TrainingOps.maxPoolBackward(input: x[0], dy: dy))
            case .concat:
                let split = x[0].count
                accumulate(n.inputs[0], Tensor(shape: x[0].shape, data: Array(dy.data[0..<split])))
                accumulate(n.inputs[1], Tensor(shape: x[1].shape, data: Array(dy.data[split...])))
            case .add:
                accumulate(n.inputs[0], dy)
                accumulate(n.inputs[1], dy)
            case .slice(let r):
                if needsInput[0] {
                    var dx = Tensor(zeros: x[0].shape)
                    let plane = x[0].height * x[0].width
                    for k in 0..<dy.count { dx.data[r.lowerBound * plane + k] = dy.data[k] }
                    accumulate(n.inputs[0], dx)
                }
            case .spaceToDepth(let b):
                if needsInput[0] { accumulate(n.inputs[0], ReferenceEngine.depthToSpace(dy, block: b)) }
            case .depthToSpace(let b): accumulate(n.inputs[0], ReferenceEngine.spaceToDepth(dy, block: b))
            }
            g[i] = nil
        }
        values = Array(repeating: nil, count: graph.nodes.count)
    }
}
