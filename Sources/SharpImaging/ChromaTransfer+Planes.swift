import CSharpKernels
import SharpFrames

extension ChromaTransfer {
    /// Fills a gathered row (G, D, then the channels; see `BandLayout`) from chroma row `y` of
    /// the frames.
    func gather(_ input: Frame, _ output: Frame, row y: Int, into slot: UnsafeMutablePointer<Float>) {
        let w = gridWidth
        let g = slot, d = slot + w, c = slot + 2 * w
        if input.pixelFormat == .rgb24 {
            let (kr, kg, kb) = input.colorSpace.matrix.lumaWeights
            let wr = Float(kr), wg = Float(kg), wb = Float(kb)
            let i = input.planes[0].row(y), o = output.planes[0].row(y)
            let r0 = c, r1 = c + w, r2 = c + 2 * w
            for x in 0..<w {
                let ri = Float(i[3 * x]), gi = Float(i[3 * x + 1]), bi = Float(i[3 * x + 2])
                let yi = wr * ri + wg * gi + wb * bi
                let yo = wr * Float(o[3 * x]) + wg * Float(o[3 * x + 1]) + wb * Float(o[3 * x + 2])
                // The guide is exact luma, so that the three slopes weighted by the luma matrix sum
                // to 1: the transfer leaves the output's luma where the network put it.
                g[x] = yi - 128
                d[x] = yo - yi
                r0[x] = ri - 128; r1[x] = gi - 128; r2[x] = bi - 128
            }
            return
        }
        let verticalPairs = input.pixelFormat != .yuyv
        let top = verticalPairs ? 2 * y : y
        let bottom = verticalPairs ? min(2 * y + 1, input.height - 1) : y
        let (iTop, iBottom) = (input.lumaRow(top), input.lumaRow(bottom))
        let (oTop, oBottom) = (output.lumaRow(top), output.lumaRow(bottom))
        let (u, v) = input.chromaRows(forLumaRow: top)
        sc_pixels().pointee.ct_gather_yuv_row(
            iTop.base, iBottom.base, oTop.base, oBottom.base, Int32(iTop.step), Int32(input.width),
            u.base, v.base, Int32(u.step), Int32(w), g, d, c, c + w)
    }

    /// Writes channel rows (`channels` rows of the grid width) into chroma row `y` of `output`.
    func scatter(_ output: Frame, row y: Int, from channels: UnsafeMutablePointer<Float>) {
        let w = gridWidth
        let k = sc_pixels().pointee
        if output.pixelFormat == .rgb24 {
            let o = output.planes[0].row(y)
            for ch in 0..<3 { k.ct_store_row(channels + ch * w, Int32(w), o + ch, 3) }
            return
        }
        let (u, v) = output.chromaRows(forLumaRow: output.pixelFormat == .yuyv ? y : 2 * y)
        k.ct_store_row(channels, Int32(w), u.base, Int32(u.step))
        k.ct_store_row(channels + w, Int32(w), v.base, Int32(v.step))
    }
}
