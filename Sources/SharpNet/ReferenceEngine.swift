import Foundation

/// The plain, obviously correct FP32 forward pass of any `NetworkGraph`: direct loops,
/// accumulation in Double, no tiling, no SIMD. Slow by design; it is the oracle every faster
/// engine is tested against.
///
/// Input and output are [channels, height, width] tensors; height and width must be
/// multiples of `spec.stride` (`NetworkRunner` pads frames to that).
public struct ReferenceEngine: Sendable {
    public let graph: NetworkGraph
    public let weights: Weights

    /// - Precondition: `weights` fit the graph (`Weights.mismatch` is nil).
    public init(weights: Weights) {
        graph = NetworkGraph(weights.spec)
        precondition(weights.mismatch(for: graph) == nil, "weights do not fit: \(weights.mismatch(for: graph)!)")
        self.weights = weights
    }

    public func forward(_ input: Tensor) -> Tensor {
        let spec = graph.spec
        precondition(
            input.shape.count == 3 && input.channels == spec.inputChannels,
            "input must be [\(spec.inputChannels), H, W], got \(input.shape)")
        precondition(
            input.height % spec.stride == 0 && input.width % spec.stride == 0,
            "input size must be a multiple of \(spec.stride)")
        var values: [Tensor?] = Array(repeating: nil, count: graph.nodes.count)
        var lastUse = [Int](repeating: -1, count: graph.nodes.count)
        for (i, n) in graph.nodes.enumerated() { for j in n.inputs { lastUse[j] = i } }
        for (i, n) in graph.nodes.enumerated() {
            let x = n.inputs.map { values[$0]! }
            values[i] = evaluate(n, x, input)
            for j in n.inputs where lastUse[j] == i { values[j] = nil }
        }
        return values[graph.output]!
    }

    private func evaluate(_ n: NetworkGraph.Node, _ x: [Tensor], _ input: Tensor) -> Tensor {
        switch n.op {
        case .input: return input
        case .conv(let p, let k):
            return Self.conv(x[0], weight: weights[p + ".weight"]!, bias: weights[p + ".bias"]!, kernel: k)
        case .repConv(let p):
            return Self.repConv(x[0], prefix: p, weights: weights, outChannels: n.channels)
        case .convTranspose2x2(let p):
            return Self.convTranspose2x2(x[0], weight: weights[p + ".weight"]!, bias: weights[p + ".bias"]!)
        case .relu: return Tensor(shape: x[0].shape, data: x[0].data.map { max($0, 0) })
        case .tanh: return Tensor(shape: x[0].shape, data: x[0].data.map { Foundation.tanh($0) })
        case .instanceNorm: return Self.instanceNorm(x[0])
        case .maxPool2x2: return Self.maxPool2x2(x[0])
        case .concat:
            return Tensor(shape: [x[0].channels + x[1].channels, x[0].height, x[0].width], data: x[0].data + x[1].data)
        case .add: return Tensor(shape: x[0].shape, data: zip(x[0].data, x[1].data).map { $0 + $1 })
        case .slice(let r):
            let plane = x[0].height * x[0].width
            return Tensor(
                shape: [r.count, x[0].height, x[0].width],
                data: Array(x[0].data[(r.lowerBound * plane)..<(r.upperBound * plane)]))
        case .spaceToDepth(let b): return Self.spaceToDepth(x[0], block: b)
        case .depthToSpace(let b): return Self.depthToSpace(x[0], block: b)
        }
    }

    // MARK: Operations (each a direct transcription of its definition)

    /// out[o,y,x] = b[o] + Σ_i Σ_dy Σ_dx w[o,i,dy,dx] · in[i, y+dy−k/2, x+dx−k/2] (zero outside).
    public static func conv(_ input: Tensor, weight: Tensor, bias: Tensor, kernel k: Int) -> Tensor {
        let (ci, h, w) = (input.channels, input.height, input.width), co = weight.shape[0], r = k / 2
        var out = Tensor(zeros: [co, h, w])
        for o in 0..<co {
            for y in 0..<h {
                for x in 0..<w {
                    var s = Double(bias.data[o])
                    for i in 0..<ci {
                        for dy in 0..<k {
                            let yy = y + dy - r
                            if yy < 0 || yy >= h { continue }
                            for dx in 0..<k {
                                let xx = x + dx - r
                                if xx < 0 || xx >= w { continue }
                                s += Double(weight.data[((o * ci + i) * k + dy) * k + dx]) * Double(input[i, yy, xx])
                            }
                        }
                    }
                    out[o, y, x] = Float(s)
                }
            }
        }
        return out
    }

