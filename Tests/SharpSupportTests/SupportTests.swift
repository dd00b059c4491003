import SharpSupport
import Testing

@Suite struct SupportTests {
    @Test func psnrConvention() {
        #expect(PSNR.decibels(meanSquaredError: 0) == PSNR.maximum)
        #expect(abs(PSNR.decibels(meanSquaredError: 1) - 48.1308) < 1e-3)
        #expect(PSNR.decibels(meanSquaredError: 1e-30) == PSNR.maximum)
        #expect(abs(PSNR.decibels([0, 0, 0, 0], [2, 0, 0, 0]) - PSNR.decibels(meanSquaredError: 1)) < 1e-12)
        #expect(PSNR.decibels([7, 8], [7, 8]) == 100)
    }

    /// Nearest rank: the smallest sample with at least the fraction at or below it.
    @Test func percentileNearestRank() {
        let s = Array(1...100).map(Double.init)
        #expect(
            Percentile.of(s[...], 0.5) == 50 && Percentile.of(s[...], 0.99) == 99 && Percentile.of(s[...], 1) == 100)
        #expect(Percentile.of(s[...], 0) == 1)
        #expect(Percentile.of([5.0][...], 0.99) == 5)
        #expect(Percentile.rankIndex(0.5, count: 3) == 1)
    }

    @Test func splitMixIsDeterministic() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        let xs = (0..<5).map { _ in a.next() }, ys = (0..<5).map { _ in b.next() }
        #expect(xs == ys)
        var c = SplitMix64(seed: 0)
        #expect(c.next() == 0xE220_A839_7B1D_CDAF)  // the published SplitMix64 sequence for seed 0
        var u = SplitMix64(seed: 7)
        let values = (0..<10_000).map { _ in u.uniform() }
        #expect(values.allSatisfy { (0..<1).contains($0) } && abs(values.reduce(0, +) / 10_000 - 0.5) < 0.02)
    }

    @Test func errorsNameTheirSubject() {
        #expect(SharpCamError("no such model", subject: "x.scw").description == "x.scw: no such model")
        #expect(SharpCamError("--arch is required").description == "--arch is required")
    }

    /// A progress line wider than the terminal wraps, and the next `\r` redraw then starts a new
    /// line instead of replacing it: lines are cut to the terminal's width minus one.
    @Test func progressLinesFitTheTerminal() {
        let long = ProgressBar.line(
            label: "sharpening", done: 12_345, total: 99_999, elapsed: 12,
            detail: String(repeating: "loss 0.1234 ", count: 8))
        #expect(long.count == 79 && long.hasSuffix("…"))
        #expect(long.hasPrefix("sharpening [##"))
        let narrow = ProgressBar.line(label: "x", done: 1, total: 10, elapsed: 1, columns: 40)
        #expect(narrow.count == 39)
        let short = ProgressBar.line(label: "x", done: 1, total: 10, elapsed: 1, width: 4)
        #expect(short == "x [----] 1/10 frames  1.0 fps  ETA 0:09")
        let process = ProcessUsage(window: 5)
        process.sample(count: 0)
        var x = 0.0
        for i in 0..<2_000_000 { x += Double(i).squareRoot() }
        process.sample(count: 30)
        #expect(x > 0 && process.cpuPercent > 0 && process.countPerSecond > 0)
        #expect(ProcessUsage.residentBytes() > 1_000_000)
    }
}
