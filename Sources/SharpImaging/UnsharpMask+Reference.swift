import SharpFrames

extension UnsharpMask {
    /// Plain Swift definition (the oracle for the row kernels): luma in Float, a direct 2-D
    /// separable Gaussian with BORDER_REFLECT_101 per pixel, correction rounded half up.
    public func applyReference(_ input: Frame, strength: Float, into output: Frame) {
        if output !== input { output.copy(from: input) }
        let gain = amount * min(max(strength, 0), 1)
        let w = width, h = height, r = kernel.radius
        let taps = kernel.weights.map(Float.init)
        var l = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                if input.pixelFormat == .rgb24 {
                    let p = input.planes[0].row(y) + 3 * x
                    let (kr, kg, kb) = input.colorSpace.matrix.lumaWeights
                    l[y * w + x] = Float(kr) * Float(p[0]) + Float(kg) * Float(p[1]) + Float(kb) * Float(p[2])
                } else {
                    l[y * w + x] = Float(input.lumaRow(y)[x])
                }
            }
        }
        var hb = [Float](repeating: 0, count: w * h)
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for j in -r...r { s += taps[j + r] * l[y * w + reflect101(x + j, w)] }
                hb[y * w + x] = s
            }
        }
        func round8(_ v: Float) -> UInt8 { UInt8(min(max(v, 0), 255) + 0.5) }
        for y in 0..<h {
            for x in 0..<w {
                var s: Float = 0
                for j in -r...r { s += taps[j + r] * hb[reflect101(y + j, h) * w + x] }
                let delta = gain * (l[y * w + x] - s)
                if input.pixelFormat == .rgb24 {
                    let p = output.planes[0].row(y) + 3 * x
                    for c in 0..<3 { p[c] = round8(Float(p[c]) + delta) }
                } else {
                    output.lumaRow(y)[x] = round8(l[y * w + x] + delta)
                }
            }
        }
    }
}
