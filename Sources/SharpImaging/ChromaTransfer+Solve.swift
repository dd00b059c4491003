import CSharpKernels
import SharpFrames

/// Where a band's working memory lives (all float rows of the chroma grid's width W):
/// - `ring` slots of gathered rows, each G (the input's luma, minus 128: the mean of the luma
///   samples a chroma sample covers), D (the luma change, output − input, same averaging) and
///   the channels C_k (the input's chroma, or R, G, B, minus 128);
/// - `ring` slots of slope rows a_k;
/// - column sums of the statistics G, G², C_k, G·C_k over the rows of the current window, and
///   of the slopes; window sums; per-column 1 / (window columns), filled once per frame size;
///   an output row of channels;
/// - `deferredRows` output rows kept back: those within 2·ry rows of a band edge, which the band
///   next to it reads (RGB: the luma change is read from the output pixels themselves), written
///   once every band has finished.
/// Centred values keep every window sum of G, G², C and G·C of a YUV frame exact in Float
/// (multiples of 1/16 below 2^20), so the running column sums do not drift; an RGB frame's guide
/// is not a multiple of a power of two, and its sums drift by ~1e-3 per 1000 rows (ε is 10).
struct BandLayout {
    let width: Int, channels: Int, ring: Int
    var statistics: Int { 2 + 2 * channels }
    var gatheredRow: Int { (2 + channels) * width }
    var slopeRow: Int { channels * width }

    init(width: Int, channels: Int, ry: Int) {
        self.width = width
        self.channels = channels
        ring = 2 * ry + 2  // rows t − 2·ry − 1 ... t: the window of the row being finished, and the one leaving
    }

    var gathered: Int { 0 }
    var slopes: Int { gathered + ring * gatheredRow }
    var statisticSums: Int { slopes + ring * slopeRow }
    var slopeSums: Int { statisticSums + statistics * width }
    var windowSums: Int { slopeSums + slopeRow }
    var columnInverses: Int { windowSums + statistics * width }
    var outputRow: Int { columnInverses + width }
    var deferred: Int { outputRow + slopeRow }
    var deferredRows: Int { 2 * (ring - 2) }
    var floats: Int { deferred + deferredRows * slopeRow }
}

