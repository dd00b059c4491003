import SharpFrames
import SharpImaging

/// Anything that maps a network input tensor to its output tensor.
public protocol TensorEngine {
    var spec: ArchitectureSpec { get }
    func forward(_ input: Tensor) -> Tensor
}

extension ReferenceEngine: TensorEngine {
    public var spec: ArchitectureSpec { graph.spec }
}

/// Runs a network on frames: builds the input tensor the architecture expects, pads it to the
/// network's stride (reflect), runs the engine, crops, and writes the result into a frame of
/// the input's format with `out = in + strength · (net(in) − in)`.
///
/// Inputs:
/// - seed-unet / teacher: R, G, B scaled to [−1, 1], Sobel edge and HSV mask in [0, 1] (maps of the
///   RGB picture, as the seed computes them); the RGB result is converted back to the frame's
///   layout.
/// - student: luma in [0, 1] (limited range: (Y − 16) / 219; RGB frames: the matrix's luma),
///   plus edge and mask when the architecture uses them (computed from YUV without RGB). The
///   network changes luma; `ChromaTransfer` then carries the change into chroma (without it,
///   YUV chroma is copied and RGB frames get the luma change added to R, G and B).
/// - student with `usesChroma`: Y, Cb, Cr of the frame's RGB (`StudentYCbCr`, as the trainer
///   makes them) before the maps; the network's Y, Cb, Cr go back to RGB by its inverse and
///   into the frame's layout.
///
/// Invariant: the output frame has the input's format and size, for any size (odd included).
public final class NetworkFrameRunner {
    public let engine: TensorEngine
    /// Carries a student's luma change into chroma (nil: chroma is copied unchanged).
    public let chromaTransfer: ChromaTransfer?

    public init(engine: TensorEngine, transferChroma: Bool = true) {
        self.engine = engine
        chromaTransfer =
            transferChroma && engine.spec.kind == .student && !engine.spec.usesChroma ? ChromaTransfer() : nil
    }

    public var spec: ArchitectureSpec { engine.spec }

    /// The input tensor for `frame`, at the frame's size (not padded).
    public func inputTensor(for frame: Frame) -> Tensor {
        let w = frame.width, h = frame.height
        var t = Tensor(zeros: [spec.inputChannels, h, w])
        let plane = w * h
        switch spec.kind {
        case .seedUNet, .teacher:
            let rgb = rgbFrame(frame)
            for y in 0..<h {
                let r = rgb.planes[0].row(y)
                for x in 0..<w { for c in 0..<3 { t.data[c * plane + y * w + x] = Float(r[3 * x + c]) / 127.5 - 1 } }
            }
            addMaps(of: rgb, into: &t, firstChannel: 3)
        case .student where spec.usesChroma:
            let rgb = rgbFrame(frame)
            for y in 0..<h {
                for x in 0..<w {
                    let p = rgb.planes[0].row(y) + 3 * x
                    let c = StudentYCbCr.forward(r: Float(p[0]) / 255, g: Float(p[1]) / 255, b: Float(p[2]) / 255)
                    t.data[y * w + x] = c.y
                    t.data[plane + y * w + x] = c.cb
                    t.data[2 * plane + y * w + x] = c.cr
                }
            }
            if spec.usesMaps { addMaps(of: frame, into: &t, firstChannel: 3) }
        case .student:
            for y in 0..<h { for x in 0..<w { t.data[y * w + x] = Self.luma(frame, x, y) } }
            if spec.usesMaps { addMaps(of: frame, into: &t, firstChannel: 1) }
        }
        return t
    }

    /// Runs the engine on an unpadded input tensor (pads, runs, crops).
    public func forward(_ input: Tensor) -> Tensor {
        engine.forward(input.reflectPadded(toMultipleOf: spec.stride)).cropped(height: input.height, width: input.width)
    }

