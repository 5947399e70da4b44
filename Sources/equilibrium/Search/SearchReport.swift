import Equilibrium
import Foundation

/// One run of a search as the report sees it: its configuration, how it ended and its final
/// metrics (nil where the run did not finish or the data has no use for the metric).
struct SearchRunResult {
    let run: SweepRun
    let draw: SearchDraw
    let status: RunStatus
    let modesCovered: Double?
    let modesTotal: Int?
    let highQualityFraction: Double?
    let reverseKL: Double?
    let histogramJS: Double?
    let wallSeconds: Double?
    let protocolLine: String?

    init(run: SweepRun, draw: SearchDraw, status: RunStatus) {
        self.run = run
        self.draw = draw
        self.status = status
        let summary: [String: Any]
        if case .finished(let s) = status { summary = s } else { summary = [:] }
        modesCovered = CellResult.number(summary["modes_covered"])
        modesTotal = CellResult.number(summary["modes_total"]).map { Int($0) }
        highQualityFraction = CellResult.number(summary["high_quality_fraction"])
        // A finished run with no sample in any mode has an empty mode histogram and an
        // undefined reverse KL ("nan" in summary.json). It is the worst outcome, so it ranks as
        // ∞ (every defined value is at most ln K) instead of dropping out of the comparison.
        reverseKL = CellResult.number(summary["reverse_kl"]).map { $0.isNaN ? .infinity : $0 }
        histogramJS = CellResult.number(summary["hist_js"])
        wallSeconds = CellResult.number(summary["wall_seconds"])
        protocolLine = summary["protocol"] as? String
    }

    /// Success under `rule`; false for a diverged run; nil when the run did not end (failed,
    /// not run) or its data has no modes to count.
    func succeeded(_ rule: SearchSuccess) -> Bool? {
        switch status {
        case .diverged: return false
        case .finished:
            guard let modesCovered, let highQualityFraction else { return nil }
            return rule.isSuccess(modesCovered: modesCovered, highQualityFraction: highQualityFraction)
        case .failed, .notRun: return nil
        }
    }
}

/// One model's runs, summarised as distributions over its configurations.
struct SearchModelResult: RunCounts {
    let model: SearchModel
    let runs: [SearchRunResult]
    let rule: SearchSuccess

    var statuses: [RunStatus] { runs.map(\.status) }
    /// Runs that count toward the success fraction: finished and diverged ones with modes.
    var judged: Int { runs.filter { $0.succeeded(rule) != nil }.count }
    var successes: Int { runs.filter { $0.succeeded(rule) == true }.count }
    var modesTotal: Int? { runs.lazy.compactMap(\.modesTotal).first }

    /// Over the finished runs: a run's metrics are nil unless it finished.
    func summary(_ value: (SearchRunResult) -> Double?) -> DistributionSummary {
        DistributionSummary(runs.compactMap(value))
    }

    var modes: DistributionSummary { summary(\.modesCovered) }
    var highQualityPercent: DistributionSummary { summary { $0.highQualityFraction.map { $0 * 100 } } }
    var reverseKL: DistributionSummary { summary(\.reverseKL) }
    var histogramJS: DistributionSummary { summary(\.histogramJS) }
    var wallSeconds: DistributionSummary { summary(\.wallSeconds) }

    /// The run with the most modes, then the highest quality, then the lowest reverse KL (an
    /// undefined KL ranks last).
    var best: SearchRunResult? {
        func key(_ r: SearchRunResult) -> (Double, Double, Double) {
            let kl = r.reverseKL.flatMap { $0.isFinite ? $0 : nil } ?? .infinity
            return (r.modesCovered ?? -1, r.highQualityFraction ?? 0, -kl)
        }
        return runs.filter { $0.modesCovered != nil }.max { key($0) < key($1) }
    }
}

/// The search's results: table.md (distributions per model), runs.csv (one line per run with
/// its configuration), search.json (everything) and boxplots.png.
struct SearchReport {
    let plan: SearchPlan
    let results: [SearchModelResult]
    let rule: SearchSuccess
    let jobs: Int
    /// The model the others are compared with, configuration by configuration.
    let baseline: Int

