import SharpFrames
import SharpImaging
import SharpSupport
import Testing

/// The temporal filter against its stated invariants, on synthetic sequences where the
/// "network output" is the input plus a known correction.
@Suite struct TemporalFilterTests {
    static let w = 96, h = 64

    /// A textured frame (`shift` moves it right), noise of ±`noise`, and its "network output":
    /// the input plus a fixed pattern times `gain`.
    static func pair(
        _ pf: PixelFormat, shift: Int = 0, noise: Int = 0, gain: Int = 1, _ rng: inout SplitMix64
    )
        -> (Frame, Frame)
    {
        let format = FrameFormat(pf, width: w, height: h)!
        let input = Frame(format: format, colorSpace: .bt709Limited)
        input.fillGrey()
        let output = Frame(format: format, colorSpace: .bt709Limited)
        for y in 0..<h {
            let i = input.lumaRow(y), o = output.lumaRow(y)
            for x in 0..<w {
                let sx = x + shift
                let n = noise > 0 ? Int(rng.next() % UInt64(2 * noise + 1)) - noise : 0
                let v = min(max(70 + (sx * 13 + y * 7) % 90 + n, 0), 255)
                i.base[x * i.step] = UInt8(v)
                o.base[x * o.step] = UInt8(min(max(v + gain * ((sx + y) % 7 - 3), 0), 255))
            }
        }
        if pf == .yuyv {  // chroma as the network leaves it: copied
            for y in 0..<h { for x in 0..<w { output.planes[0].row(y)[2 * x + 1] = input.planes[0].row(y)[2 * x + 1] } }
        } else {
            for p in 1..<input.planes.count { output.planes[p].copy(from: input.planes[p]) }
        }
        return (input, output)
    }

    static func luma(_ f: Frame) -> [UInt8] {
        (0..<h).flatMap { y in (0..<w).map { f.lumaRow(y).base[$0 * f.lumaRow(y).step] } }
    }

    @Test(arguments: [PixelFormat.i420, .yuyv])
    func firstFrameAndAStillSceneComeOutAsTheNetworkMadeThem(_ pf: PixelFormat) {
        var rng = SplitMix64(seed: 1)
        let filter = TemporalFilter()
        for t in 0..<12 {
            let (i, o) = Self.pair(pf, &rng)
            let expected = Self.luma(o)
            filter.apply(input: i, output: o)
            #expect(Self.luma(o) == expected, "frame \(t)")
        }
        // A new correction on the same picture (a strength change without reset): the output
        // converges exactly to the new network output.
        var last: [UInt8] = []
        var expected: [UInt8] = []
        for _ in 0..<40 {
            let (i, o) = Self.pair(pf, gain: 3, &rng)
            expected = Self.luma(o)
            filter.apply(input: i, output: o)
            last = Self.luma(o)
        }
        #expect(last == expected, "converged exactly")
    }

    @Test func noiseOnAStillSceneIsAveraged() {
        var rng = SplitMix64(seed: 2)
        let filter = TemporalFilter()
        var outs: [[UInt8]] = [], ins: [[UInt8]] = []
        for _ in 0..<40 {
            let (i, o) = Self.pair(.i420, noise: 3, &rng)
            ins.append(Self.luma(o))  // the per-frame network output
            filter.apply(input: i, output: o)
            outs.append(Self.luma(o))
        }
        func std(_ frames: [[UInt8]]) -> Double {
            let f = Array(frames.dropFirst(10))
            var total = 0.0
            for p in f[0].indices {
                let v = f.map { Double($0[p]) }, m = v.reduce(0, +) / Double(v.count)
                total += (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count)).squareRoot()
            }
            return total / Double(f[0].count)
        }
        let ratio = std(outs) / std(ins)
        #expect(ratio < 0.75, "temporal noise ratio \(ratio)")
    }

    @Test func motionIsFollowedAtOnce() {
        var rng = SplitMix64(seed: 3)
        let filter = TemporalFilter()
        for _ in 0..<10 {
            let (i, o) = Self.pair(.i420, noise: 2, &rng)
            filter.apply(input: i, output: o)
        }
        // The picture moves by 9 pixels in one frame: (nearly) every pixel follows at once.
        let (i, o) = Self.pair(.i420, shift: 9, &rng)
        let expected = Self.luma(o)
        filter.apply(input: i, output: o)
        let same = zip(Self.luma(o), expected).filter { $0 == $1 }.count
        #expect(Double(same) / Double(expected.count) > 0.9, "\(same) of \(expected.count) follow the new frame")
    }

    @Test func deterministicAndEqualToThePortableLoops() {
        var a = SplitMix64(seed: 4), b = SplitMix64(seed: 4)
        let best = TemporalFilter(), portable = TemporalFilter(kernels: .portable)
        for t in 0..<30 {
            let (i1, o1) = Self.pair(.yuyv, shift: t / 3, noise: 3, &a)
            let (i2, o2) = Self.pair(.yuyv, shift: t / 3, noise: 3, &b)
            best.apply(input: i1, output: o1)
            portable.apply(input: i2, output: o2)
            #expect((0..<(2 * Self.w)).allSatisfy { o1.planes[0].row(5)[$0] == o2.planes[0].row(5)[$0] })
            #expect(Self.luma(o1) == Self.luma(o2), "frame \(t): \(best.kernelName) vs portable")
        }
        #expect(portable.kernelName == "portable")
    }
}
