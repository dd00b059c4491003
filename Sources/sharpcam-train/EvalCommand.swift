import ArgumentParser
import Foundation
import SharpNet
import SharpSupport
import SharpTraining

struct Eval: TrainToolCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "PSNR/SSIM of a model and the baselines (identity, classic, Wiener with the known PSF) on fixed protocols.",
        discussion: """
            Protocols: seed, p256, p720, webcam, clean, sharpened, oversharpened, call (see docs/TRAINING.md); \
            `all` runs every protocol into one table. PSNR over RGB 8-bit; SSIM on BT.601 luma (11×11 Gaussian \
            σ 1.5), as scikit-image.
            """)

    @Option(help: "Weights file of the model to evaluate.")
    var model: String

    @Option(help: "Further models to score beside it, as NAME=FILE (repeatable).")
    var compare: [String] = []

    @Option(help: "Folder of photos (use the validation split).")
    var data: String

    @Option(
        help: "seed, p256, p720, webcam, clean, sharpened, oversharpened, call, all, or none (with --temporal/--halos)."
    )
    var `protocol`: String = "all"

    @Option(help: "Report folder (results.json, side-by-side PNGs, training curve).")
    var report: String?

    @Option(help: "Evaluate at most N photos (name order).")
    var maxImages: Int?

    @Option(help: "Side-by-side PNGs per protocol (0: none).")
    var pictures: Int = 3

    @Option(help: "Also score the model through the fused real-time engine in these precisions (fp32,fp16,int8).")
    var precision: String?

    @Option(
        help: """
            Also score int8 as these kernel sets compute it (avx2,avxvnni,avx512vnni): a set this CPU lacks \
            runs on the portable kernels with its weight scheme, bit for bit (slower), so any CPU reports \
            what every CPU gets.
            """)
    var int8As: String?

    @Flag(
        help: """
            Also (or, with --protocol none, only) measure behaviour over time on sequences made from the photos: \
            static-scene noise gain, temporal-difference error and per-frame PSNR on motion, for the student with \
            and without the temporal filter (docs/TRAINING.md, "Temporal stability").
            """)
    var temporal = false

    @Flag(
        help: """
            Also measure halos at step edges on soft, camera-sharpened and over-sharpened charts (overshoot in \
            levels, and the extra over the input's; docs/TRAINING.md, "Do no harm").
            """)
    var halos = false

    @Flag(
        help: """
            Also split each PSNR into luma (Y) and chroma (Cb, Cr), and score the model's luma with the \
            reference's chroma (what perfect colour would give) and, where the protocol knows its blur, with \
            the Wiener output's chroma (docs/TRAINING.md, "Where the remaining decibels are").
            """)
    var components = false

    @Flag(
        help:
            """
            Score students with the input's chroma kept as it is (no ChromaTransfer): luma-only sharpening, for \
            comparison.
            """
    )
    var lumaOnly = false

    func execute() throws {
        let protocols: [EvaluationProtocol]
        if `protocol` == "all" {
            protocols = EvaluationProtocol.allCases
        } else if `protocol` == "none" && (temporal || halos) {
            protocols = []
        } else {
            guard let p = EvaluationProtocol(rawValue: `protocol`) else {
                throw ValidationError("unknown protocol '\(`protocol`)'")
            }
            protocols = [p]
        }
        let weights: Weights
        var others: [(String, Weights)] = []
        weights = try WeightsFile.load(model)
        for item in compare {
            let parts = item.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw ValidationError("--compare takes NAME=FILE, got '\(item)'") }
            others.append((parts[0], try WeightsFile.load(parts[1])))
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: data).filter {
                ["png", "jpg", "jpeg"].contains(($0 as NSString).pathExtension.lowercased())
            }.sorted()
        } catch {
            throw SharpCamError("cannot list the folder", subject: data)
        }
        let chosen = maxImages.map { Array(names.prefix($0)) } ?? names
        let photos = try chosen.map {
            (
                ($0 as NSString).deletingPathExtension,
                try RGBImage(contentsOf: (data as NSString).appendingPathComponent($0))
            )
        }
        if let report { try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true) }
        let transfer = !lumaOnly
        var methods =
            [Evaluation.Method.model(weights, transferChroma: transfer)]
            + others.map { Evaluation.Method.model($0.1, name: $0.0, transferChroma: transfer) }
        /// An engine the model cannot run on names the model file.
        func engineMethod(_ make: () throws -> Evaluation.Method) throws -> Evaluation.Method {
            do { return try make() } catch let e as SharpCamError { throw SharpCamError(e.problem, subject: model) }
        }
        for p in (precision ?? "").split(separator: ",") {
            guard let value = FusedStudentEngine.Precision(rawValue: String(p)) else {
                throw ValidationError("unknown precision '\(p)'")
            }
            methods.append(
                try engineMethod {
                    try .fused(weights, precision: value, name: "model-\(value.rawValue)", transferChroma: transfer)
                })
        }
        for name in (int8As ?? "").split(separator: ",") {
            guard let set = KernelISA(rawValue: String(name)), set != .portable else {
                throw ValidationError("--int8-as: unknown kernel set '\(name)' (avx2, avxvnni or avx512vnni)")
            }
            methods.append(
                try engineMethod {
                    try .int8(weights, as: set, name: "model-int8-\(set.rawValue)", transferChroma: transfer)
                })
        }
        var results: [Evaluation.ProtocolResult] = []
        var crops: [String: (best: String, worst: String)] = [:]
        var extra: [String] = []
        // Columns as wide as the longest protocol ("oversharpened") and method name.
        let methodWidth = max(
            22, methods.map(\.name.count).max() ?? 0, Evaluation.wienerGrid.map { "wiener (K \($0))".count }.max()!)
        print(
            "protocol       images  " + "method".padding(toLength: methodWidth, withPad: " ", startingAt: 0)
                + "  PSNR dB  Δ input    SSIM" + (components ? "     Y dB  CbCr dB  ref. chroma  Wiener chroma" : ""))
        for p in protocols {
            var written = 0
            var panels: [String: RGBImage] = [:]
            let r = Evaluation.run(p, photos: photos, methods: methods, components: components) { c, outputs in
                guard let report, let sharpened = outputs.first(where: { $0.0 == "model" })?.1 else { return }
                panels[c.name] = EvaluationReport.sideBySide(
                    [c.reference, c.degraded, sharpened].map { EvaluationReport.centreCrop($0) })
                guard written < pictures else { return }
                try? EvaluationReport.writePNG(
                    EvaluationReport.sideBySide([c.reference, c.degraded, sharpened]),
                    to: (report as NSString).appendingPathComponent("\(p.rawValue)-\(c.name).png"))
                written += 1
            }
            results.append(r)
            if let report, let (best, worst) = EvaluationReport.bestAndWorst(r, method: "model") {
                crops[p.rawValue] = (best, worst)
                for (kind, name) in [("best", best), ("worst", worst)] {
                    if let panel = panels[name] {
                        try EvaluationReport.writePNG(
                            panel, to: (report as NSString).appendingPathComponent("\(p.rawValue)-\(kind)-\(name).png"))
                    }
                }
            }
            let identity = r.methods.first { $0.method == "identity" }!.mean.psnr
            for m in r.methods {
                let name = m.method == "wiener" ? "wiener (K \(r.wienerK!))" : m.method
                let cols = [
                    p.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0), String(format: "%6d", r.images),
                    name.padding(toLength: methodWidth, withPad: " ", startingAt: 0),
                    String(format: "%7.2f", m.mean.psnr),
                    String(format: "%+7.2f", m.mean.psnr - identity), String(format: "%.4f", m.mean.ssim),
                ]
                var parts: [String] = []
                if let c = m.mean.components {
                    parts = [
                        String(format: "%7.2f", c.luma), String(format: "%7.2f", c.chroma),
                        String(format: "%11.2f", c.referenceChroma),
                        m.wienerChroma.map { String(format: "%13.2f", $0) } ?? "            –",
                    ]
                }
                print((cols + parts).joined(separator: "  "))
            }
        }
        if halos {
            let rows = HaloMeasure.run([Evaluation.Method.classic] + methods)
            print("\nhalos at step edges (overshoot in levels; extra: over the input's)")
            print("input            method                 overshoot   extra")
            for r in rows {
                print(
                    [
                        r.input.padding(toLength: 15, withPad: " ", startingAt: 0),
                        r.method.padding(toLength: 20, withPad: " ", startingAt: 0),
                        String(format: "%10.2f", r.overshoot), String(format: "%+7.2f", r.extra),
                    ].joined(separator: "  "))
            }
            extra.append(
                ([
                    "## Halos at step edges (overshoot in levels; extra over the input's)", "",
                    "| input | method | overshoot | extra |", "|---|---|---|---|",
                ]
                    + rows.map {
                        String(format: "| %@ | %@ | %.2f | %+.2f |", $0.input, $0.method, $0.overshoot, $0.extra)
                    })
                    .joined(separator: "\n"))
            if let report {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                try e.encode(rows).write(
                    to: URL(fileURLWithPath: (report as NSString).appendingPathComponent("halos.json")))
            }
        }
        if temporal {
            let t = TemporalEvaluation()
            let methods: [TemporalEvaluation.Method] = [
                .identity, .classic(width: t.width, height: t.height),
                try TemporalEvaluation.Method.student(weights, temporal: false),
                try TemporalEvaluation.Method.student(weights, temporal: true),
            ]
            let r = t.run(photos: photos, methods: methods)
            print(
                """

                temporal (\(r.photos.count) photos, \(r.width)x\(r.height), blur σ \(r.blur), noise σ \(r.noise); \
                static \(r.staticFrames) frames, motion \(r.motionFrames) frames)
                method                       noise gain  mean PSNR  frame PSNR  E_td ratio  motion PSNR
                """)
            for m in r.methods {
                print(
                    [
                        m.method.padding(toLength: 27, withPad: " ", startingAt: 0),
                        String(format: "%10.3f", m.staticNoiseGain), String(format: "%9.3f", m.staticMeanPSNR),
                        String(format: "%10.3f", m.staticFramePSNR),
                        String(format: "%10.3f", m.motionTemporalErrorRatio), String(format: "%11.3f", m.motionPSNR),
                    ].joined(separator: "  "))
            }
            var table = [
                "## Temporal stability (\(r.photos.count) photos, \(r.width)×\(r.height), "
                    + "blur σ \(r.blur), noise σ \(r.noise))",
                "", "| method | static noise gain | static mean PSNR | static frame PSNR | E_td ratio | motion PSNR |",
                "|---|---|---|---|---|---|",
            ]
            for m in r.methods {
                table.append(
                    String(
                        format: "| %@ | %.3f | %.3f | %.3f | %.3f | %.3f |", m.method, m.staticNoiseGain,
                        m.staticMeanPSNR,
                        m.staticFramePSNR, m.motionTemporalErrorRatio, m.motionPSNR))
            }
            extra.append(table.joined(separator: "\n"))
            if let report {
                let e = JSONEncoder()
                e.outputFormatting = [.prettyPrinted, .sortedKeys]
                e.keyEncodingStrategy = .convertToSnakeCase
                try e.encode(r).write(
                    to: URL(fileURLWithPath: (report as NSString).appendingPathComponent("temporal.json")))
            }
        }
        if let report {
            let text = EvaluationReport.markdown(
                model: model, architecture: weights.spec.argument,
                macsPerPixel: NetworkGraph(weights.spec.collapsed).macsPerPixel, metadata: weights.metadata,
                protocols: results, crops: crops, extra: extra)
            try text.write(
                toFile: (report as NSString).appendingPathComponent("report.md"), atomically: true, encoding: .utf8)
        }
        if let report, !protocols.isEmpty {
            let doc = EvaluationReport.Document(
                model: model, architecture: weights.spec.argument,
                macsPerPixel: NetworkGraph(weights.spec.collapsed).macsPerPixel, protocols: results,
                training: weights.metadata.filter { $0.key != TrainingCheckpoint.Key.history })
            try EvaluationReport.writeJSON(doc, to: (report as NSString).appendingPathComponent("results.json"))
            let history = TrainingCheckpoint.history(of: weights)
            try EvaluationReport.curveSVG(history, title: "training: \(weights.spec.argument)")
                .write(
                    toFile: (report as NSString).appendingPathComponent("training-curve.svg"), atomically: true,
                    encoding: .utf8)
            print("report: \(report)")
        }
    }
}
