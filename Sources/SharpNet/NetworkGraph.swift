/// A network as a list of operations in execution order (a DAG whose edges point backwards),
/// built from an `ArchitectureSpec`. The reference engine, the ONNX exporter, the MAC counter
/// and the trainer all walk this one graph.
///
/// Invariants: node `i` only reads nodes `< i`; node 0 is the input; `output` is the last node;
/// every parameter name is unique; activations of node `n` have `n.channels` channels at
/// 1 / 2^`n.scale` of the input resolution.
public struct NetworkGraph: Sendable {
    public enum Operation: Sendable, Equatable {
        case input
        /// k×k convolution, stride 1, zero padding k/2, with bias.
        case conv(prefix: String, kernel: Int)
        /// Training form of a 3×3 conv (see `RepConvBlock`).
        case repConv(prefix: String)
        /// 2×2 transposed convolution, stride 2, with bias.
        case convTranspose2x2(prefix: String)
        case relu
        case tanh
        /// Per-channel normalisation over the picture, no affine parameters, ε = 1e-5.
        case instanceNorm
        case maxPool2x2
        case concat
        case add
        /// Channels `range` of the input.
        case slice(Range<Int>)
        /// ONNX SpaceToDepth(b): out[(dy·b + dx)·C + c, y, x] = in[c, b·y + dy, b·x + dx].
        case spaceToDepth(Int)
        /// ONNX DepthToSpace(b, DCR), the inverse of `spaceToDepth`.
        case depthToSpace(Int)
    }

    public struct Node: Sendable {
        public let op: Operation
        public let inputs: [Int]
        public let channels: Int
        /// log2 of the downsampling relative to the network input.
        public let scale: Int
        /// Input channels for parameterised ops.
        public let inChannels: Int
    }

    public let spec: ArchitectureSpec
    public private(set) var nodes: [Node] = []
    public var output: Int { nodes.count - 1 }

    public init(_ spec: ArchitectureSpec) {
        precondition(spec.validationError == nil, "invalid architecture: \(spec.validationError!)")
        self.spec = spec
        build()
    }

    // MARK: Building

    @discardableResult
    private mutating func add(
        _ op: Operation, _ inputs: [Int], channels: Int, scale: Int? = nil, inChannels: Int = 0
    ) -> Int {
        let s = scale ?? inputs.first.map { nodes[$0].scale } ?? 0
        nodes.append(Node(op: op, inputs: inputs, channels: channels, scale: s, inChannels: inChannels))
        return nodes.count - 1
    }

    private mutating func conv3x3(_ x: Int, _ out: Int, _ prefix: String) -> Int {
        let op: Operation = spec.reparameterizable ? .repConv(prefix: prefix) : .conv(prefix: prefix, kernel: 3)
        return add(op, [x], channels: out, inChannels: nodes[x].channels)
    }

    /// `convsPerLevel` × (3×3 conv [+ InstanceNorm] + ReLU).
    private mutating func block(_ x: Int, _ out: Int, _ prefix: String) -> Int {
        var h = x
        for i in 0..<spec.convsPerLevel {
            h = conv3x3(h, out, "\(prefix).conv\(i)")
            if spec.kind == .seedUNet { h = add(.instanceNorm, [h], channels: out) }
            h = add(.relu, [h], channels: out)
        }
        return h
    }

    private mutating func build() {
        let input = add(.input, [], channels: spec.inputChannels, scale: 0)
        var h = input
        if spec.kind == .student {
            let b = spec.unshuffle
            h = add(.spaceToDepth(b), [input], channels: b * b * spec.inputChannels, scale: b.trailingZeroBitCount)
        }
        let levels = spec.widths.count
        var skips: [Int] = []
        for l in 0..<(levels - 1) {
            h = block(h, spec.widths[l], "enc\(l)")
            skips.append(h)
            h = add(.maxPool2x2, [h], channels: spec.widths[l], scale: nodes[h].scale + 1)
        }
        h = block(h, spec.widths[levels - 1], levels == 1 ? "body" : "bottleneck")
        for l in (0..<(levels - 1)).reversed() {
            h = add(
                .convTranspose2x2(prefix: "up\(l)"), [h], channels: spec.widths[l], scale: nodes[h].scale - 1,
                inChannels: nodes[h].channels)
            h = add(.concat, [h, skips[l]], channels: 2 * spec.widths[l])
            h = block(h, spec.widths[l], "dec\(l)")
        }
        switch spec.kind {
        case .seedUNet:
            h = add(.conv(prefix: "out", kernel: 1), [h], channels: 3, inChannels: nodes[h].channels)
            add(.tanh, [h], channels: 3)
        case .teacher:
            h = add(.conv(prefix: "out", kernel: 1), [h], channels: 3, inChannels: nodes[h].channels)
            let rgb = add(.slice(0..<3), [input], channels: 3)
            add(.add, [rgb, h], channels: 3)
        case .student:
            // Output channels Y (Cb, Cr): input channels 0..<outputChannels, the residual's base.
            let c = spec.outputChannels
            h = conv3x3(h, spec.unshuffle * spec.unshuffle * c, "out")
            h = add(.depthToSpace(spec.unshuffle), [h], channels: c, scale: 0)
            let base = add(.slice(0..<c), [input], channels: c)
            add(.add, [base, h], channels: c)
        }
    }

    // MARK: Parameters and cost

    /// Every parameter tensor the graph reads, in a stable order.
    public var parameters: [(name: String, shape: [Int])] {
        var out: [(String, [Int])] = []
        for n in nodes {
            switch n.op {
            case .conv(let p, let k):
                out.append(("\(p).weight", [n.channels, n.inChannels, k, k]))
                out.append(("\(p).bias", [n.channels]))
            case .repConv(let p):
                out += RepConvBlock.parameterShapes(prefix: p, inChannels: n.inChannels, outChannels: n.channels)
            case .convTranspose2x2(let p):
                out.append(("\(p).weight", [n.inChannels, n.channels, 2, 2]))
                out.append(("\(p).bias", [n.channels]))
            default: break
            }
        }
        return out
    }

    public var parameterCount: Int { parameters.reduce(0) { $0 + $1.shape.reduce(1, *) } }

    /// Multiply-accumulates per input pixel (per full-resolution frame pixel), counting
    /// convolutions and transposed convolutions of the deployment form.
    public var macsPerPixel: Double {
        var total = 0.0
        for n in nodes {
            let perPixel: Int
            switch n.op {
            case .conv(_, let k): perPixel = n.inChannels * n.channels * k * k
            case .repConv: perPixel = n.inChannels * n.channels * 9
            // each output pixel receives one tap per input channel
            case .convTranspose2x2: perPixel = n.inChannels * n.channels
            default: continue
            }
            total += Double(perPixel) / Double(1 << (2 * n.scale))
        }
        return total
    }
}
