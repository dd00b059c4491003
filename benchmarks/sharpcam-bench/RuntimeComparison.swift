import Foundation
import SharpFrames
import SharpNet

/// One row of the runtime comparison: the same network, the same frame size and threads.
struct ComparisonRow: Codable {
    var size: String
    var threads: Int
    var runtime: String
    var precision: String
    var p50: Double?
    var note: String?
    /// The fused engine's p50 at the same precision, size and threads, and the speed ratio.
    var sharpcamP50: Double?
    var sharpcamKernels: String?
    var speedup: Double?
}

/// Runs the exported ONNX model through ONNX Runtime and OpenVINO (fp32 and int8 QDQ) with
/// `benchmarks/compare_runtimes.py`, on real frames, and lines the results up with ours.
enum RuntimeComparison {
    static var script: String {
        let here = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        return here.appendingPathComponent("compare_runtimes.py").path
    }

    static func run(
        weights: Weights, sizes: [FrameFormat], threads: [Int], frames: Int, input: String?,
        fused: [NetworkBenchmark.Row]
    ) throws -> [ComparisonRow] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sharpcam-compare-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let model = dir.appendingPathComponent("student.onnx").path
        try Data(ONNXExporter.export(weights)).write(to: URL(fileURLWithPath: model))
        var rows: [ComparisonRow] = []
        for fmt in sizes {
            // Real frames as the network's input tensor (float32 [C, H, W]).
            let runner = NetworkFrameRunner(engine: ReferenceEngine(weights: weights.collapsed()))
            let source = try BenchmarkFrames(format: fmt, input: input, count: 4).frames
            let raw = dir.appendingPathComponent("frames-\(fmt.width)x\(fmt.height).raw").path
            var data = Data()
            for f in source { runner.inputTensor(for: f).data.withUnsafeBytes { data.append(contentsOf: $0) } }
            try data.write(to: URL(fileURLWithPath: raw))
            for t in threads {
                let python = ProcessInfo.processInfo.environment["SHARPCAM_PYTHON"] ?? "python3"
                let p = Process()
                p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                p.arguments = [
                    python, script, model, raw, "\(weights.spec.inputChannels)", "\(fmt.height)", "\(fmt.width)",
                    "\(source.count)", "\(t)", "\(frames)",
                ]
                let out = Pipe()
                p.standardOutput = out
                p.standardError = FileHandle.standardError
                try p.run()
                let bytes = out.fileHandleForReading.readDataToEndOfFile()
                p.waitUntilExit()
                let size = "\(fmt.width)x\(fmt.height)"
                guard p.terminationStatus == 0,
                    let results = try? JSONDecoder().decode([ComparisonRow].self, from: bytes)
                else {
                    rows.append(
                        ComparisonRow(
                            size: size, threads: t, runtime: "python", precision: "-", p50: nil,
                            note:
                                """
                                compare_runtimes.py failed (exit \(p.terminationStatus)); install onnxruntime and \
                                openvino
                                """
                        ))
                    continue
                }
                for var r in results {
                    r.size = size
                    r.threads = t
                    // SharpCam's row for the same size, threads and precision, on the kernel set
                    // sharpcamd would use here (the automatic one).
                    let candidates = fused.filter { $0.size == size && $0.threads == t && $0.precision == r.precision }
                    let automatic = KernelISA.automatic.rawValue
                    if let ours = candidates.first(where: { $0.kernels == automatic }) ?? candidates.first {
                        r.sharpcamKernels = ours.kernels
                        r.sharpcamP50 = ours.stages.network.p50
                        if let theirs = r.p50 { r.speedup = theirs / ours.stages.network.p50 }
                    }
                    rows.append(r)
                }
            }
        }
        return rows
    }

    static func table(_ rows: [ComparisonRow]) -> String {
        var t = TextTable(header: [
            "size", "thr", "runtime", "prec", "p50 ms", "SharpCam kernels", "SharpCam p50", "SharpCam speed-up", "note",
        ])
        for r in rows {
            t.rows.append([
                r.size, "\(r.threads)", r.runtime, r.precision, r.p50.map { fmt3($0, 2) } ?? "-",
                r.sharpcamKernels ?? "-", r.sharpcamP50.map { fmt3($0, 2) } ?? "-",
                r.speedup.map { fmt3($0, 2) + "×" } ?? "-", r.note ?? "",
            ])
        }
        return "same network (ONNX export), network time only:\n" + t.rendered
    }
}
