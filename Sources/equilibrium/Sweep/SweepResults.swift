import Equilibrium
import Foundation

/// Where one run of the grid stands, read from its directory (summary.json) and, for runs of
/// this invocation that wrote none, from how the child exited.
enum RunStatus {
    /// summary.json without a divergence: its metrics enter the means.
    case finished([String: Any])
    /// `train` stopped on a non-finite loss (exit 3) and said so in summary.json.
    case diverged(String)
    /// The child failed without a summary (crash, bad flag, a kill not from the sweep).
    case failed(String)
    /// Never started, or stopped by the sweep's own interruption: `--resume` runs it.
    case notRun

    var name: String {
        switch self {
        case .finished: return "finished"
        case .diverged: return "diverged"
        case .failed: return "failed"
        case .notRun: return "not run"
        }
    }

    var detail: String? {
        switch self {
        case .diverged(let why), .failed(let why): return why
        case .finished, .notRun: return nil
        }
    }

    static func read(_ run: SweepRun, outcome: ChildOutcome?) -> RunStatus {
        if let data = FileManager.default.contents(atPath: run.summaryPath),
           let summary = try? JSONSerialization.jsonObject(with: data) as? [String: Any] {
            if let diverged = summary["diverged"] as? String { return .diverged(diverged) }
            return .finished(summary)
        }
        guard let outcome, outcome != .stoppedBySweep else { return .notRun }
        if outcome.succeeded { return .failed("exited 0 without writing summary.json; see \(run.logPath)") }
        return .failed("\(outcome.description); see \(run.logPath)")
    }
}

/// How a group of runs ended, counted for a table: a sweep cell's seeds, a search model's
/// configurations.
protocol RunCounts {
    var statuses: [RunStatus] { get }
}

extension RunCounts {
    func count(_ name: String) -> Int { statuses.filter { $0.name == name }.count }
    var finished: Int { count("finished") }
    var diverged: Int { count("diverged") }
    var failed: Int { count("failed") }
    var notRun: Int { count("not run") }
}

/// One cell's seeds, aggregated as mean ± standard error over its finished runs. Diverged
/// and failed runs are counted beside the means, never averaged in: their last evaluation
/// describes a run that did not complete.
struct CellResult: RunCounts {
    let cell: SweepCell
    let runs: [(run: SweepRun, status: RunStatus)]
    let modesCovered: SeedAggregate
    /// The number of modes of the data (nil when it has none, e.g. a swiss roll).
    let modesTotal: Int?
    let highQualityPercent: SeedAggregate
    let reverseKL: SeedAggregate
    let histogramJS: SeedAggregate
    let wallSeconds: SeedAggregate
    /// Summary metrics beyond the main columns, keyed by `ExtraMetric.all`'s keys; a key is
    /// present when at least one finished run reported it (EMA generators, segment trackers).
    let extras: [String: SeedAggregate]

    init(cell: SweepCell, runs: [(run: SweepRun, status: RunStatus)]) {
        self.cell = cell
        self.runs = runs
        let summaries = runs.compactMap { entry -> [String: Any]? in
            if case .finished(let summary) = entry.status { return summary }
            return nil
        }
        func values(_ key: String, scale: Double = 1) -> [Double] {
            summaries.compactMap { Self.number($0[key]).map { $0 * scale } }
        }
        modesCovered = SeedAggregate(values("modes_covered"))
        modesTotal = summaries.lazy.compactMap { Self.number($0["modes_total"]) }.first.map { Int($0) }
        highQualityPercent = SeedAggregate(values("high_quality_fraction", scale: 100))
        reverseKL = SeedAggregate(values("reverse_kl"))
        histogramJS = SeedAggregate(values("hist_js"))
        wallSeconds = SeedAggregate(values("wall_seconds"))
        var extras: [String: SeedAggregate] = [:]
        for metric in ExtraMetric.all {
            let v = summaries.compactMap { s -> Double? in
                if let flag = s[metric.key] as? Bool { return flag ? 1 : 0 }
                return Self.number(s[metric.key])
            }
            if !v.isEmpty { extras[metric.key] = SeedAggregate(v.map { $0 * metric.scale }) }
        }
        self.extras = extras
    }

    /// A summary value as a number: JSON numbers, and "nan" (an undefined KL) as NaN so
    /// SeedAggregate counts it as excluded; null or absent (a metric the data has no use
    /// for) as nil.
    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber { return number.doubleValue }
        if let text = value as? String, text.lowercased() == "nan" { return .nan }
        return nil
    }

    var statuses: [RunStatus] { runs.map(\.status) }

    /// The summaries' evaluation protocol line (the first finished run's).
    var protocolLine: String? {
        for entry in runs { if case .finished(let s) = entry.status, let p = s["protocol"] as? String { return p } }
        return nil
    }

    /// Distinct training lengths of the finished runs.
    var steps: [Int] {
        Array(Set(runs.compactMap { entry -> Int? in
            if case .finished(let s) = entry.status { return Self.number(s["steps"]).map { Int($0) } }
            return nil
        })).sorted()
    }
}

/// Summary keys the sweep tabulates in groups of their own when runs report them.
struct ExtraMetric {
    let key: String
    let label: String
    let group: String
    let scale: Double
    let digits: Int

    static let all: [ExtraMetric] = [
        ExtraMetric(key: "ema_modes_covered", label: "EMA modes covered", group: "ema", scale: 1, digits: 2),
        ExtraMetric(key: "ema_high_quality_fraction", label: "EMA high-quality %", group: "ema", scale: 100, digits: 1),
        ExtraMetric(key: "ema_reverse_kl", label: "EMA reverse KL", group: "ema", scale: 1, digits: 3),
        ExtraMetric(key: "off_manifold_distance", label: "off-segment distance", group: "segment", scale: 1, digits: 3),
        ExtraMetric(key: "coverage_w1", label: "coverage W1", group: "segment", scale: 1, digits: 3),
        ExtraMetric(key: "segment_success", label: "success rate", group: "segment", scale: 1, digits: 2),
        ExtraMetric(key: "js_analytic", label: "JS (exact, end)", group: "segment", scale: 1, digits: 3),
        ExtraMetric(key: "js_analytic_flat_fraction", label: "evaluations with JS = log 2", group: "segment", scale: 1, digits: 2),
        ExtraMetric(key: "sliced_w1", label: "sliced W1", group: "divergence", scale: 1, digits: 3),
        ExtraMetric(key: "hist_js_increase_fraction", label: "JS (histogram) rises", group: "divergence", scale: 1, digits: 2),
        ExtraMetric(key: "sliced_w1_increase_fraction", label: "sliced W1 rises", group: "divergence", scale: 1, digits: 2),
    ]
}
