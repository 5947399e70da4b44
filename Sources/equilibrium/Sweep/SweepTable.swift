import Equilibrium
import Foundation

/// The sweep's results as table.md (Markdown, mean ± standard error), table.csv (one row per
/// cell, numbers only) and sweep.json (everything, including every run's status).
struct SweepTable {
    let plan: SweepPlan
    let results: [CellResult]
    let jobs: Int
    let stepsOverride: Int?

    /// The first finished run's protocol line, in plan order, without its "protocol: " label.
    var protocolLine: String? {
        results.lazy.compactMap(\.protocolLine).first.map { $0.hasPrefix("protocol: ") ? String($0.dropFirst(10)) : $0 }
    }

    var stepsText: String {
        let steps = Set(results.flatMap(\.steps)).sorted()
        if steps.isEmpty { return stepsOverride.map { "\($0) steps" } ?? "steps: no finished run" }
        return steps.map(String.init).joined(separator: ", ") + " steps"
    }

    var seedsText: String {
        let list = plan.seeds.map(String.init)
        let shown = list.count > 12 ? list.prefix(5).joined(separator: ", ") + ", …, " + list.last! : list.joined(separator: ", ")
        return "\(plan.seeds.count) seed\(plan.seeds.count == 1 ? "" : "s") (\(shown))"
    }

    // MARK: Markdown

