import Equilibrium
import Foundation

/// Writes the files of one Li success experiment: CSV, heat map, summary, trajectories.
struct LiOutputWriter {
    let directory: String
    let result: LiSuccessResult
    let wallSeconds: Double
    let threads: Int

    var experiment: LiSuccessExperiment { result.experiment }
    var name: String { experiment.trainer.schedule.description }

    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    /// One row per cell run (μ1⁽⁰⁾ ≤ μ2⁽⁰⁾), with the protocol repeated on every row.
    func writeGrid() throws {
        let t = experiment.trainer
        var lines = ["row,column,mu1_0,mu2_0,diagonal,runs,successes,success_rate,mean_final_tv,discriminator_collapses,mode_collapses,dynamics,projection,eta_g,eta_d,steps,seed,threshold"]
        for c in result.cells {
            lines.append([
                "\(c.row)", "\(c.column)", fmt(c.initialMeans[0]), fmt(c.initialMeans[1]), c.isDiagonal ? "1" : "0",
                "\(c.runs)", "\(c.successes)", fmt(c.successRate), fmt(c.meanFinalTotalVariation),
                "\(c.discriminatorCollapses)", "\(c.modeCollapses)", name, t.feasibility.rawValue,
                fmt(t.generatorStepSize), fmt(t.discriminatorStepSize), "\(experiment.steps)",
                "\(experiment.seed)", fmt(experiment.tolerance),
            ].joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("grid-\(name).csv"), atomically: true, encoding: .utf8)
    }

    func heatMap() -> HeatMap {
        let n = experiment.gridSize
        let half = n > 1 ? (experiment.gridHigh - experiment.gridLow) / Double(n - 1) / 2 : 0.5
        let range = (experiment.gridLow - half)...(experiment.gridHigh + half)
        let t = experiment.trainer
        return HeatMap(
            axes: Axes(title: "\(name): P(success)",
                       xLabel: "initial mu1   (\(t.feasibility.rawValue), eta \(fmt(t.generatorStepSize))/\(fmt(t.discriminatorStepSize)), T \(experiment.steps), \(experiment.runsPerCell) runs/cell)",
                       yLabel: "initial mu2"),
            values: result.rateMatrix, xRange: range, yRange: range, valueRange: 0...1,
            colorBarLabel: "success probability", annotate: true, annotationFormat: "%.2f")
    }

    func writeHeatMap() throws {
        try PNGEncoder.write(heatMap().render(width: 680, height: 600), to: path("heatmap-\(name).png"))
    }

    var summary: [String: Any] {
        let t = experiment.trainer
        return [
            "experiment": "li-success-grid",
            "dynamics": name,
            "success_rate": result.successRate,
            "success_rate_off_diagonal": result.offDiagonalSuccessRate,
            "success_rate_diagonal": result.diagonalSuccessRate,
            "cells": result.cells.count,
            "cells_off_diagonal": result.cells.filter { !$0.isDiagonal }.count,
            "grid": experiment.gridSize,
            "grid_range": [experiment.gridLow, experiment.gridHigh],
            "inits_per_cell": experiment.runsPerCell,
            "inits_requested": experiment.initsPerCell,
            "total_runs": result.totalRuns,
            "successful_runs": result.successfulRuns,
            "steps": experiment.steps,
            "eta_g": t.generatorStepSize,
            "eta_d": t.discriminatorStepSize,
            "projection": t.feasibility.rawValue,
            "seed": experiment.seed,
            "threshold": experiment.tolerance,
            "true_means": [t.model.trueMeans[0], t.model.trueMeans[1]],
            "init_distribution": "sorted Uniform(-\(fmt(experiment.initHalfWidth)), \(fmt(experiment.initHalfWidth)))^4",
            "mean_final_tv": result.meanFinalTotalVariation,
            "discriminator_collapse_runs": result.cells.map(\.discriminatorCollapses).reduce(0, +),
            "mode_collapse_runs": result.cells.map(\.modeCollapses).reduce(0, +),
            "wall_seconds": wallSeconds,
            "threads": threads,
        ]
    }

    func writeSummary() throws {
        try writeJSON(summary, to: path("summary-\(name).json"))
    }

    /// summary.json: the shared protocol and every dynamics' summary keyed by name; with one
    /// dynamics its fields are also repeated at the top level.
    static func writeCombined(directory: String, results: [(LiSuccessResult, Double)], threads: Int) throws {
        let writers = results.map { LiOutputWriter(directory: directory, result: $0.0, wallSeconds: $0.1, threads: threads) }
        var combined: [String: Any] = writers.count == 1 ? writers[0].summary : [:]
        combined["experiment"] = "li-success-grid"
        combined["dynamics"] = writers.count == 1 ? writers[0].name : writers.map(\.name) as Any
        combined["results"] = Dictionary(uniqueKeysWithValues: writers.map { ($0.name, $0.summary) })
        try writeJSON(combined, to: (directory as NSString).appendingPathComponent("summary.json"))
        if writers.count > 1 {
            var canvas = Canvas(width: 680 * writers.count, height: 600)
            for (k, writer) in writers.enumerated() {
                writer.heatMap().draw(on: &canvas, in: PixelRect(x: 680 * k, y: 0, width: 680, height: 600))
            }
            try PNGEncoder.write(canvas, to: (directory as NSString).appendingPathComponent("heatmaps.png"))
        }
    }

    /// A three-panel figure (means, intervals, d_TV and gradient norm over time) and its CSV.
    func writeTrajectory(_ trajectory: LiTrajectory, index: Int) throws {
        let records = trajectory.records
        let steps = records.map { Double($0.step) }
        let model = experiment.trainer.model
        let start = records[0].state.means
        let title = "\(name) from (\(fmt(start[0])), \(fmt(start[1])))"
        func constant(_ v: Double) -> [Double] { steps.map { _ in v } }
        // ±∞ endpoints (optimal discriminator) are drawn at the clipping edge of the panel.
        func shown(_ v: Double) -> Double { v.isFinite ? v : (v > 0 ? 1e3 : -1e3) }
        let means = LinePlot(
            axes: Axes(title: title + (trajectory.converged ? ": converged" : ": failed"), xLabel: "step", yLabel: "means"),
            series: [LineSeries(label: "mu1", x: steps, y: records.map { $0.state.means[0] }),
                     LineSeries(label: "mu2", x: steps, y: records.map { $0.state.means[1] }),
                     LineSeries(label: "mu*", x: steps, y: constant(model.trueMeans[0]), color: .gray, thickness: 1, dashed: true),
                     LineSeries(label: "", x: steps, y: constant(model.trueMeans[1]), color: .gray, thickness: 1, dashed: true)],
            xRange: 0...max(steps.last ?? 1, 1), yRange: -2...2)
        let e = records.map(\.state.discriminator)
        let intervals = LinePlot(
            axes: Axes(title: "discriminator intervals", xLabel: "step", yLabel: "endpoints"),
            series: [LineSeries(label: "l1", x: steps, y: e.map { shown($0.l1) }, color: RGB.series(0)),
                     LineSeries(label: "r1", x: steps, y: e.map { shown($0.r1) }, color: RGB.series(0), dashed: true),
                     LineSeries(label: "l2", x: steps, y: e.map { shown($0.l2) }, color: RGB.series(3)),
                     LineSeries(label: "r2", x: steps, y: e.map { shown($0.r2) }, color: RGB.series(3), dashed: true)],
            xRange: 0...max(steps.last ?? 1, 1), yRange: -4...4)
        let signal = LinePlot(
            axes: Axes(title: "TV distance and generator gradient", xLabel: "step", yLabel: "value"),
            series: [LineSeries(label: "d_TV", x: steps, y: records.map(\.totalVariation)),
                     LineSeries(label: "|dL/dmu|", x: steps, y: records.map(\.generatorGradientNorm))],
            xRange: 0...max(steps.last ?? 1, 1), yRange: 0...max(0.05, (records.map { max($0.totalVariation, $0.generatorGradientNorm) }.max() ?? 0) * 1.05))
        var canvas = Canvas(width: 760, height: 900)
        means.draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: 760, height: 300))
        intervals.draw(on: &canvas, in: PixelRect(x: 0, y: 300, width: 760, height: 300))
        signal.draw(on: &canvas, in: PixelRect(x: 0, y: 600, width: 760, height: 300))
        try PNGEncoder.write(canvas, to: path("trajectory-\(name)-\(index).png"))