    init(plan: SearchPlan, statuses: [RunStatus], rule: SearchSuccess, jobs: Int, baseline: Int) {
        self.plan = plan
        self.rule = rule
        self.jobs = jobs
        self.baseline = baseline
        results = plan.models.indices.map { m in
            SearchModelResult(model: plan.models[m], runs: plan.runs.indices.filter { plan.runs[$0].cellIndex == m }.map {
                SearchRunResult(run: plan.runs[$0], draw: plan.draw(of: plan.runs[$0]), status: statuses[$0])
            }, rule: rule)
        }
    }

    var protocolLine: String? {
        results.lazy.flatMap(\.runs).compactMap(\.protocolLine).first.map { $0.hasPrefix("protocol: ") ? String($0.dropFirst(10)) : $0 }
    }

    var stepsText: String { "\(plan.stepsPerRun) generator steps" }

    var title: String {
        "Random search: \(plan.preset), \(plan.models.count) model\(plan.models.count == 1 ? "" : "s") × \(plan.draws.count) configuration\(plan.draws.count == 1 ? "" : "s"), \(stepsText)"
    }

    /// What was drawn and how runs are judged, for every output.
    var searchLine: String {
        "\(plan.space.protocolLine); sample seed \(plan.sampleSeed); configuration k trains with seed k and the same draws in every model (a paired comparison); one run per model and configuration"
    }

    var successLine: String {
        "\(rule); a diverged run counts as a failure; failed runs (crashes) are left out and listed"
    }

    // MARK: Markdown

    var markdown: String {
        var lines = [
            "# \(title)", "",
            "Protocol (first run): \(protocolLine ?? "no finished run")", "",
            "Search: \(searchLine).", "",
            "Success: \(successLine).", "",
            "Each metric: median [lower quartile, upper quartile] (min–max) over the model's finished runs (quartiles by linear interpolation, type 7). A run with no sample in any mode has an undefined reverse KL; it counts as ∞, worse than any defined value (at most ln K for K modes). Runs: finished / diverged / failed.", "",
            "| model | runs | success | modes covered | high-quality % | reverse KL | JS (histogram) | wall s |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in results {
            var runs = "\(r.finished) / \(r.diverged) / \(r.failed)"
            if r.notRun > 0 { runs += " (\(r.notRun) not run)" }
            let success = r.judged > 0 ? "\(r.successes)/\(r.judged) (\(String(format: "%.0f", 100 * Double(r.successes) / Double(r.judged))) %)" : "—"
            let modes = r.modes.formatted(digits: 1) + (r.modesTotal.map { " of \($0)" } ?? "")
            lines.append("| " + [r.model.label, runs, success, modes, r.highQualityPercent.formatted(digits: 1),
                                   r.reverseKL.formatted(digits: 3), r.histogramJS.formatted(digits: 3),
                                   r.wallSeconds.formatted(digits: 0)].joined(separator: " | ") + " |")
        }
        if results.count > 1 {
            lines += ["", "Paired against \(results[baseline].model.label), configuration by configuration (same hyper-parameters, same seed): better / equal / worse, two-sided exact sign test over the untied pairs; a pair where either run did not finish is left out (undefined); a reverse KL of ∞ ties with ∞.", "",
                      "| model | modes covered | high-quality % | reverse KL (lower is better) | success |", "|---|---|---|---|---|"]
            for (m, comparisons) in pairedComparisons {
                lines.append("| \(results[m].model.label) | " + comparisons.map(\.comparison.formatted).joined(separator: " | ") + " |")
            }
        }
        lines += ["", "Best run per model (most modes, then high-quality %, then lowest reverse KL):", ""]
        for r in results {
            guard let best = r.best else { lines.append("- \(r.model.label): no finished run"); continue }
            lines.append("- \(r.model.label): configuration \(best.draw.index) (\(Self.configurationText(best.draw, model: r.model, space: plan.space))): "
                         + "\(Self.number(best.modesCovered, 0)) modes, \(Self.number(best.highQualityFraction.map { $0 * 100 }, 1)) % HQ, reverse KL \(Self.number(best.reverseKL, 3))")
        }
        let problems = results.flatMap { r in
            r.runs.compactMap { entry in
                entry.status.detail.map { "- \(r.model.label) configuration \(entry.draw.index): \(entry.status.name): \($0)" }
            }
        }
        if !problems.isEmpty { lines += ["", "Runs that did not finish:", ""] + problems }
        lines += ["", "Every run's configuration and metrics: runs.csv; box plots: boxplots.png."]
        return lines.joined(separator: "\n") + "\n"
    }

