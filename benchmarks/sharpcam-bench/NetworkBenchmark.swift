import ArgumentParser
import CBenchSupport
import CSharpKernels
import Foundation
import SharpCommandLine
import SharpFrames
import SharpMedia
import SharpNet
import SharpSupport

/// Per-frame latency of the real-time student through the fused engine, YUYV in → YUYV out,
/// per stage, for each frame size, precision and thread count; GMAC/s against this machine's
/// measured peaks; heap allocations per frame; optionally ONNX Runtime and OpenVINO on the same
/// network for comparison.
struct NetworkBenchmark: SharpCamCommand {
    static let toolName = "sharpcam-bench"
    static let configuration = CommandConfiguration(
        commandName: "network",
        abstract:
            "Time the fused student engine per frame (stages, precisions, threads) and compare with other runtimes.")

    @Option(help: "Student weights (.scw). Default: the built-in student sharpcamd runs ('builtin').")
    var model: String?

    @Option(help: "Frame sizes.")
    var sizes: String = "640x480,1280x720,1920x1080"

    @Option(help: "Precisions.")
    var precisions: String = "fp32,fp16,int8"

    @Option(help: "Thread counts.")
    var threads: String = "1,2"

    @Option(
        help: """
            int8 kernel sets to time (portable, avx2, avxvnni, avx512vnni; default: every set this CPU has but \
            portable). fp32 and fp16 run on the automatic set.
            """)
    var isa: String?

    @Option(help: "Timed frames per configuration (after warm-up).")
    var frames: Int = 200

    @Option(help: "Warm-up frames per configuration.")
    var warmup: Int = 20

    @Option(help: "Video or picture to take frames from (default: the generated clip).")
    var input: String?

    @Flag(help: "Also run the same network through ONNX Runtime and OpenVINO (Python; fp32 and int8 QDQ).")
    var compare = false

    @Flag(help: "Print JSON instead of tables.")
    var json = false

    struct Stages: Codable {
        var convertIn: LatencyStatistics
        var maps: LatencyStatistics
        var network: LatencyStatistics
        var chroma: LatencyStatistics
        var endToEnd: LatencyStatistics
    }

    struct Row: Codable {
        var size: String
        var precision: String
        var threads: Int
        var kernels: String
        var int8Weights: String?
        var stages: Stages
        var framesPerSecond: Double
        var allocationsPerFrame: Double
        var gmacPerSecond: Double
        var percentOfPeak: Double
    }

    struct Report: Codable {
        var cpu: String
        var model: String
        var macsPerPixel: Double
        var peaks: [String: Double]
        var rows: [Row]
        var comparison: [ComparisonRow]
    }

