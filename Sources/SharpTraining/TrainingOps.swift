import SharpNet

/// Forward and backward passes of every operation the architectures use, on [C, H, W]
/// tensors (one batch item). Backward functions take the forward's input (and output where
/// cheaper) and the gradient of the loss with respect to the output, return the gradient with
/// respect to the input, and add parameter gradients into the given tensors.
///
/// Invariant: each backward is the exact adjoint of its forward (checked against finite
/// differences in the tests).
enum TrainingOps {
    // MARK: Convolution (k×k, stride 1, zero padding k/2) via im2col + GEMM

    /// col[(i·k + dy)·k + dx, y·W + x] = x[i, y + dy − r, x + dx − r] (0 outside).
    static func im2col(
        _ x: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int, kernel k: Int,
        _ col: UnsafeMutablePointer<Float>
    ) {
        let r = k / 2, hw = h * w
        for i in 0..<c {
            for dy in 0..<k {
                for dx in 0..<k {
                    let row = col + ((i * k + dy) * k + dx) * hw
                    let ox = dx - r
                    for y in 0..<h {
                        let yy = y + dy - r
                        let dst = row + y * w
                        if yy < 0 || yy >= h { dst.update(repeating: 0, count: w); continue }
                        let src = x + (i * h + yy) * w
                        let x0 = max(0, -ox), x1 = min(w, w - ox)
                        if x0 > 0 { dst.update(repeating: 0, count: x0) }
                        if x1 > x0 { (dst + x0).update(from: src + x0 + ox, count: x1 - x0) }
                        if x1 < w { (dst + max(x1, 0)).update(repeating: 0, count: w - max(x1, 0)) }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: dx[i, y + dy − r, x + dx − r] += col[…].
    static func col2im(
        _ col: UnsafePointer<Float>, channels c: Int, height h: Int, width w: Int, kernel k: Int,
        _ dx: UnsafeMutablePointer<Float>
    ) {
        let r = k / 2, hw = h * w
        dx.update(repeating: 0, count: c * hw)
        for i in 0..<c {
            for ky in 0..<k {
                for kx in 0..<k {
                    let row = col + ((i * k + ky) * k + kx) * hw
                    let ox = kx - r
                    for y in 0..<h {
                        let yy = y + ky - r
                        if yy < 0 || yy >= h { continue }
                        let src = row + y * w, dst = dx + (i * h + yy) * w
                        let x0 = max(0, -ox), x1 = min(w, w - ox)
                        var x = x0
                        while x < x1 { dst[x + ox] += src[x]; x += 1 }
                    }
                }
            }
        }
    }

    static func convForward(_ x: Tensor, weight: Tensor, bias: Tensor, kernel k: Int, scratch: inout [Float]) -> Tensor
    {
        let (ci, h, w) = (x.channels, x.height, x.width), co = weight.shape[0], hw = h * w, kk = ci * k * k
        var y = Tensor(zeros: [co, h, w])
        y.data.withUnsafeMutableBufferPointer { yp in
            for o in 0..<co { (yp.baseAddress! + o * hw).update(repeating: bias.data[o], count: hw) }
            weight.data.withUnsafeBufferPointer { wp in
                if k == 1 {
                    x.data.withUnsafeBufferPointer { xp in
                        BLAS.gemm(
                            transA: false, transB: false, m: co, n: hw, k: kk, wp.baseAddress!, lda: kk,
                            xp.baseAddress!, ldb: hw,
                            beta: 1, yp.baseAddress!, ldc: hw)
                    }
                } else {
                    if scratch.count < kk * hw { scratch = [Float](repeating: 0, count: kk * hw) }
                    scratch.withUnsafeMutableBufferPointer { cp in
                        x.data.withUnsafeBufferPointer {
                            im2col($0.baseAddress!, channels: ci, height: h, width: w, kernel: k, cp.baseAddress!)
                        }
                        BLAS.gemm(
                            transA: false, transB: false, m: co, n: hw, k: kk, wp.baseAddress!, lda: kk,
                            cp.baseAddress!, ldb: hw,
                            beta: 1, yp.baseAddress!, ldc: hw)
                    }
                }
            }
        }
        return y
    }

    /// Adds dW, db; returns dx when `inputGradient` is set.
    static func convBackward(
        _ x: Tensor, dy: Tensor, weight: Tensor, kernel k: Int, dW: inout Tensor, db: inout Tensor,
        inputGradient: Bool, scratch: inout [Float]
    ) -> Tensor? {
        let (ci, h, w) = (x.channels, x.height, x.width), co = weight.shape[0], hw = h * w, kk = ci * k * k
        for o in 0..<co {
            var s: Float = 0
            for i in (o * hw)..<((o + 1) * hw) { s += dy.data[i] }
            db.data[o] += s
        }
        var dx: Tensor? = inputGradient ? Tensor(zeros: x.shape) : nil
        if scratch.count < kk * hw { scratch = [Float](repeating: 0, count: kk * hw) }
        dy.data.withUnsafeBufferPointer { dyp in
            dW.data.withUnsafeMutableBufferPointer { dwp in
                // dW[co, kk] += dY[co, hw] · col[kk, hw]ᵀ  (col = x itself for 1×1)
                if k == 1 {
                    x.data.withUnsafeBufferPointer { xp in
                        BLAS.gemm(
                            transA: false, transB: true, m: co, n: kk, k: hw, dyp.baseAddress!, lda: hw,
                            xp.baseAddress!, ldb: hw,
                            beta: 1, dwp.baseAddress!, ldc: kk)
                    }
                } else {
                    scratch.withUnsafeMutableBufferPointer { cp in
                        x.data.withUnsafeBufferPointer {
                            im2col($0.baseAddress!, channels: ci, height: h, width: w, kernel: k, cp.baseAddress!)
                        }
                        BLAS.gemm(
                            transA: false, transB: true, m: co, n: kk, k: hw, dyp.baseAddress!, lda: hw,
                            cp.baseAddress!, ldb: hw,
                            beta: 1, dwp.baseAddress!, ldc: kk)
                    }
                }
            }
            guard inputGradient else { return }
            weight.data.withUnsafeBufferPointer { wp in
                dx!.data.withUnsafeMutableBufferPointer { dxp in
                    if k == 1 {
                        // dX[ci, hw] = Wᵀ[ci, co] · dY[co, hw]
                        BLAS.gemm(
                            transA: true, transB: false, m: kk, n: hw, k: co, wp.baseAddress!, lda: kk,
                            dyp.baseAddress!, ldb: hw,
                            beta: 0, dxp.baseAddress!, ldc: hw)
                    } else {
                        scratch.withUnsafeMutableBufferPointer { cp in
                            BLAS.gemm(
                                transA: true, transB: false, m: kk, n: hw, k: co, wp.baseAddress!, lda: kk,
                                dyp.baseAddress!, ldb: hw,
                                beta: 0, cp.baseAddress!, ldc: hw)
                            col2im(cp.baseAddress!, channels: ci, height: h, width: w, kernel: k, dxp.baseAddress!)
                        }
                    }
                }
            }
        }
        return dx
    }

    // MARK: Transposed convolution 2×2, stride 2

    /// W[ci, co, 2, 2] → four contiguous [ci, co] matrices, one per output sub-position.
    static func splitTransposedWeight(_ weight: Tensor) -> [[Float]] {
        let ci = weight.shape[0], co = weight.shape[1]
        return (0..<4).map { s in (0..<(ci * co)).map { weight.data[$0 * 4 + s] } }
    }

    static func convTransposeForward(_ x: Tensor, weight: Tensor, bias: Tensor) -> Tensor {
        let (ci, h, w) = (x.channels, x.height, x.width), co = weight.shape[1], hw = h * w
        var y = Tensor(zeros: [co, 2 * h, 2 * w])
        var sub = [Float](repeating: 0, count: co * hw)
        for (s, ws) in splitTransposedWeight(weight).enumerated() {
            ws.withUnsafeBufferPointer { wp in
                x.data.withUnsafeBufferPointer { xp in
                    sub.withUnsafeMutableBufferPointer { sp in
                        // Ysub[co, hw] = Wsubᵀ[co, ci] · X[ci, hw]
                        BLAS.gemm(
                            transA: true, transB: false, m: co, n: hw, k: ci, wp.baseAddress!, lda: co, xp.baseAddress!,
                            ldb: hw, beta: 0, sp.baseAddress!, ldc: hw)
                    }
                }
            }
            let dy = s / 2, dx = s % 2
            for o in 0..<co {
                for yy in 0..<h {
                    for xx in 0..<w {
                        y.data[(o * 2 * h + 2 * yy + dy) * 2 * w + 2 * xx + dx] =
                            sub[o * hw + yy * w + xx] + bias.data[o]
                    }
                }
            }
        }
        return y
    }

    static func convTransposeBackward(
        _ x: Tensor, dy: Tensor, weight: Tensor, dW: inout Tensor, db: inout Tensor
    ) -> Tensor {
        let (ci, h, w) = (x.channels, x.height, x.width), co = weight.shape[1], hw = h * w
        var dx = Tensor(zeros: x.shape)
        var sub = [Float](repeating: 0, count: co * hw)
        var dws = [Float](repeating: 0, count: ci * co)
        for o in 0..<co {
            var s: Float = 0
            for i in (o * 4 * hw)..<((o + 1) * 4 * hw) { s += dy.data[i] }
            db.data[o] += s
        }
        for (s, ws) in splitTransposedWeight(weight).enumerated() {
            let oy = s / 2, ox = s % 2
            for o in 0..<co {
                for yy in 0..<h {
                    for xx in 0..<w {
                        sub[o * hw + yy * w + xx] = dy.data[(o * 2 * h + 2 * yy + oy) * 2 * w + 2 * xx + ox]
                    }
                }
            }
            ws.withUnsafeBufferPointer { wp in
                sub.withUnsafeBufferPointer { sp in
                    dx.data.withUnsafeMutableBufferPointer { dxp in
                        // dX[ci, hw] += Wsub[ci, co] · dYsub[co, hw]
                        BLAS.gemm(
                            transA: false, transB: false, m: ci, n: hw, k: co, wp.baseAddress!, lda: co,
                            sp.baseAddress!, ldb: hw, beta: 1, dxp.baseAddress!, ldc: hw)
                    }
                    x.data.withUnsafeBufferPointer { xp in
                        dws.withUnsafeMutableBufferPointer { dp in
                            // dWsub[ci, co] = X[ci, hw] · dYsub[co, hw]ᵀ
                            BLAS.gemm(
                                transA: false, transB: true, m: ci, n: co, k: hw, xp.baseAddress!, lda: hw,
                                sp.baseAddress!, ldb: hw, beta: 0, dp.baseAddress!, ldc: co)
                        }
                    }
                }
            }
            for j in 0..<(ci * co) { dW.data[j * 4 + s] += dws[j] }
        }
        return dx
    }

    // MARK: Element-wise and structural

    static func reluBackward(output y: Tensor, dy: Tensor) -> Tensor {
        var dx = dy
        for i in dx.data.indices where y.data[i] <= 0 { dx.data[i] = 0 }
        return dx
    }

    static func tanhBackward(output y: Tensor, dy: Tensor) -> Tensor {
        var dx = dy
        for i in dx.data.indices { dx.data[i] *= 1 - y.data[i] * y.data[i] }
        return dx
    }

    /// y = (x − μ)/σ per channel; dx = (dy − mean(dy) − y·mean(dy·y)) / σ.
    static func instanceNormBackward(input x: Tensor, output y: Tensor, dy: Tensor) -> Tensor {
        let plane = x.height * x.width
        var dx = Tensor(zeros: x.shape)
        for c in 0..<x.channels {
            let r = (c * plane)..<((c + 1) * plane)
            var mean = 0.0, variance = 0.0
            for i in r { mean += Double(x.data[i]) }
            mean /= Double(plane)
            for i in r { variance += (Double(x.data[i]) - mean) * (Double(x.data[i]) - mean) }
            variance /= Double(plane)
            let inv = 1 / (variance + 1e-5).squareRoot()
            var mdy = 0.0, mdyy = 0.0
            for i in r { mdy += Double(dy.data[i]); mdyy += Double(dy.data[i]) * Double(y.data[i]) }
            mdy /= Double(plane); mdyy /= Double(plane)
            for i in r { dx.data[i] = Float((Double(dy.data[i]) - mdy - Double(y.data[i]) * mdyy) * inv) }
        }
        return dx
    }

    /// Routes each output gradient to the input position that won the max (first on ties,
    /// as the forward's comparison order).
    static func maxPoolBackward(input x: Tensor, dy: Tensor) -> Tensor {
        var dx = Tensor(zeros: x.shape)
        let (h, w) = (dy.height, dy.width)
        for c in 0..<x.channels {
            for yy in 0..<h {
                for xx in 0..<w {
                    let cand = [(2 * yy, 2 * xx), (2 * yy, 2 * xx + 1), (2 * yy + 1, 2 * xx), (2 * yy + 1, 2 * xx + 1)]
                    var best = cand[0]
                    for p in cand.dropFirst() where x[c, p.0, p.1] > x[c, best.0, best.1] { best = p }
                    dx[c, best.0, best.1] += dy[c, yy, xx]
                }
            }
        }
        return dx
    }
}