    static func configurationText(_ draw: SearchDraw, model: SearchModel, space: SearchSpace) -> String {
        var parts = [String(format: "lr %.3g", draw.learningRate), "β1 \(draw.beta1)", "β2 \(draw.beta2(for: model, in: space))",
                     "n_D \(draw.discriminatorSteps)"]
        if model.usesPenaltyWeight { parts.append(String(format: "λ %.3g", draw.penaltyWeight)) }
        return parts.joined(separator: ", ")
    }

    static func number(_ x: Double?, _ digits: Int) -> String {
        if x == .infinity { return "∞" }
        guard let x, x.isFinite else { return "—" }
        return String(format: "%.\(digits)f", x)
    }

    /// Each model other than the baseline against it: modes, high-quality fraction, reverse KL
    /// and success, paired by configuration. A missing score is NaN, which the comparison
    /// leaves out.
    var pairedComparisons: [(model: Int, comparisons: [(metric: String, comparison: PairedComparison)])] {
        let metrics: [(String, Bool, (SearchRunResult) -> Double?)] = [
            ("modes_covered", true, \.modesCovered),
            ("high_quality_fraction", true, \.highQualityFraction),
            ("reverse_kl", false, \.reverseKL),
            ("success", true, { run in run.succeeded(self.rule).map { $0 ? 1 : 0 } }),
        ]
        // Metrics are nil unless the run finished; success is also defined (false) for a diverged run.
        func scores(_ r: SearchModelResult, _ value: (SearchRunResult) -> Double?) -> [Double] { r.runs.map { value($0) ?? .nan } }
        return results.indices.filter { $0 != baseline }.map { m in
            (m, metrics.map { name, higherIsBetter, value in
                (name, PairedComparison(candidate: scores(results[m], value), baseline: scores(results[baseline], value),
                                        higherIsBetter: higherIsBetter))
            })
        }
    }

    // MARK: CSV