    func execute() throws {
        let (weights, modelName) = try loadModel()
        let spec = weights.spec.collapsed
        let macsPerPixel = NetworkGraph(spec).macsPerPixel
        let sizeList = try sizes.split(separator: ",").map { s -> FrameFormat in
            guard let a = FrameSize(argument: String(s)), let f = FrameFormat(.yuyv, width: a.width, height: a.height)
            else {
                throw ValidationError("bad size '\(s)'")
            }
            return f
        }
        let precisionList = try precisions.split(separator: ",").map { p -> FusedStudentEngine.Precision in
            guard let v = FusedStudentEngine.Precision(rawValue: String(p)) else {
                throw ValidationError("bad precision '\(p)'")
            }
            return v
        }
        let threadList = threads.split(separator: ",").compactMap { Int($0) }
        if !json {
            print("CPU: \(cpuDescription())\nmodel: \(modelName) (\(Int(macsPerPixel)) MAC/pixel)\nmeasuring peaks…")
        }
        let isaList =
            try isa.map {
                try $0.split(separator: ",").map { name -> KernelISA in
                    guard let v = KernelISA(rawValue: String(name)) else {
                        throw ValidationError("bad kernel set '\(name)'")
                    }
                    guard v.isSupported else { throw ValidationError("this CPU cannot run the \(name) kernel set") }
                    return v
                }
            } ?? KernelISA.supported.filter { $0 != .portable }.reversed()
        var peaks: [String: Double] = [:]
        for t in Set(threadList + [1]).sorted() {
            peaks["fp32 \(t)t"] = sc_peak_fp32_macs(Int32(t), 0.5) / 1e9
            for set in isaList {
                peaks["int8 \(set.rawValue) \(t)t"] = sc_peak_int8_isa_macs(set.cValue, Int32(t), 0.5) / 1e9
            }
        }
        var rows: [Row] = []
        var calibrated = weights
        if precisionList.contains(.int8) && weights.metadata[FusedStudentEngine.activationScalesKey] == nil {
            let cal = try BenchmarkFrames(format: FrameFormat(.yuyv, width: 320, height: 240)!, input: input, count: 4)
                .frames
            calibrated = try StudentCalibration.calibrated(weights, frames: cal)
        }
        for fmt in sizeList {
            let inputs = try BenchmarkFrames(format: fmt, input: input).frames
            let output = Frame(format: fmt, colorSpace: inputs[0].colorSpace)
            let runs = precisionList.flatMap { p in p == .int8 ? isaList.map { (p, Optional($0)) } : [(p, nil)] }
            for (p, set) in runs {
                for t in threadList {
                    let engine = try FusedStudentEngine(
                        weights: p == .int8 ? calibrated : weights, precision: p, maxWidth: fmt.width, threads: t,
                        isa: set)
                    var samples: [[UInt64]] = Array(repeating: [], count: 5)
                    var allocations: UInt64 = 0
                    for i in 0..<(warmup + frames) {
                        let frame = inputs[i % inputs.count]
                        let before = sc_allocation_count()
                        let t0 = monotonicNanos()
                        engine.carryChroma(frame, into: output)
                        let t1 = monotonicNanos()
                        engine.prepareMaps(frame)
                        let t2 = monotonicNanos()
                        engine.runNetwork(frame, strength: 1, into: output)
                        let t3 = monotonicNanos()
                        engine.transferChroma(frame, into: output)
                        let t4 = monotonicNanos()
                        if i >= warmup {
                            allocations += sc_allocation_count() - before
                            samples[0].append(t1 - t0); samples[1].append(t2 - t1); samples[2].append(t3 - t2)
                            samples[3].append(t4 - t3); samples[4].append(t4 - t0)
                        }
                    }
                    let st = Stages(
                        convertIn: .init(nanoseconds: samples[0]), maps: .init(nanoseconds: samples[1]),
                        network: .init(nanoseconds: samples[2]),
                        chroma: .init(nanoseconds: samples[3]), endToEnd: .init(nanoseconds: samples[4]))
                    let gmac = macsPerPixel * Double(fmt.width * fmt.height) / (st.network.p50 / 1000) / 1e9
                    let peak = peaks[p == .int8 ? "int8 \(engine.kernelName) \(t)t" : "fp32 \(t)t"] ?? 0
                    rows.append(
                        Row(
                            size: "\(fmt.width)x\(fmt.height)", precision: p.rawValue, threads: t,
                            kernels: engine.kernelName,
                            int8Weights: p == .int8 ? engine.network.int8Weights.rawValue : nil, stages: st,
                            framesPerSecond: 1000 / st.endToEnd.p50,
                            allocationsPerFrame: Double(allocations) / Double(frames),
                            gmacPerSecond: gmac, percentOfPeak: peak > 0 ? 100 * gmac / peak : 0))
                }
            }
        }
        var comparison: [ComparisonRow] = []
        if compare {
            comparison = try RuntimeComparison.run(
                weights: weights, sizes: sizeList, threads: threadList, frames: min(frames, 50),
                input: input, fused: rows)
        }
        let report = Report(
            cpu: cpuDescription(), model: modelName, macsPerPixel: macsPerPixel, peaks: peaks, rows: rows,
            comparison: comparison)
        if json {
            let enc = JSONEncoder()
            enc.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try enc.encode(report), as: UTF8.self))
            return
        }
        print(
            "peaks (GMAC/s): "
                + peaks.sorted { $0.key < $1.key }.map { "\($0.key) \(fmt3($0.value, 1))" }.joined(separator: ", ")
                + "\n")
        var t = TextTable(header: [
            "size", "prec", "kernels", "thr", "in p50", "maps p50", "net p50", "net p99", "net max", "chroma p50",
            "e2e p50",
            "e2e p99", "fps", "alloc/fr", "GMAC/s", "% peak",
        ])
        for r in rows {
            t.rows.append([
                r.size, r.precision, r.kernels, "\(r.threads)", fmt3(r.stages.convertIn.p50, 2),
                fmt3(r.stages.maps.p50, 2),
                fmt3(r.stages.network.p50, 2), fmt3(r.stages.network.p99, 2), fmt3(r.stages.network.max, 2),
                fmt3(r.stages.chroma.p50, 2), fmt3(r.stages.endToEnd.p50, 2), fmt3(r.stages.endToEnd.p99, 2),
                fmt3(r.framesPerSecond, 1),
                fmt3(r.allocationsPerFrame, 2), fmt3(r.gmacPerSecond, 1), fmt3(r.percentOfPeak, 0),
            ])
        }
        print(t.rendered)
        print(
            """
            \nlatencies in ms; YUYV in → YUYV out: 'in' copies the frame, the network writes luma in place, \
            'chroma' carries its change into U and V (ChromaTransfer); there is no output conversion.
            """
        )
        if !comparison.isEmpty { print("\n" + RuntimeComparison.table(comparison)) }
    }

    func loadModel() throws -> (Weights, String) {
        let w = try DefaultStudent.load(model, expecting: .student)
        return (w, DefaultStudent.isBuiltIn(model) ? "built-in default student, \(w.spec.argument)" : model!)
    }
}