    public func process(_ input: Frame, strength: Float, into output: Frame) {
        precondition(input.format == output.format, "NetworkFrameRunner: formats differ")
        let x = inputTensor(for: input)
        let y = forward(x)
        let s = min(max(strength, 0), 1)
        let w = input.width, h = input.height, plane = w * h
        output.copy(from: input)
        switch spec.kind {
        case .seedUNet, .teacher:
            let rgb = Frame(format: input.format.with(.rgb24), colorSpace: input.colorSpace)
            for yy in 0..<h {
                let row = rgb.planes[0].row(yy)
                for xx in 0..<w {
                    for c in 0..<3 {
                        let before = x.data[c * plane + yy * w + xx], after = y.data[c * plane + yy * w + xx]
                        let v = (before + s * (after - before) + 1) * 127.5
                        row[3 * xx + c] = UInt8(min(max(v, 0), 255).rounded())
                    }
                }
            }
            rgb.colorSpace = input.colorSpace
            rgb.convert(into: output)
            output.copyMetadata(from: input)
        case .student where spec.usesChroma:
            let rgb = Frame(format: input.format.with(.rgb24), colorSpace: input.colorSpace)
            for yy in 0..<h {
                let row = rgb.planes[0].row(yy)
                for xx in 0..<w {
                    func blended(_ c: Int) -> Float {
                        let i = c * plane + yy * w + xx
                        return x.data[i] + s * (y.data[i] - x.data[i])
                    }
                    func byte(_ v: Float) -> UInt8 { UInt8(min(max(v * 255, 0), 255).rounded()) }
                    let c = StudentYCbCr.inverse(y: blended(0), cb: blended(1), cr: blended(2))
                    row[3 * xx] = byte(c.r)
                    row[3 * xx + 1] = byte(c.g)
                    row[3 * xx + 2] = byte(c.b)
                }
            }
            rgb.colorSpace = input.colorSpace
            rgb.convert(into: output)
            output.copyMetadata(from: input)
        case .student:
            for yy in 0..<h {
                for xx in 0..<w {
                    let before = x.data[yy * w + xx], after = y.data[yy * w + xx]
                    Self.setLuma(output, xx, yy, before + s * (after - before), original: before)
                }
            }
            chromaTransfer?.apply(input: input, output: output)
        }
    }

    // MARK: Helpers

    private func rgbFrame(_ frame: Frame) -> Frame {
        if frame.pixelFormat == .rgb24 { return frame }
        let rgb = Frame(format: frame.format.with(.rgb24))
        frame.convert(into: rgb)
        return rgb
    }

    private func addMaps(of frame: Frame, into t: inout Tensor, firstChannel c0: Int) {
        let w = frame.width, h = frame.height, plane = w * h
        let edge = GrayImage(width: w, height: h), mask = GrayImage(width: w, height: h)
        SobelEdgeMap(width: w, height: h).compute(frame, into: edge)
        SaturationMask().compute(frame, into: mask)
        for y in 0..<h {
            for x in 0..<w {
                t.data[c0 * plane + y * w + x] = Float(edge[x, y]) / 255
                t.data[(c0 + 1) * plane + y * w + x] = Float(mask[x, y]) / 255
            }
        }
    }

    /// Normalised luma of pixel (x, y) in [0, 1] (limited range mapped from 16...235).
    static func luma(_ f: Frame, _ x: Int, _ y: Int) -> Float {
        if f.pixelFormat == .rgb24 {
            let p = f.planes[0].row(y) + 3 * x
            let (kr, kg, kb) = f.colorSpace.matrix.lumaWeights
            return (Float(kr) * Float(p[0]) + Float(kg) * Float(p[1]) + Float(kb) * Float(p[2])) / 255
        }
        let v = Float(f.lumaRow(y)[x])
        return f.colorSpace.range == .limited ? (v - 16) / 219 : v / 255
    }

    /// Writes normalised luma `value` at (x, y): the Y sample for YUV frames, or the change
    /// from `original` added to R, G and B for RGB frames.
    static func setLuma(_ f: Frame, _ x: Int, _ y: Int, _ value: Float, original: Float) {
        func byte(_ v: Float) -> UInt8 { UInt8(min(max(v, 0), 255).rounded()) }
        if f.pixelFormat == .rgb24 {
            let p = f.planes[0].row(y) + 3 * x
            let delta = (value - original) * 255
            for c in 0..<3 { p[c] = byte(Float(p[c]) + delta) }
            return
        }
        f.lumaRow(y)[x] = byte(f.colorSpace.range == .limited ? value * 219 + 16 : value * 255)
    }
}
