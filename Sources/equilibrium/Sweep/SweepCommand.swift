import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium sweep`: a grid of training configs × seeds, each run a `train` child process,
/// several at once, then one table of mean ± standard error per cell.
struct SweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Train a grid of configs × seeds in parallel and tabulate mean ± standard error.",
        discussion: """
            The grid is presets × objectives × penalty sets × schedules; a dimension not given keeps each preset's (or --config's) value. \
            Every cell runs once per seed as `equilibrium train` in DIR/<cell>/seed-<k> (its output in log.txt there), at most --jobs at a time. \
            A failed or diverged run is counted in the table, not fatal. \
            Ctrl-C stops the running children and keeps every finished run; --resume continues. \
            Writes DIR/table.md, DIR/table.csv and DIR/sweep.json.

            Presets: \(TrainingPresets.names.joined(separator: ", ")).
            """)

    @Option(name: .customLong("preset"), help: "Presets (repeatable or comma list; default: --config's preset, else \(TrainingPresets.defaultName)).")
    var presets: [String] = []
    @Option(name: .customLong("objective"), help: "Objectives (comma list): ns, mm, wgan, hinge, ls.")
    var objectives: [String] = []
    @Option(name: .customLong("penalty"), help: "Penalty sets (comma list); 'none' for no penalty, '+' combines: none,dragan,dragan+r1:10.")
    var penaltySets: [String] = []
    @Option(name: .customLong("schedule"), help: "Schedules (comma list), e.g. simultaneous,alternating,ratio:5:1.")
    var schedules: [String] = []
    @Option(help: "Run seeds 0..<N (default 3).") var seeds: Int?
    @Option(help: "Run exactly these seeds, e.g. 0,1,5.") var seedList: String?
    @Option(help: "Generator steps of every run (default: each preset's).") var steps: Int?
    @Option(help: "TOML or JSON config laid over every preset (as for train).") var config: String?
    @Option(help: "Runs at once (default: the number of cores, \(ProcessInfo.processInfo.activeProcessorCount)).") var jobs: Int?
    @Option(help: "Sweep directory (default sweeps/<date-time>).") var out: String?
    @Flag(help: "List the runs and their commands; start nothing.") var dryRun = false
    @Flag(help: "Keep runs whose summary.json exists and run only the rest.") var resume = false

    func validate() throws {
        if seeds != nil && seedList != nil { throw ValidationError("give --seeds or --seed-list, not both") }
        if let seeds, seeds < 1 { throw ValidationError("--seeds must be at least 1 (got \(seeds))") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if resume && out == nil { throw ValidationError("--resume needs --out, the directory of the sweep to continue") }
        for preset in try Self.list(presets, flag: "--preset") where !TrainingPresets.names.contains(preset) {
            throw ValidationError("unknown preset '\(preset)'; valid presets: \(TrainingPresets.names.joined(separator: ", "))")
        }
        _ = try seedValues()
        _ = try penaltyValues()
        _ = try Self.list(objectives, flag: "--objective")
        _ = try Self.list(schedules, flag: "--schedule")
        do {
            _ = try makePlan()
        } catch let error as SweepError {
            throw ValidationError(error.description)
        }
    }

    /// The values of a repeatable, comma-separated flag, in order; an empty item is an error.
    static func list(_ values: [String], flag: String) throws -> [String] {
        var result: [String] = []
        for value in values {
            let items = value.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            if items.contains(where: \.isEmpty) { throw ValidationError("\(flag) '\(value)' has an empty item") }
            for item in items where !result.contains(item) { result.append(item) }
        }
        return result
    }

    func seedValues() throws -> [UInt64] {
        guard let seedList else { return (0..<UInt64(seeds ?? 3)).map { $0 } }
        var result: [UInt64] = []
        for item in try Self.list([seedList], flag: "--seed-list") {
            guard let seed = UInt64(item) else { throw ValidationError("--seed-list: '\(item)' is not a non-negative integer") }
            result.append(seed)
        }
        return result
    }

    /// Each comma item is one penalty set: `none` is the empty set, `+` joins penalties.
    func penaltyValues() throws -> [[String]]? {
        let items = try Self.list(penaltySets, flag: "--penalty")
        guard !items.isEmpty else { return nil }
        return try items.map { item in
            if item.lowercased() == "none" { return [] }
            let parts = item.split(separator: "+", omittingEmptySubsequences: false).map(String.init)
            if parts.contains(where: \.isEmpty) { throw ValidationError("--penalty '\(item)' has an empty part around '+'") }
            if parts.contains(where: { $0.lowercased() == "none" }) {
                throw ValidationError("--penalty '\(item)': 'none' cannot be combined with other penalties")
            }
            return parts
        }
    }

    func run() throws {
        let plan = try makePlan()
        let (todo, jobCount) = try SweepExecution.runsToStart(plan.runs, directory: plan.directory, resume: resume, dryRun: dryRun,
                                                              jobs: jobs)
        print("sweep: \(plan.cells.count) cell(s) × \(plan.seeds.count) seed(s) = \(plan.runs.count) runs"
              + (resume ? ", \(plan.runs.count - todo.count) already finished" : "")
              + ", \(jobCount) at a time → \(plan.directory)")
        if dryRun {
            SweepExecution.printDryRun(plan.runs, todo: todo) { "\(plan.cells[$0.cellIndex].name)/seed-\($0.seed)" }
            return
        }
        fflush(nil)  // the header before the progress line, which goes to stderr
        let (statuses, completed) = SweepExecution.execute(plan.runs, todo: todo, jobs: jobCount, label: "sweep") {
            "\(plan.cells[$0.cellIndex].name) seed \($0.seed)"
        }
        let results = plan.cells.indices.map { cellIndex in
            CellResult(cell: plan.cells[cellIndex], runs: plan.runs.indices.filter { plan.runs[$0].cellIndex == cellIndex }.map {
                (plan.runs[$0], statuses[$0])
            })
        }
        let table = SweepTable(plan: plan, results: results, jobs: jobCount, stepsOverride: steps)
        try table.write()
        print(table.markdown)
        print("wrote \(plan.directory)/{table.md,table.csv,sweep.json}")
        try SweepExecution.exitIfInterrupted(completed: completed, notRun: results.reduce(0) { $0 + $1.notRun }, out: out,
                                             directory: plan.directory)
    }

    func makePlan() throws -> SweepPlan {
        var presetNames = try Self.list(presets, flag: "--preset")
        if presetNames.isEmpty { presetNames = [try SweepPlan.resolve(preset: nil, configPath: config).preset] }
        let objectiveValues = try Self.list(objectives, flag: "--objective")
        let scheduleValues = try Self.list(schedules, flag: "--schedule")
        return try SweepPlan(presets: presetNames, objectives: objectiveValues.isEmpty ? nil : objectiveValues,
                             penaltySets: try penaltyValues(), schedules: scheduleValues.isEmpty ? nil : scheduleValues,
                             seeds: try seedValues(), steps: steps, configPath: config, directory: out ?? SweepExecution.defaultDirectory())
    }
}
