import CSharpKernels
import SharpFrames

extension ChromaTransfer {
    /// Fills the guide, change and channel planes of the band `rows` from the frames (see
    /// `ChromaTransfer+Solve`).
    func gather(_ input: Frame, _ output: Frame, rows band: Range<Int>) {
        let w = gridWidth, h = gridHeight
        let g = guide!, d = change!, c = channelPlanes!
        let plane = w * h
        if input.pixelFormat == .rgb24 {
            let (kr, kg, kb) = input.colorSpace.matrix.lumaWeights
            let wr = Float(kr), wg = Float(kg), wb = Float(kb)
            for y in band {
                let i = input.planes[0].row(y), o = output.planes[0].row(y)
                let gr = g + y * w, dr = d + y * w, r0 = c + y * w, r1 = r0 + plane, r2 = r1 + plane
                for x in 0..<w {
                    let ri = Float(i[3 * x]), gi = Float(i[3 * x + 1]), bi = Float(i[3 * x + 2])
                    let yi = wr * ri + wg * gi + wb * bi
                    let yo = wr * Float(o[3 * x]) + wg * Float(o[3 * x + 1]) + wb * Float(o[3 * x + 2])
                    // The guide is exact luma, so that the three slopes weighted by the luma
                    // matrix sum to 1: the transfer leaves the output's luma where the network put it.
                    gr[x] = yi - 128
                    dr[x] = yo - yi
                    r0[x] = ri - 128; r1[x] = gi - 128; r2[x] = bi - 128
                }
            }
            return
        }
        let k = sc_pixels().pointee
        let lumaHeight = input.height
        let verticalPairs = input.pixelFormat != .yuyv
        for y in band {
            let top = verticalPairs ? 2 * y : y
            let bottom = verticalPairs ? min(2 * y + 1, lumaHeight - 1) : y
            let (iTop, iBottom) = (input.lumaRow(top), input.lumaRow(bottom))
            let (oTop, oBottom) = (output.lumaRow(top), output.lumaRow(bottom))
            let (u, v) = input.chromaRows(forLumaRow: top)
            k.ct_gather_yuv_row(iTop.base, iBottom.base, oTop.base, oBottom.base, Int32(iTop.step), Int32(input.width),
                                u.base, v.base, Int32(u.step), Int32(w), g + y * w, d + y * w, c + y * w, c + plane + y * w)
        }
    }

    /// Writes the channel planes of the band `rows` back into `output`'s colour, on rows whose
    /// luma changed.
    func scatter(_ output: Frame, rows band: Range<Int>) {
        let w = gridWidth, h = gridHeight, c = channelPlanes!, changed = changedRows!
        let plane = w * h
        let k = sc_pixels().pointee
        for y in band where changed[y + 1] > changed[y] {
            if output.pixelFormat == .rgb24 {
                let o = output.planes[0].row(y)
                for ch in 0..<3 { k.ct_store_row(c + ch * plane + y * w, Int32(w), o + ch, 3) }
                continue
            }
            let (u, v) = output.chromaRows(forLumaRow: output.pixelFormat == .yuyv ? y : 2 * y)
            k.ct_store_row(c + y * w, Int32(w), u.base, Int32(u.step))
            k.ct_store_row(c + plane + y * w, Int32(w), v.base, Int32(v.step))
        }
    }
}
