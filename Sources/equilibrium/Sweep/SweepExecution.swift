import ArgumentParser
import Foundation

/// Runs the given runs of a sweep or search as `train` children, at most `jobs` at a time,
/// with a progress line, and reads back each run's status. Shared by `sweep` (a grid) and
/// `search` (random configurations), which differ only in how they plan and report.
enum SweepExecution {
    /// Which runs to start, and how many at once (`jobs`, default the core count, never more
    /// than there are runs). All runs, or with `resume` the ones without a summary.json; a
    /// dry run without `resume` lists them all. Otherwise refuses to overwrite finished runs
    /// without `resume`, since they may be hours of work.
    static func runsToStart(_ runs: [SweepRun], directory: String, resume: Bool, dryRun: Bool, jobs: Int?) throws
        -> (todo: [Int], jobs: Int)
    {
        let finishedBefore = runs.filter(\.isFinished)
        if !resume && !dryRun && !finishedBefore.isEmpty {
            throw SweepError("\(directory) already holds \(finishedBefore.count) finished run(s) of this plan (e.g. \(finishedBefore[0].directory)); pass --resume to keep them and run the rest, or choose another --out")
        }
        let todo = runs.indices.filter { !(resume && runs[$0].isFinished) }
        return (todo, min(jobs ?? ProcessInfo.processInfo.activeProcessorCount, max(todo.count, 1)))
    }

    /// Runs `runs[todo]`; `label` names the command and `name` a run on the progress line. Returns every run's status
    /// (finished runs of an earlier invocation included) and whether all of `todo` ran.
    static func execute(_ runs: [SweepRun], todo: [Int], jobs: Int, label: String, name: (SweepRun) -> String)
        -> (statuses: [RunStatus], completed: Bool)
    {
        var outcomes: [Int: ChildOutcome] = [:]
        let progress = ProgressLine(label: label, unit: "runs")
        var done = 0
        progress.update(done: 0, total: todo.count, detail: "starting", force: true)
        let jobsToRun = todo.map { ChildRunPool.Job(arguments: runs[$0].arguments, logPath: runs[$0].logPath) }
        let completed = ChildRunPool(jobs: jobs).run(jobsToRun) { position, outcome in
            let index = todo[position]
            outcomes[index] = outcome
            done += 1
            let status = RunStatus.read(runs[index], outcome: outcome)
            progress.update(done: done, total: todo.count, detail: "\(name(runs[index])): \(describe(status))", force: true)
        }
        progress.finish()
        return (runs.indices.map { RunStatus.read(runs[$0], outcome: outcomes[$0]) }, completed)
    }

    /// `--dry-run`'s listing: each run, whether it would start, and its `train` command.
    static func printDryRun(_ runs: [SweepRun], todo: [Int], name: (SweepRun) -> String) {
        let starting = Set(todo)
        for (index, run) in runs.enumerated() {
            let mark = starting.contains(index) ? "run " : "skip (finished)"
            print("\(mark)  \(name(run)): equilibrium \(run.arguments.map(shellQuoted).joined(separator: " "))")
        }
    }

    /// After the report is written: an interrupted invocation says how to continue and exits 130.
    static func exitIfInterrupted(completed: Bool, notRun: Int, out: String?, directory: String) throws {
        guard !completed else { return }
        print("interrupted: \(notRun) run(s) not finished; continue with:\n  \(resumeCommand(out: out, directory: directory))")
        throw ExitCode(130)
    }

    /// The command line that continues an interrupted invocation (`--resume`, and `--out` when
    /// the directory was a default).
    static func resumeCommand(out: String?, directory: String) -> String {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if !arguments.contains("--resume") { arguments.append("--resume") }
        if out == nil { arguments += ["--out", directory] }
        return "equilibrium " + arguments.map(shellQuoted).joined(separator: " ")
    }

    static func describe(_ status: RunStatus) -> String {
        if case .notRun = status { return "stopped (sweep interrupted)" }
        guard case .finished(let summary) = status else { return status.name.uppercased() + (status.detail.map { ": " + $0 } ?? "") }
        return "finished" + (summary.isEmpty ? "" : "  " + TrainingRunner.short(summary))
    }

    static func shellQuoted(_ argument: String) -> String {
        let safe = argument.allSatisfy { $0.isLetter || $0.isNumber || "-_./:+=,@".contains($0) }
        return safe ? argument : "'" + argument.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// sweeps/<date-time>.
    static func defaultDirectory() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        return "sweeps/" + formatter.string(from: Date())
    }
}
