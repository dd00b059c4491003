import SharpSupport

/// Summary of repeated timings (nanoseconds in, milliseconds out).
///
/// Invariant: built from at least one sample; percentiles are nearest-rank on sorted samples.
struct LatencyStatistics: Codable, Sendable {
    let samples: Int
    let mean: Double
    let p50: Double
    let p99: Double
    let max: Double
    let min: Double

    init(nanoseconds: [UInt64]) {
        precondition(!nanoseconds.isEmpty, "no samples")
        let ms = nanoseconds.map { Double($0) / 1e6 }.sorted()
        samples = ms.count
        mean = ms.reduce(0, +) / Double(ms.count)
        p50 = Percentile.of(ms[...], 0.5)
        p99 = Percentile.of(ms[...], 0.99)
        max = ms.last!
        min = ms.first!
    }
}

/// Formats a table with aligned columns.
struct TextTable {
    var header: [String]
    var rows: [[String]] = []

    var rendered: String {
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ r: [String]) -> String {
            r.enumerated().map { c, v in
                c == 0
                    ? v.padding(toLength: widths[c], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[c] - v.count) + v
            }.joined(separator: "  ")
        }
        return
            ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
            .joined(separator: "\n")
    }
}

func fmt3(_ v: Double, _ digits: Int = 3) -> String {
    var s = String(Int((v * pow10(digits)).rounded()))
    let neg = s.hasPrefix("-")
    if neg { s.removeFirst() }
    while s.count <= digits { s = "0" + s }
    let i = s.index(s.endIndex, offsetBy: -digits)
    return (neg ? "-" : "") + s[..<i] + (digits > 0 ? "." + s[i...] : "")
}

private func pow10(_ n: Int) -> Double { (0..<n).reduce(1.0) { a, _ in a * 10 } }