        var lines = ["step,mu1,mu2,l1,r1,l2,r2,objective,tv,grad_norm,interval_mass"]
        for r in records {
            let d = r.state.discriminator
            lines.append([Double(r.step), r.state.means[0], r.state.means[1], d.l1, d.r1, d.l2, d.r2,
                          r.objective, r.totalVariation, r.generatorGradientNorm, r.intervalMass]
                .enumerated().map { $0.offset == 0 ? "\(r.step)" : fmt($0.element) }.joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("trajectory-\(name)-\(index).csv"), atomically: true, encoding: .utf8)
    }
}

/// Shortest round-trip decimal; "inf"/"-inf"/"nan" spelled as most CSV readers accept.
func fmt(_ v: Double) -> String {
    if v.isNaN { return "nan" }
    if v.isInfinite { return v > 0 ? "inf" : "-inf" }
    return "\(v)"
}

func writeJSON(_ object: [String: Any], to path: String) throws {
    let data = try JSONSerialization.data(withJSONObject: sanitized(object), options: [.prettyPrinted, .sortedKeys])
    try data.write(to: URL(fileURLWithPath: path), options: .atomic)
}

/// JSON has no NaN or ∞: write them as null.
private func sanitized(_ value: Any) -> Any {
    switch value {
    case let d as Double: return d.isFinite ? d : NSNull()
    case let dict as [String: Any]: return dict.mapValues(sanitized)
    case let array as [Any]: return array.map(sanitized)
    default: return value
    }
}
