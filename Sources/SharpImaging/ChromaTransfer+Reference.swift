import SharpFrames

extension ChromaTransfer {
    /// Plain definition of the transfer (the oracle for `apply`): per chroma sample, direct
    /// window sums in Double over the samples inside the frame, no running sums, no skipping.
    public func applyReference(input: Frame, output: Frame) {
        precondition(
            input.format == output.format && input !== output, "ChromaTransfer: needs two distinct frames of one format"
        )
        let grid = Self.grid(of: input.format)
        let (w, h, nc, sy) = (grid.width, grid.height, grid.channels, grid.sy)
        let (rx, ry) = radii(of: grid)
        let rgb = input.pixelFormat == .rgb24
        let eps = Double(settings.epsilon), bias = rgb ? eps : 0
        var guide = [Double](repeating: 0, count: w * h), change = guide
        var channel = [[Double]](repeating: guide, count: nc)

        func luma(_ f: Frame, _ x: Int, _ y: Int) -> Double {
            if rgb {
                let (kr, kg, kb) = f.colorSpace.matrix.lumaWeights
                let p = f.planes[0].row(y) + 3 * x
                // Float, as `apply` computes it (the change is a difference of two such values).
                return Double(Float(kr) * Float(p[0]) + Float(kg) * Float(p[1]) + Float(kb) * Float(p[2]))
            }
            return Double(f.lumaRow(y)[x])
        }
        for j in 0..<h {
            for i in 0..<w {
                if rgb {
                    guide[j * w + i] = luma(input, i, j)
                    change[j * w + i] = luma(output, i, j) - luma(input, i, j)
                    for k in 0..<3 { channel[k][j * w + i] = Double(input.planes[0].row(j)[3 * i + k]) }
                    continue
                }
                // The luma samples this chroma sample covers, each counted as the mean counts it.
                let xs = [2 * i, min(2 * i + 1, input.width - 1)]
                let ys = sy == 2 ? [2 * j, min(2 * j + 1, input.height - 1)] : [j]
                var before = 0.0, after = 0.0
                for yy in ys { for xx in xs { before += luma(input, xx, yy); after += luma(output, xx, yy) } }
                let n = Double(xs.count * ys.count)
                guide[j * w + i] = before / n
                change[j * w + i] = (after - before) / n
                let (u, v) = input.chromaRows(forLumaRow: ys[0])
                channel[0][j * w + i] = Double(u[i])
                channel[1][j * w + i] = Double(v[i])
            }
        }
        func window(_ i: Int, _ j: Int) -> [Int] {
            var idx: [Int] = []
            for y in max(0, j - ry)...min(h - 1, j + ry) {
                for x in max(0, i - rx)...min(w - 1, i + rx) { idx.append(y * w + x) }
            }
            return idx
        }
        var slope = [[Double]](repeating: [Double](repeating: 0, count: w * h), count: nc)
        for j in 0..<h {
            for i in 0..<w {
                let idx = window(i, j), n = Double(idx.count)
                let mg = idx.reduce(0) { $0 + guide[$1] } / n
                let variance = idx.reduce(0) { $0 + guide[$1] * guide[$1] } / n - mg * mg
                for k in 0..<nc {
                    let mc = idx.reduce(0) { $0 + channel[k][$1] } / n
                    let cov = idx.reduce(0) { $0 + guide[$1] * channel[k][$1] } / n - mg * mc
                    slope[k][j * w + i] = (cov + bias) / (variance + eps)
                }
            }
        }
        for j in 0..<h {
            for i in 0..<w {
                let d = change[j * w + i]
                guard d != 0 else { continue }
                let idx = window(i, j), n = Double(idx.count)
                var values = [UInt8](repeating: 0, count: nc)
                for k in 0..<nc {
                    let a = idx.reduce(0) { $0 + slope[k][$1] } / n
                    values[k] = UInt8(min(max(channel[k][j * w + i] + a * d, 0), 255).rounded())
                }
                if rgb {
                    for k in 0..<3 { output.planes[0].row(j)[3 * i + k] = values[k] }
                } else {
                    let (u, v) = output.chromaRows(forLumaRow: sy == 2 ? 2 * j : j)
                    u[i] = values[0]; v[i] = values[1]
                }
            }
        }
    }
}