extension ChromaTransfer {
    /// The transfer on the chroma rows `band`, streaming: at step t it gathers row t, finishes the
    /// slopes of row t − ry (their window is rows t − 2·ry ... t) and the output of row t − 2·ry
    /// (the slopes of rows t − 3·ry ... t − ry). The band starts 2·ry rows above its first row and
    /// ends 2·ry rows below its last, so bands need nothing from each other.
    /// Rows it keeps back are listed in `deferredRows` (−1: none) for `writeDeferred`.
    func transfer(
        _ input: Frame, _ output: Frame, rows band: Range<Int>, bias: Float,
        memory: UnsafeMutablePointer<Float>, flags changed: UnsafeMutablePointer<Bool>,
        deferredRows: UnsafeMutablePointer<Int>
    ) {
        let w = gridWidth, h = gridHeight, nc = channelCount, rx = radiusX, ry = radiusY
        let L = BandLayout(width: w, channels: nc, ry: ry)
        deferredRows.update(repeating: -1, count: L.deferredRows)
        guard !band.isEmpty else { return }
        let k = sc_pixels().pointee
        let statSums = memory + L.statisticSums, slopeSums = memory + L.slopeSums
        let window = memory + L.windowSums, inverse = memory + L.columnInverses, out = memory + L.outputRow
        statSums.update(repeating: 0, count: L.statistics * w)
        slopeSums.update(repeating: 0, count: L.slopeRow)
        func gathered(_ y: Int) -> UnsafeMutablePointer<Float> { memory + L.gathered + (y % L.ring) * L.gatheredRow }
        func slopes(_ y: Int) -> UnsafeMutablePointer<Float> { memory + L.slopes + (y % L.ring) * L.slopeRow }
        func rowsInWindow(_ y: Int, _ r: Int) -> Float { Float(min(h - 1, y + r) - max(0, y - r) + 1) }

        let first = max(0, band.lowerBound - 2 * ry), last = min(h, band.upperBound + 2 * ry)
        let firstSlope = max(0, band.lowerBound - ry)
        for t in first..<(last + 2 * ry) {
            // Row t in: gather it and add its statistics; the row that left the window goes out.
            if t < last {
                let g = gathered(t)
                gather(input, output, row: t, into: g)
                var any = false
                let d = g + w
                for x in 0..<w where d[x] != 0 { any = true; break }
                changed[t % L.ring] = any
            }
            let inRow = t < last ? gathered(t) : nil, outRow = t - 2 * ry - 1 >= first ? gathered(t - 2 * ry - 1) : nil
            if inRow != nil || outRow != nil {
                k.ct_accumulate_row(
                    inRow, inRow.map { $0 + 2 * w }, outRow, outRow.map { $0 + 2 * w }, w, Int32(nc), Int32(w), statSums
                )
            }
            // Slopes of row s = t − ry (its window, rows s − ry ... s + ry, is complete); the slopes
            // of row s − 2·ry − 1 leave the running sums.
            let s = t - ry, slopeEnd = min(h, band.upperBound + ry)
            if s >= firstSlope && s < slopeEnd {
                var needed = false
                for y in max(0, s - ry)...min(h - 1, s + ry) where changed[y % L.ring] { needed = true; break }
                if needed {
                    k.ct_window_sums(statSums, Int32(L.statistics), Int32(w), Int32(rx), window)
                    k.ct_slopes_row(
                        window, Int32(nc), Int32(w), inverse, 1 / rowsInWindow(s, ry), settings.epsilon,
                        bias * settings.epsilon, slopes(s), w)
                } else {
                    slopes(s).update(repeating: 0, count: L.slopeRow)  // no output row near it changes
                }
                for ch in 0..<nc { k.axpy(1, slopes(s) + ch * w, Int32(w), slopeSums + ch * w) }
            }
            let leaving = s - 2 * ry - 1
            if leaving >= firstSlope && leaving < slopeEnd {
                for ch in 0..<nc { k.axpy(-1, slopes(leaving) + ch * w, Int32(w), slopeSums + ch * w) }
            }
            // Output of row u = t − 2·ry: C_k + mean(a_k over its window) · D, on changed rows.
            let u = t - 2 * ry
            if band.contains(u) && changed[u % L.ring] {
                let g = gathered(u)
                out.update(from: g + 2 * w, count: L.slopeRow)
                k.ct_window_sums(slopeSums, Int32(nc), Int32(w), Int32(rx), window)
                k.ct_apply_row(window, Int32(nc), Int32(w), inverse, 1 / rowsInWindow(u, ry), g + w, out, w)
                // Slots 0 ..< 2·ry: rows from the band's top; 2·ry ..< 4·ry: rows from its bottom.
                let fromTop = u - band.lowerBound, fromBottom = band.upperBound - 1 - u
                let slot =
                    band.lowerBound > 0 && fromTop < 2 * ry
                    ? fromTop
                    : band.upperBound < h && fromBottom < 2 * ry ? 2 * ry + fromBottom : nil
                if let slot {
                    deferredRows[slot] = u
                    (memory + L.deferred + slot * L.slopeRow).update(from: out, count: L.slopeRow)
                } else {
                    scatter(output, row: u, from: out)
                }
            }
        }
    }

    /// Writes the rows `transfer` kept back.
    func writeDeferred(_ output: Frame, memory: UnsafeMutablePointer<Float>, deferredRows: UnsafeMutablePointer<Int>) {
        let L = BandLayout(width: gridWidth, channels: channelCount, ry: radiusY)
        for i in 0..<L.deferredRows where deferredRows[i] >= 0 {
            scatter(output, row: deferredRows[i], from: memory + L.deferred + i * L.slopeRow)
        }
    }
}