    var runsCSV: String {
        let header = ["model", "configuration", "seed", "lr", "beta1", "beta2", "n_d", "penalty_weight", "status", "success",
                      "modes_covered", "modes_total", "high_quality_percent", "reverse_kl", "hist_js", "wall_seconds", "directory"]
        var lines = [header.joined(separator: ",")]
        for r in results {
            for entry in r.runs {
                let d = entry.draw
                let success = entry.succeeded(rule).map { $0 ? "1" : "0" } ?? ""
                func csv(_ x: Double?) -> String { x.map { $0 == .infinity ? "inf" : SweepTable.csvNumber($0) } ?? "" }
                let row = [r.model.label, String(d.index), String(d.trainingSeed), "\(d.learningRate)", "\(d.beta1)",
                           "\(d.beta2(for: r.model, in: plan.space))", String(d.discriminatorSteps),
                           r.model.usesPenaltyWeight ? "\(d.penaltyWeight)" : "", entry.status.name, success,
                           csv(entry.modesCovered), entry.modesTotal.map(String.init) ?? "",
                           csv(entry.highQualityFraction.map { $0 * 100 }), csv(entry.reverseKL), csv(entry.histogramJS),
                           csv(entry.wallSeconds), entry.run.directory]
                lines.append(row.map(SweepTable.csvField).joined(separator: ","))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: JSON

    var json: [String: Any] {
        // JSON has no ∞: the string "inf" (an undefined KL ranked worst); NaN as null.
        func number(_ x: Double) -> Any { x == .infinity ? "inf" : SweepTable.jsonNumber(x) }
        func summary(_ s: DistributionSummary) -> [String: Any] {
            ["median": number(s.median), "lower_quartile": number(s.lowerQuartile), "upper_quartile": number(s.upperQuartile),
             "min": number(s.minimum), "max": number(s.maximum), "n": s.count, "excluded_nan": s.excludedNaN]
        }
        let models: [[String: Any]] = results.map { r in
            [
                "model": r.model.label, "objective": r.model.objective, "penalties": r.model.penalties,
                "finished": r.finished, "diverged": r.diverged, "failed": r.failed, "not_run": r.notRun,
                "successes": r.successes, "judged": r.judged, "modes_total": r.modesTotal ?? NSNull(),
                "modes_covered": summary(r.modes), "high_quality_percent": summary(r.highQualityPercent),
                "reverse_kl": summary(r.reverseKL), "hist_js": summary(r.histogramJS), "wall_seconds": summary(r.wallSeconds),
                "runs": r.runs.map { entry -> [String: Any] in
                    ["configuration": entry.draw.index, "seed": entry.draw.trainingSeed, "lr": entry.draw.learningRate,
                     "beta1": entry.draw.beta1, "beta2": entry.draw.beta2(for: r.model, in: plan.space),
                     "n_d": entry.draw.discriminatorSteps,
                     "penalty_weight": r.model.usesPenaltyWeight ? entry.draw.penaltyWeight : NSNull(),
                     "status": entry.status.name, "detail": entry.status.detail ?? NSNull(),
                     "success": entry.succeeded(rule) ?? NSNull(), "directory": entry.run.directory,
                     "command": ["equilibrium"] + entry.run.arguments]
                },
            ]
        }
        return [
            "preset": plan.preset, "directory": plan.directory, "configurations": plan.draws.count, "sample_seed": plan.sampleSeed,
            "jobs": jobs, "steps": plan.steps ?? NSNull(), "protocol": protocolLine ?? NSNull(), "search": searchLine,
            "success_rule": successLine, "models": models, "baseline": results[baseline].model.label,
            "paired_against_baseline": pairedComparisons.map { m, comparisons -> [String: Any] in
                var object: [String: Any] = ["model": results[m].model.label]
                for (metric, c) in comparisons {
                    object[metric] = ["better": c.better, "ties": c.ties, "worse": c.worse, "undefined": c.excluded, "sign_test_p": c.pValue]
                }
                return object
            },
            "summaries": "median, quartiles (linear interpolation, type 7), min and max over finished runs",
        ]
    }

    // MARK: Plot

    /// Three box plots stacked: modes covered, high-quality %, reverse KL; one box per model,
    /// every finished run a point; the success counts in the header.
    var boxPlots: Canvas {
        let width = 720, panel = 300, header = 30
        var canvas = Canvas(width: width, height: header + 3 * panel)
        canvas.drawText(title, x: width / 2, centerY: 10, anchor: .center)
        let successes = results.map { "\($0.model.label) \($0.successes)/\($0.judged)" }.joined(separator: "  ")
        canvas.drawText("successes: " + successes, x: width / 2, centerY: 22, anchor: .center)
        let modesTotal = results.lazy.compactMap(\.modesTotal).first
        // Fixed ranges where the metric has one, so searches compare at a glance.
        let panels: [(String, (SearchModelResult) -> DistributionSummary, (SearchRunResult) -> Double?, ClosedRange<Double>?)] = [
            ("modes covered" + (modesTotal.map { " (of \($0))" } ?? ""), \.modes, \.modesCovered, modesTotal.map { 0...Double($0) }),
            ("high-quality samples (%)", \.highQualityPercent, { $0.highQualityFraction.map { $0 * 100 } }, 0...100),
            ("reverse KL (no mode hit: inf, drawn at the top edge)", \.reverseKL, \.reverseKL,
             modesTotal.map { 0...(log(Double($0)) * 1.1) }),
        ]
        for (k, (name, summary, value, yRange)) in panels.enumerated() {
            // ∞ (an undefined KL ranked worst) is drawn at the top of the panel.
            let top = yRange?.upperBound ?? .infinity
            func shown(_ x: Double) -> Double { x == .infinity ? top : x }
            let boxes = results.map { r in
                let s = summary(r)
                return Box(label: r.model.label, minimum: shown(s.minimum), lowerQuartile: shown(s.lowerQuartile),
                           median: shown(s.median), upperQuartile: shown(s.upperQuartile), maximum: shown(s.maximum),
                           points: r.runs.compactMap { value($0).map(shown) }.filter(\.isFinite))
            }
            BoxPlot(axes: Axes(title: name), boxes: boxes, yRange: yRange)
                .draw(on: &canvas, in: PixelRect(x: 0, y: header + k * panel, width: width, height: panel))
        }
        return canvas
    }

    /// Writes table.md, runs.csv, search.json and boxplots.png into the search directory (each atomically).
    func write() throws {
        try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (plan.directory as NSString).appendingPathComponent(name) }
        try AtomicFile.write(Array(markdown.utf8), to: path("table.md"))
        try AtomicFile.write(Array(runsCSV.utf8), to: path("runs.csv"))
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write([UInt8](data), to: path("search.json"))
        try AtomicFile.write(try PNGEncoder.encode(boxPlots), to: path("boxplots.png"))
    }
}