    var markdown: String {
        var lines = [
            "# Sweep: \(plan.cells.count) cell\(plan.cells.count == 1 ? "" : "s") × \(seedsText), \(stepsText)",
            "",
            "Protocol (first run): \(protocolLine ?? "no finished run")",
            "",
            "Mean ± standard error (sample standard deviation, n − 1, over √n) over each cell's finished runs; diverged and failed runs are counted, not averaged. Runs: finished / diverged / failed.",
            "",
            "| preset | objective | penalty | schedule | runs | modes covered | high-quality % | reverse KL | JS (histogram) | wall s |",
            "|---|---|---|---|---|---|---|---|---|---|",
        ]
        for r in results {
            var runs = "\(r.finished) / \(r.diverged) / \(r.failed)"
            if r.notRun > 0 { runs += " (\(r.notRun) not run)" }
            let modes = r.modesTotal.map { Self.cell(r.modesCovered, digits: 2) + " / \($0)" } ?? "—"
            let quality = r.modesTotal == nil ? "—" : Self.cell(r.highQualityPercent, digits: 1)
            let kl = r.modesTotal == nil ? "—" : Self.cell(r.reverseKL, digits: 3)
            let row = [r.cell.preset, r.cell.objectiveLabel, r.cell.penaltyLabel, r.cell.scheduleLabel, runs, modes, quality, kl,
                       Self.cell(r.histogramJS, digits: 3), Self.cell(r.wallSeconds, digits: 1)]
            lines.append("| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
        }
        for (group, title, note) in Self.extraGroups {
            let metrics = ExtraMetric.all.filter { $0.group == group }
            guard results.contains(where: { r in metrics.contains { r.extras[$0.key] != nil } }) else { continue }
            lines += ["", title, ""]
            if let note { lines += [note, ""] }
            lines.append("| preset | objective | penalty | schedule | " + metrics.map(\.label).joined(separator: " | ") + " |")
            lines.append("|---|---|---|---|" + String(repeating: "---|", count: metrics.count))
            for r in results {
                // Runs from an older version may lack a metric: say how many reported it.
                let values = metrics.map { m in
                    r.extras[m.key].map { a in
                        Self.cell(a, digits: m.digits) + (a.count > 1 && a.count < r.finished ? " (n = \(a.count))" : "")
                    } ?? "—"
                }
                let row = [r.cell.preset, r.cell.objectiveLabel, r.cell.penaltyLabel, r.cell.scheduleLabel] + values
                lines.append("| " + row.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |")
            }
        }
        let problems = results.flatMap { r in
            r.runs.compactMap { entry in entry.status.detail.map { "- \(r.cell.name) seed \(entry.run.seed): \(entry.status.name): \($0)" } }
        }
        if !problems.isEmpty { lines += ["", "Runs that did not finish:", ""] + problems }
        return lines.joined(separator: "\n") + "\n"
    }

    static let extraGroups: [(group: String, title: String, note: String?)] = [
        ("ema", "EMA generator (evaluated on the same latent batch as the last iterate):", nil),
        ("segment", "Segment trackers (Many Paths S1, many-paths.md §3.4):",
         "Success: off-segment distance and coverage W1 both below 0.05 at the end (success rate = fraction of runs). JS is exact for affine generators: log 2 ≈ 0.693 while the supports are disjoint."),
        ("divergence", "Divergence estimates (final value; fraction of consecutive evaluations at which each rose):", nil),
    ]

    /// "7.50 ± 0.29"; one value shows as "7.50 (n = 1)"; values left out as undefined (a
    /// reverse KL with no sample in any mode) are noted.
    static func cell(_ a: SeedAggregate, digits: Int) -> String {
        let f = "%.\(digits)f"
        var text: String
        switch a.count {
        case 0: text = "—"
        case 1: text = String(format: f, a.mean) + " (n = 1)"
        default: text = String(format: f, a.mean) + " ± " + String(format: f, a.standardError)
        }
        if a.excludedNonFinite > 0 { text += " (\(a.excludedNonFinite) undefined)" }
        return text
    }

    // MARK: CSV

    static var metricColumns: [(name: String, value: (CellResult) -> SeedAggregate)] {
        [("modes_covered", \.modesCovered), ("high_quality_percent", \.highQualityPercent), ("reverse_kl", \.reverseKL),
         ("hist_js", \.histogramJS), ("wall_seconds", \.wallSeconds)]
    }

    var csv: String {
        var header = ["cell", "preset", "objective", "penalty", "schedule", "finished", "diverged", "failed", "not_run", "modes_total"]
        for column in Self.metricColumns { header += ["\(column.name)_mean", "\(column.name)_se", "\(column.name)_n"] }
        for metric in ExtraMetric.all { header += ["\(metric.key)_mean", "\(metric.key)_se", "\(metric.key)_n"] }
        var lines = [header.joined(separator: ",")]
        for r in results {
            var row = [r.cell.name, r.cell.preset, r.cell.objectiveLabel, r.cell.penaltyLabel, r.cell.scheduleLabel,
                       String(r.finished), String(r.diverged), String(r.failed), String(r.notRun), r.modesTotal.map(String.init) ?? ""]
            for column in Self.metricColumns {
                let a = column.value(r)
                row += [Self.csvNumber(a.mean), Self.csvNumber(a.standardError), String(a.count)]
            }
            for metric in ExtraMetric.all {
                let a = r.extras[metric.key] ?? SeedAggregate([])
                row += [Self.csvNumber(a.mean), Self.csvNumber(a.standardError), String(a.count)]
            }
            lines.append(row.map(Self.csvField).joined(separator: ","))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Empty for NaN (no value), so spreadsheets read a blank rather than text.
    static func csvNumber(_ x: Double) -> String { x.isFinite ? String(x) : "" }

    static func csvField(_ text: String) -> String {
        text.contains(",") || text.contains("\"") ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    // MARK: JSON

    var json: [String: Any] {
        func aggregate(_ a: SeedAggregate) -> [String: Any] {
            ["mean": Self.jsonNumber(a.mean), "standard_error": Self.jsonNumber(a.standardError),
             "standard_deviation": Self.jsonNumber(a.standardDeviation), "n": a.count, "excluded_non_finite": a.excludedNonFinite]
        }
        let cells: [[String: Any]] = results.map { r in
            var object: [String: Any] = [
                "cell": r.cell.name, "preset": r.cell.preset, "objective": r.cell.objectiveLabel, "penalty": r.cell.penaltyLabel,
                "schedule": r.cell.scheduleLabel, "finished": r.finished, "diverged": r.diverged, "failed": r.failed,
                "not_run": r.notRun, "modes_total": r.modesTotal ?? NSNull(), "protocol": r.protocolLine ?? NSNull(),
                "runs": r.runs.map { entry -> [String: Any] in
                    ["seed": entry.run.seed, "status": entry.status.name, "directory": entry.run.directory,
                     "detail": entry.status.detail ?? NSNull(), "command": ["equilibrium"] + entry.run.arguments]
                },
            ]
            for column in Self.metricColumns { object[column.name] = aggregate(column.value(r)) }
            for (key, value) in r.extras { object[key] = aggregate(value) }
            return object
        }
        return [
            "directory": plan.directory, "seeds": plan.seeds, "jobs": jobs, "steps": stepsOverride ?? NSNull(),
            "protocol": protocolLine ?? NSNull(), "error": "standard error (sample std, n - 1, / sqrt n) over finished runs",
            "cells": cells,
        ]
    }

    static func jsonNumber(_ x: Double) -> Any { x.isFinite ? x : NSNull() }

    /// Writes table.md, table.csv and sweep.json into the sweep directory (atomically).
    func write() throws {
        try FileManager.default.createDirectory(atPath: plan.directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (plan.directory as NSString).appendingPathComponent(name) }
        try AtomicFile.write(Array(markdown.utf8), to: path("table.md"))
        try AtomicFile.write(Array(csv.utf8), to: path("table.csv"))
        let data = try JSONSerialization.data(withJSONObject: json, options: [.prettyPrinted, .sortedKeys])
        try AtomicFile.write([UInt8](data), to: path("sweep.json"))
    }
}
