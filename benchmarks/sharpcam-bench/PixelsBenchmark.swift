import ArgumentParser
import CSharpKernels
import Foundation
import SharpCommandLine
import SharpFrames
import SharpImaging
import SharpMedia
import SharpNet
import SharpSupport

/// Per-frame cost of the pixel stages on one core: layout conversions, the seed's maps and
/// the classic sharpening, on every kernel table this CPU has, with libswscale for comparison.
struct PixelsBenchmark: SharpCamCommand {
    static let toolName = "sharpcam-bench"
    static let configuration = CommandConfiguration(
        commandName: "pixels",
        abstract: "Time conversions, Sobel/HSV maps and unsharp mask per frame (one thread).")

    @Option(help: "Frame size WIDTHxHEIGHT.")
    var size: String = "1280x720"

    @Option(help: "Timed iterations per operation (after warm-up).")
    var iterations: Int = 200

    @Option(help: "Video or picture to take frames from (default: the generated clip).")
    var input: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    struct Row: Codable {
        let operation: String
        let kernels: String
        let latency: LatencyStatistics
    }

    struct Report: Codable {
        let size: String
        let cpu: String
        let rows: [Row]
        /// YUYV → I420 → YUYV plus both maps from the I420 frame, p50 per kernel table
        /// (target: < 3 ms at 1280x720 on one core).
        let chainP50: [String: Double]
    }

    /// Times closures and collects rows.
    struct Timer {
        let iterations: Int
        var rows: [Row] = []

        @discardableResult
        mutating func time(_ operation: String, _ kernels: String, _ body: () -> Void) -> LatencyStatistics {
            for _ in 0..<10 { body() }
            var samples: [UInt64] = []
            samples.reserveCapacity(iterations)
            for _ in 0..<iterations {
                let t0 = monotonicNanos()
                body()
                samples.append(monotonicNanos() - t0)
            }
            let s = LatencyStatistics(nanoseconds: samples)
            rows.append(Row(operation: operation, kernels: kernels, latency: s))
            return s
        }
    }

    func execute() throws {
        guard let size = FrameSize(argument: size), let fmt = FrameFormat(.yuyv, width: size.width, height: size.height)
        else {
            throw ValidationError("--size must be WIDTHxHEIGHT")
        }
        let frames = try BenchmarkFrames(format: fmt, input: input).frames
        let w = fmt.width, h = fmt.height
        let i420 = Frame(format: fmt.with(.i420)), back = Frame(format: fmt), rgb = Frame(format: fmt.with(.rgb24))
        let edge = GrayImage(width: w, height: h), mask = GrayImage(width: w, height: h)
        let sobel = SobelEdgeMap(width: w, height: h), saturation = SaturationMask()
        let unsharp = UnsharpMask(width: w, height: h, settings: .default)
        var n = 0
        func next() -> Frame { n += 1; return frames[n % frames.count] }

        var timer = Timer(iterations: iterations)
        var chain: [String: Double] = [:]
        let available: [(String, UnsafePointer<sc_pixel_kernels>?)] = [
            ("avx512", sc_pixels_avx512()), ("avx2", sc_pixels_avx2()), ("portable", sc_pixels_portable()),
        ]
        let tables = available.filter { $0.1 != nil }
        for (table, kernels) in tables {
            sc_pixels_use(kernels)
            timer.time("YUYV → I420", table) { next().convert(into: i420) }
            timer.time("I420 → YUYV", table) { i420.convert(into: back) }
            timer.time("Sobel edge map (from I420)", table) { sobel.compute(i420, into: edge) }
            timer.time("Sobel edge map (from YUYV)", table) { sobel.compute(next(), into: edge) }
            timer.time("HSV mask (from I420)", table) { saturation.compute(i420, into: mask) }
            timer.time("HSV mask (from YUYV)", table) { saturation.compute(next(), into: mask) }
            timer.time("I420 → RGB24", table) { i420.convert(into: rgb) }
            timer.time("unsharp mask (YUYV)", table) { unsharp.apply(next(), strength: 1, into: back) }
            chain[table] =
                timer.time("chain: YUYV→I420→YUYV + both maps", table) {
                    next().convert(into: i420)
                    i420.convert(into: back)
                    sobel.compute(i420, into: edge)
                    saturation.compute(i420, into: mask)
                }.p50
        }
        sc_pixels_use(nil)
        let space = frames[0].colorSpace
        let swsIn = try FrameResizer(from: fmt, to: fmt.with(.i420), colorSpace: space, quality: .fast)
        let swsOut = try FrameResizer(from: fmt.with(.i420), to: fmt, colorSpace: space, quality: .fast)
        timer.time("YUYV → I420", "libswscale") { swsIn.resize(next(), into: i420) }
        timer.time("I420 → YUYV", "libswscale") { swsOut.resize(i420, into: back) }
        // The temporal filter on the clip's frames and stand-in network outputs (unsharp mask):
        // what it adds per frame after the network (portable C, the same on every CPU).
        let outputs = frames.map { f -> Frame in
            let o = Frame(format: f.format, colorSpace: f.colorSpace)
            unsharp.apply(f, strength: 1, into: o)
            return o
        }
        let scratch = Frame(format: fmt)
        var seen: Set<String> = []
        for kernels in [TemporalFilter.Kernels.avx512, .avx2, .portable] {
            let temporal = TemporalFilter(kernels: kernels)
            temporal.apply(input: frames[0], output: outputs[0])  // creates it: its kernel name is known after
            guard seen.insert(temporal.kernelName).inserted else { continue }  // a set this CPU lacks
            timer.time("temporal filter (YUYV luma) + frame copy", temporal.kernelName) {
                n += 1
                scratch.copy(from: outputs[n % frames.count])
                temporal.apply(input: frames[n % frames.count], output: scratch)
            }
        }
        timer.time("  (the frame copy alone)", "-") {
            n += 1; scratch.copy(from: outputs[n % frames.count])
        }

        let report = Report(size: "\(w)x\(h)", cpu: cpuDescription(), rows: timer.rows, chainP50: chain)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        var t = TextTable(header: ["operation (\(w)x\(h), 1 thread)", "kernels", "p50 ms", "p99 ms", "max ms"])
        for r in timer.rows {
            t.rows.append([r.operation, r.kernels, fmt3(r.latency.p50), fmt3(r.latency.p99), fmt3(r.latency.max)])
        }
        print("CPU: \(report.cpu)\n")
        print(t.rendered)
        print("")
        for (k, v) in chain.sorted(by: { $0.key < $1.key }) {
            print(
                """
                chain YUYV→I420→YUYV + Sobel + HSV mask, \(k) kernels: p50 \(fmt3(v)) ms per frame
                """
            )
        }
    }
}

func cpuDescription() -> String {
    let info = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
    let model =
        info.split(separator: "\n").first { $0.hasPrefix("model name") }
        .map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) } ?? "unknown CPU"
    let family = info.split(separator: "\n").first { $0.hasPrefix("cpu family") }
        .map { String($0.split(separator: ":", maxSplits: 1)[1]).trimmingCharacters(in: .whitespaces) }
    let sets = KernelISA.supported.map(\.rawValue).joined(separator: ", ")
    return "\(model)\(family.map { " (family \($0))" } ?? ""), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
        + "kernel sets: \(sets)"
}
