import CSharpKernels

extension ChromaTransfer {
    // The float planes on the chroma grid (W × H, row-major, no padding), filled by `gather`:
    //   guide    G: luma of the input, minus 128 (the mean of the luma samples a chroma sample covers)
    //   change   D: the luma change (output − input), same averaging
    //   channels C_k: the input's chroma (or R, G, B) minus 128, plane after plane
    //   slopes   a_k: written by pass 1, read by pass 2
    // Centred values keep every window sum of G, G², C and G·C of a YUV frame exact in Float
    // (multiples of 1/16 below 2^20), so the running column sums below do not drift; an RGB
    // frame's guide is not a multiple of a power of two, and its sums drift by ~1e-3 per 1000
    // rows (ε is 10).

    /// Counts the rows whose luma changed anywhere (`changedRows`, a running count).
    func countChangedRows() {
        let w = gridWidth, h = gridHeight, d = change!, count = changedRows!
        count[0] = 0
        for y in 0..<h {
            let row = d + y * w
            var any = false
            for x in 0..<w where row[x] != 0 { any = true; break }
            count[y + 1] = count[y] + (any ? 1 : 0)
        }
    }

    /// Pass 1 on the band `rows`: the slope a_k = (cov(G, C_k) + bias·ε) / (var(G) + ε) of
    /// every row within `ry` rows of a changed row (others get 0: no output row reads them).
    /// Column sums run down the band, starting from the rows above it.
    func solveCoefficients(rows band: Range<Int>, rx: Int, ry: Int, bias: Float, scratch: UnsafeMutablePointer<Float>) {
        guard !band.isEmpty else { return }
        let k = sc_pixels().pointee
        let w = gridWidth, h = gridHeight, nc = channelCount, stats = 2 + 2 * nc
        let g = guide!, c = channelPlanes!, a = coefficients!, changed = changedRows!
        let plane = w * h
        let col = scratch, win = scratch + stats * w, inverse = win + stats * w
        col.update(repeating: 0, count: stats * w)
        Self.columnInverses(into: inverse, width: w, rx: rx)
        /// Adds row `add` and removes row `remove` (either may be outside the frame: skipped).
        func slide(add: Int, remove: Int) {
            let a = add >= 0 && add < h, r = remove >= 0 && remove < h
            guard a || r else { return }
            k.ct_accumulate_row(a ? g + add * w : nil, a ? c + add * w : nil, r ? g + remove * w : nil, r ? c + remove * w : nil,
                                plane, Int32(nc), Int32(w), col)
        }
        // Rows lowerBound − ry − 1 ..< lowerBound + ry: the first step below adds one and removes one.
        for y in max(0, band.lowerBound - ry - 1)..<min(h, band.lowerBound + ry) { slide(add: y, remove: -1) }
        for y in band {
            slide(add: y + ry, remove: y - ry - 1)
            let needed = changed[min(h, y + ry + 1)] - changed[max(0, y - ry)] > 0
            if !needed {
                for ch in 0..<nc { (a + ch * plane + y * w).update(repeating: 0, count: w) }
                continue
            }
            k.ct_window_sums(col, Int32(stats), Int32(w), Int32(rx), win)
            let rowInverse = 1 / Float(min(h - 1, y + ry) - max(0, y - ry) + 1)
            k.ct_slopes_row(win, Int32(nc), Int32(w), inverse, rowInverse, settings.epsilon, bias * settings.epsilon, a + y * w, plane)
        }
    }

    /// Pass 2 on the band `rows`: C_k += mean(a_k over the window) · D on every changed row.
    func averageAndApply(rows band: Range<Int>, rx: Int, ry: Int, scratch: UnsafeMutablePointer<Float>) {
        guard !band.isEmpty else { return }
        let k = sc_pixels().pointee
        let w = gridWidth, h = gridHeight, nc = channelCount
        let a = coefficients!, c = channelPlanes!, d = change!, changed = changedRows!
        let plane = w * h
        let col = scratch, win = scratch + nc * w, inverse = win + nc * w
        col.update(repeating: 0, count: nc * w)
        Self.columnInverses(into: inverse, width: w, rx: rx)
        func accumulate(_ y: Int, _ sign: Float) {
            for ch in 0..<nc { k.axpy(sign, a + ch * plane + y * w, Int32(w), col + ch * w) }
        }
        // Rows lowerBound − ry − 1 ..< lowerBound + ry: the first step below adds one and removes one.
        for y in max(0, band.lowerBound - ry - 1)..<min(h, band.lowerBound + ry) { accumulate(y, 1) }
        for y in band {
            if y + ry < h { accumulate(y + ry, 1) }
            if y - ry - 1 >= 0 { accumulate(y - ry - 1, -1) }
            guard changed[y + 1] > changed[y] else { continue }
            k.ct_window_sums(col, Int32(nc), Int32(w), Int32(rx), win)
            let rowInverse = 1 / Float(min(h - 1, y + ry) - max(0, y - ry) + 1)
            k.ct_apply_row(win, Int32(nc), Int32(w), inverse, rowInverse, d + y * w, c + y * w, plane)
        }
    }

    /// 1 / (window columns) along a row of `width` (the window is clipped at the row ends).
    static func columnInverses(into out: UnsafeMutablePointer<Float>, width w: Int, rx: Int) {
        for x in 0..<w { out[x] = 1 / Float(min(w - 1, x + rx) - max(0, x - rx) + 1) }
    }
}
