import Foundation

extension EvaluationReport {
    /// A 256×256 (or smaller) centre crop of a picture: the before/after panels of a report.
    public static func centreCrop(_ x: RGBImage, size: Int = 256) -> RGBImage {
        let w = min(size, x.width), h = min(size, x.height)
        return x.cropped(x: (x.width - w) / 2, y: (x.height - h) / 2, width: w, height: h)
    }

    /// The photos with the best and worst gain of `method` over identity (PSNR).
    public static func bestAndWorst(_ r: Evaluation.ProtocolResult, method: String) -> (best: String, worst: String)? {
        guard let m = r.methods.first(where: { $0.method == method }),
            let id = r.methods.first(where: { $0.method == "identity" })
        else { return nil }
        let gains = m.perImage.compactMap { name, s in id.perImage[name].map { (name, s.psnr - $0.psnr) } }
            .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
        guard let best = gains.first, let worst = gains.last else { return nil }
        return (best.0, worst.0)
    }

    /// `report.md`: where the model came from, then per protocol a per-photo table (identity,
    /// Wiener with the protocol's K, classic, each model method; sorted by the model's gain),
    /// with links to the best and worst photos' crops, the luma/chroma split where the scores
    /// have it, and the extra tables given (temporal, halos) as Markdown.
    public static func markdown(
        model: String, architecture: String, macsPerPixel: Double, metadata: [String: String],
        protocols: [Evaluation.ProtocolResult], crops: [String: (best: String, worst: String)], extra: [String]
    ) -> String {
        var out = ["# Evaluation of `\(model)`", ""]
        out.append("- architecture: `\(architecture)`, \(Int(macsPerPixel)) MAC/pixel")
        let config = metadata[TrainingCheckpoint.Key.configuration].flatMap {
            try? JSONDecoder().decode(TrainingConfiguration.self, from: Data($0.utf8))
        }
        if let c = config {
            out.append(
                "- trained: \(c.steps) steps of \(c.batchSize) × \(c.cropSize)², recipe `\(c.recipe.rawValue)`"
                    + "\(c.mixNote), lr \(c.learningRate), seed \(c.seed)\(c.inputNote)")
            if let teacher = c.teacher ?? c.teacherPath, c.kdWeight > 0 {
                out.append("- teacher: \(teacher) (distillation weight \(c.kdWeight))")
            } else {
                out.append("- teacher: none (trained on the task loss alone)")
            }
        } else {
            out.append("- trained: no trainer metadata")
        }
        if let initial = metadata["init"] { out.append("- init: \(initial)") }
        for r in protocols {
            let models = r.methods.map(\.method).filter { !["identity", "classic", "wiener"].contains($0) }
            guard let main = models.first, let m = r.methods.first(where: { $0.method == main }),
                let id = r.methods.first(where: { $0.method == "identity" })
            else { continue }
            let wiener = r.methods.first { $0.method == "wiener" }
            out += ["", "## \(r.protocolName) (\(r.images) photos)", ""]
            var header = "| photo | identity |" + (wiener != nil ? " Wiener (K \(r.wienerK!)) |" : "") + " classic |"
            header += models.map { " \($0) |" }.joined() + " \(main) − identity |"
            header += wiener != nil ? " \(main) − Wiener |" : ""
            out.append(header)
            out.append("|" + String(repeating: "---|", count: header.filter { $0 == "|" }.count - 1))
            let names = m.perImage.keys.sorted {
                let a = m.perImage[$0]!.psnr - (id.perImage[$0]?.psnr ?? 0)
                let b = m.perImage[$1]!.psnr - (id.perImage[$1]?.psnr ?? 0)
                return a != b ? a > b : $0 < $1
            }
            func f(_ v: Double?) -> String { v.map { String(format: "%.2f", $0) } ?? "–" }
            for name in names {
                var row = "| \(name) | \(f(id.perImage[name]?.psnr)) |"
                if let wiener { row += " \(f(wiener.perImage[name]?.psnr)) |" }
                row += " \(f(r.methods.first { $0.method == "classic" }?.perImage[name]?.psnr)) |"
                for model in models { row += " \(f(r.methods.first { $0.method == model }?.perImage[name]?.psnr)) |" }
                let mine = m.perImage[name]!.psnr
                row += " \(String(format: "%+.2f", mine - (id.perImage[name]?.psnr ?? mine))) |"
                if let w = wiener?.perImage[name]?.psnr { row += " \(String(format: "%+.2f", mine - w)) |" }
                out.append(row)
            }
            var mean = "| **mean** | \(f(id.mean.psnr)) |"
            if let wiener { mean += " \(f(wiener.mean.psnr)) |" }
            mean += " \(f(r.methods.first { $0.method == "classic" }?.mean.psnr)) |"
            for model in models { mean += " \(f(r.methods.first { $0.method == model }?.mean.psnr)) |" }
            mean += " \(String(format: "%+.2f", m.mean.psnr - id.mean.psnr)) |"
            if let wiener { mean += " \(String(format: "%+.2f", m.mean.psnr - wiener.mean.psnr)) |" }
            out.append(mean)
            if r.methods.allSatisfy({ $0.mean.components != nil }) {
                out += [
                    "", "Luma and chroma (means; full-range BT.601 YCbCr):", "",
                    "| method | PSNR | Y | CbCr | with the reference's chroma | with Wiener's chroma |",
                    "|---|---|---|---|---|---|",
                ]
                for method in r.methods {
                    let c = method.mean.components!
                    out.append(
                        "| \(method.method) | \(f(method.mean.psnr)) | \(f(c.luma)) | \(f(c.chroma)) | "
                            + "\(f(c.referenceChroma)) | \(f(method.wienerChroma)) |")
                }
            }
            if let c = crops[r.protocolName] {
                out += [
                    "", "Centre crops (original | degraded | \(main)): best gain **\(c.best)**, worst **\(c.worst)**.",
                    "", "![best](\(r.protocolName)-best-\(c.best).png)", "",
                    "![worst](\(r.protocolName)-worst-\(c.worst).png)",
                ]
            }
        }
        for e in extra { out += ["", e] }
        return out.joined(separator: "\n") + "\n"
    }
}