    /// A 3×3 depthwise convolution with padding value `pad[c]` outside the picture.
    static func depthwise3x3(_ input: Tensor, kernels: [[Float]], bias: [Float], pad: [Float]) -> Tensor {
        let (c, h, w) = (input.channels, input.height, input.width)
        var out = Tensor(zeros: [c, h, w])
        for ch in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    var s = Double(bias[ch])
                    for dy in 0..<3 {
                        for dx in 0..<3 {
                            let yy = y + dy - 1, xx = x + dx - 1
                            let v = (yy < 0 || yy >= h || xx < 0 || xx >= w) ? pad[ch] : input[ch, yy, xx]
                            s += Double(kernels[ch][dy * 3 + dx]) * Double(v)
                        }
                    }
                    out[ch, y, x] = Float(s)
                }
            }
        }
        return out
    }

    /// A k×k convolution whose input is padded with `pad[i]` instead of zero.
    static func conv(_ input: Tensor, weight: Tensor, bias: Tensor, kernel k: Int, padValues pad: [Float]) -> Tensor {
        let (ci, h, w) = (input.channels, input.height, input.width), co = weight.shape[0], r = k / 2
        var out = Tensor(zeros: [co, h, w])
        for o in 0..<co {
            for y in 0..<h {
                for x in 0..<w {
                    var s = Double(bias.data[o])
                    for i in 0..<ci {
                        for dy in 0..<k {
                            for dx in 0..<k {
                                let yy = y + dy - r, xx = x + dx - r
                                let v = (yy < 0 || yy >= h || xx < 0 || xx >= w) ? pad[i] : input[i, yy, xx]
                                s += Double(weight.data[((o * ci + i) * k + dy) * k + dx]) * Double(v)
                            }
                        }
                    }
                    out[o, y, x] = Float(s)
                }
            }
        }
        return out
    }

    /// The sum of a re-parameterisable block's five branches (see `RepConvBlock`).
    static func repConv(_ x: Tensor, prefix p: String, weights w: Weights, outChannels co: Int) -> Tensor {
        var sum = conv(x, weight: w[p + ".k3.weight"]!, bias: w[p + ".k3.bias"]!, kernel: 3)
        func accumulate(_ t: Tensor) { for i in sum.data.indices { sum.data[i] += t.data[i] } }
        let b1 = w[p + ".k1k3.b1"]!
        let mid = conv(x, weight: w[p + ".k1k3.w1"]!, bias: b1, kernel: 1)
        accumulate(conv(mid, weight: w[p + ".k1k3.w3"]!, bias: w[p + ".k1k3.b3"]!, kernel: 3, padValues: b1.data))
        for (name, mask) in RepConvBlock.masks {
            let b = w[p + ".\(name).b1"]!
            let m = conv(x, weight: w[p + ".\(name).w1"]!, bias: b, kernel: 1)
            let scale = w[p + ".\(name).scale"]!.data
            accumulate(
                depthwise3x3(
                    m, kernels: (0..<co).map { o in mask.map { $0 * scale[o] } }, bias: w[p + ".\(name).bias"]!.data,
                    pad: b.data))
        }
        return sum
    }

    /// out[o, 2y+dy, 2x+dx] = b[o] + Σ_i w[i,o,dy,dx] · in[i,y,x].
    public static func convTranspose2x2(_ input: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (ci, h, w) = (input.channels, input.height, input.width), co = weight.shape[1]
        var out = Tensor(zeros: [co, 2 * h, 2 * w])
        for o in 0..<co {
            for y in 0..<h {
                for x in 0..<w {
                    for dy in 0..<2 {
                        for dx in 0..<2 {
                            var s = Double(bias.data[o])
                            for i in 0..<ci {
                                s += Double(weight.data[((i * co + o) * 2 + dy) * 2 + dx]) * Double(input[i, y, x])
                            }
                            out[o, 2 * y + dy, 2 * x + dx] = Float(s)
                        }
                    }
                }
            }
        }
        return out
    }

    /// (x − mean) / √(var + 1e-5) per channel over the picture (biased variance, as PyTorch).
    public static func instanceNorm(_ input: Tensor) -> Tensor {
        let plane = input.height * input.width
        var out = input
        for c in 0..<input.channels {
            let slice = input.data[(c * plane)..<((c + 1) * plane)]
            let mean = slice.reduce(0.0) { $0 + Double($1) } / Double(plane)
            let variance = slice.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / Double(plane)
            let inv = 1 / (variance + 1e-5).squareRoot()
            for i in (c * plane)..<((c + 1) * plane) { out.data[i] = Float((Double(input.data[i]) - mean) * inv) }
        }
        return out
    }

    public static func maxPool2x2(_ input: Tensor) -> Tensor {
        let (c, h, w) = (input.channels, input.height / 2, input.width / 2)
        var out = Tensor(zeros: [c, h, w])
        for ch in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    out[ch, y, x] = max(
                        max(input[ch, 2 * y, 2 * x], input[ch, 2 * y, 2 * x + 1]),
                        max(input[ch, 2 * y + 1, 2 * x], input[ch, 2 * y + 1, 2 * x + 1]))
                }
            }
        }
        return out
    }

    /// ONNX SpaceToDepth(b): out[(dy·b + dx)·C + c, y, x] = in[c, b·y + dy, b·x + dx].
    public static func spaceToDepth(_ input: Tensor, block b: Int) -> Tensor {
        let (c, h, w) = (input.channels, input.height / b, input.width / b)
        var out = Tensor(zeros: [b * b * c, h, w])
        for ch in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    for dy in 0..<b {
                        for dx in 0..<b {
                            out[(dy * b + dx) * c + ch, y, x] = input[ch, b * y + dy, b * x + dx]
                        }
                    }
                }
            }
        }
        return out
    }

    /// ONNX DepthToSpace(b, DCR), the inverse of `spaceToDepth(_:block:)`.
    public static func depthToSpace(_ input: Tensor, block b: Int) -> Tensor {
        let (c, h, w) = (input.channels / (b * b), input.height, input.width)
        var out = Tensor(zeros: [c, b * h, b * w])
        for ch in 0..<c {
            for y in 0..<h {
                for x in 0..<w {
                    for dy in 0..<b {
                        for dx in 0..<b {
                            out[ch, b * y + dy, b * x + dx] = input[(dy * b + dx) * c + ch, y, x]
                        }
                    }
                }
            }
        }
        return out
    }
}
