/// Writes a network as an ONNX model (opset 13, IR version 8) with a hand-written protobuf
/// encoder. Re-parameterisable students are exported in their collapsed (deployment) form.
///
/// The model takes "input" [1, C, H, W] (H, W symbolic; multiples of `spec.stride`) and
/// returns "output" [1, C_out, H, W], exactly what `ReferenceEngine.forward` computes.
public enum ONNXExporter {
    public static let opset = 13
    public static let irVersion = 8

    // ONNX enum values.
    static let floatType = 1, int64Type = 7
    static let attrFloat = 1, attrInt = 2, attrString = 3, attrInts = 7

    public static func export(_ weights: Weights) -> [UInt8] {
        let w = weights.collapsed()
        let graph = NetworkGraph(w.spec)
        var nodes: [[UInt8]] = []
        var initializers: [[UInt8]] = []
        func name(_ i: Int) -> String { i == 0 ? "input" : (i == graph.output ? "output" : "t\(i)") }

        func tensor(_ name: String, shape: [Int], floats: [Float]) -> [UInt8] {
            var t = ProtobufWriter()
            t.packedInts(1, shape)
            t.int(2, floatType)
            t.string(8, name)
            var raw = [UInt8]()
            raw.reserveCapacity(floats.count * 4)
            for f in floats {
                let b = f.bitPattern;
                raw += [UInt8(b & 0xFF), UInt8((b >> 8) & 0xFF), UInt8((b >> 16) & 0xFF), UInt8(b >> 24)]
            }
            t.data(9, raw)
            return t.bytes
        }
        func int64Tensor(_ name: String, _ values: [Int]) -> [UInt8] {
            var t = ProtobufWriter()
            t.packedInts(1, [values.count])
            t.int(2, int64Type)
            t.string(8, name)
            var raw = [UInt8]()
            for v in values {
                var x = UInt64(bitPattern: Int64(v)); for _ in 0..<8 { raw.append(UInt8(x & 0xFF)); x >>= 8 }
            }
            t.data(9, raw)
            return t.bytes
        }
        enum Attribute { case int(Int), ints([Int]), float(Float), string(String) }
        func node(_ op: String, _ inputs: [String], _ output: String, _ attributes: [(String, Attribute)] = []) {
            var n = ProtobufWriter()
            for i in inputs { n.string(1, i) }
            n.string(2, output)
            n.string(3, "\(op)_\(output)")
            n.string(4, op)
            for (key, value) in attributes {
                n.message(5) { a in
                    a.string(1, key)
                    switch value {
                    case .int(let v): a.int(3, v); a.int(20, attrInt)
                    case .ints(let v): for x in v { a.int(8, x) }; a.int(20, attrInts)
                    case .float(let v): a.float(2, v); a.int(20, attrFloat)
                    case .string(let v): a.string(4, v); a.int(20, attrString)
                    }
                }
            }
            nodes.append(n.bytes)
        }
        func parameter(_ name: String) -> String {
            let t = w[name]!
            initializers.append(tensor(name, shape: t.shape, floats: t.data))
            return name
        }

        for (i, n) in graph.nodes.enumerated() {
            let ins = n.inputs.map(name), out = name(i)
            switch n.op {
            case .input: continue
            case .conv(let p, let k):
                node(
                    "Conv", [ins[0], parameter(p + ".weight"), parameter(p + ".bias")], out,
                    [
                        ("kernel_shape", .ints([k, k])), ("pads", .ints([k / 2, k / 2, k / 2, k / 2])),
                        ("strides", .ints([1, 1])),
                    ])
            case .repConv:
                preconditionFailure("collapsed weights contain no re-parameterisable blocks")
            case .convTranspose2x2(let p):
                node(
                    "ConvTranspose", [ins[0], parameter(p + ".weight"), parameter(p + ".bias")], out,
                    [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2]))])
            case .relu: node("Relu", ins, out)
            case .tanh: node("Tanh", ins, out)
            case .instanceNorm:
                let scale = "\(out).scale", bias = "\(out).bias"
                initializers.append(tensor(scale, shape: [n.channels], floats: Array(repeating: 1, count: n.channels)))
                initializers.append(tensor(bias, shape: [n.channels], floats: Array(repeating: 0, count: n.channels)))
                node("InstanceNormalization", [ins[0], scale, bias], out, [("epsilon", .float(1e-5))])
            case .maxPool2x2:
                node("MaxPool", ins, out, [("kernel_shape", .ints([2, 2])), ("strides", .ints([2, 2]))])
            case .concat: node("Concat", ins, out, [("axis", .int(1))])
            case .add: node("Add", ins, out)
            case .slice(let r):
                let s = "\(out).starts", e = "\(out).ends", a = "\(out).axes"
                initializers += [int64Tensor(s, [r.lowerBound]), int64Tensor(e, [r.upperBound]), int64Tensor(a, [1])]
                node("Slice", [ins[0], s, e, a], out)
            case .spaceToDepth(let b): node("SpaceToDepth", ins, out, [("blocksize", .int(b))])
            case .depthToSpace(let b):
                node("DepthToSpace", ins, out, [("blocksize", .int(b)), ("mode", .string("DCR"))])
            }
        }

        func valueInfo(_ name: String, channels: Int) -> (inout ProtobufWriter) -> Void {
            { v in
                v.string(1, name)
                v.message(2) { type in
                    type.message(1) { tt in
                        tt.int(1, floatType)
                        tt.message(2) { shape in
                            shape.message(1) { $0.int(1, 1) }
                            shape.message(1) { $0.int(1, channels) }
                            shape.message(1) { $0.string(2, "height") }
                            shape.message(1) { $0.string(2, "width") }
                        }
                    }
                }
            }
        }

        var model = ProtobufWriter()
        model.int(1, irVersion)
        model.string(2, "sharpcam")
        model.string(3, "1")
        model.message(7) { g in
            for n in nodes { g.data(1, n) }
            g.string(2, w.spec.argument)
            for t in initializers { g.data(5, t) }
            g.message(11, valueInfo("input", channels: w.spec.inputChannels))
            g.message(12, valueInfo("output", channels: w.spec.outputChannels))
        }
        model.message(8) { o in
            o.string(1, ""); o.int(2, opset)
        }
        return model.bytes
    }
}
