import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium search`: Fedus et al.'s question, how robust is each model to its
/// hyper-parameters, answered by random search: every model trained on the same random
/// configurations, and the distribution of its scores reported (`many-paths.md` §4).
struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Random hyper-parameter search per model; reports score distributions, success fractions and box plots.",
        discussion: """
            Draws --configurations random configurations (learning rate, Adam β1, discriminator steps per generator step, \
            penalty weight; defaults from many-paths.md §4) and trains every --model on each, as `equilibrium train` \
            children in DIR/<model>/config-<k>, at most --jobs at a time. Configuration k is the same draw, and trains \
            with seed k, in every model, so models are compared on identical configurations. \
            Writes DIR/table.md (median, quartiles, min–max and success fraction per model), DIR/runs.csv (one line per \
            run with its configuration and metrics), DIR/search.json and DIR/boxplots.png. \
            Ctrl-C stops the running children and keeps every finished run; --resume continues.

            Models: an objective, then penalties joined by '+': mm, ns, wgan+wgan-gp, ns+gan-gp, ns+dragan (the default five), \
            also e.g. hinge+r1:10 or ls.
            """)

    @Option(help: "Preset (default: --config's preset, else \(TrainingPresets.defaultName)).") var preset: String?
    @Option(help: "TOML or JSON config laid over the preset (as for train).") var config: String?
    @Option(name: .customLong("model"), help: "Models (repeatable or comma list; default mm,ns,wgan+wgan-gp,ns+gan-gp,ns+dragan).")
    var modelTexts: [String] = []
    @Option(help: "Random configurations per model.") var configurations: Int = 30
    @Option(help: "Seed of the configuration draws (training seeds are the configuration indices).") var sampleSeed: UInt64 = 0
    @Option(help: "Learning-rate range, log-uniform, LOWER:UPPER (both players).") var lr: String = "1e-5:1e-2"
    @Option(help: "Adam β1 choices (comma list).") var beta1: String = "0,0.5,0.9"
    @Option(help: "Adam β2 of non-Wasserstein models.") var beta2: Double = 0.999
    @Option(help: "Adam β2 of Wasserstein (wgan) models.") var wganBeta2: Double = 0.9
    @Option(name: .customLong("n-d"), help: "Discriminator steps per generator step, choices (comma list).") var discriminatorSteps: String = "1,2,5"
    @Option(help: "Penalty-weight range λ, log-uniform, LOWER:UPPER (models with DRAGAN or interpolation penalties).")
    var penaltyWeight: String = "0.1:100"
    @Option(help: "Success: at least this many modes covered at the end.") var successModes: Double = 7
    @Option(help: "Success: at least this fraction of high-quality samples at the end.") var successHighQuality: Double = 0.8
    @Option(help: "The model the others are compared with, configuration by configuration (default: ns if searched, else the first).")
    var baseline: String?
    @Option(help: "Generator steps of every run (default: the preset's).") var steps: Int?
    @Option(help: "Runs at once (default: the number of cores, \(ProcessInfo.processInfo.activeProcessorCount)).") var jobs: Int?
    @Option(help: "Search directory (default sweeps/<date-time>).") var out: String?
    @Flag(help: "List the configurations and runs; start nothing.") var dryRun = false
    @Flag(help: "Keep runs whose summary.json exists and run only the rest.") var resume = false

    func validate() throws {
        if configurations < 1 { throw ValidationError("--configurations must be at least 1 (got \(configurations))") }
        if let jobs, jobs < 1 { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        if resume && out == nil { throw ValidationError("--resume needs --out, the directory of the search to continue") }
        if !(0...1).contains(successHighQuality) {
            throw ValidationError("--success-high-quality is a fraction in [0, 1] (got \(successHighQuality))")
        }
        if let preset, !TrainingPresets.names.contains(preset) {
            throw ValidationError("unknown preset '\(preset)'; valid presets: \(TrainingPresets.names.joined(separator: ", "))")
        }
        do {
            _ = try baselineIndex(in: try makePlan())
        } catch let error as SweepError {
            throw ValidationError(error.description)
        }
    }

    func models() throws -> [SearchModel] {
        let texts = try SweepCommand.list(modelTexts, flag: "--model")
        guard !texts.isEmpty else { return SearchModel.manyPaths }
        return try texts.map { text in
            do { return try SearchModel(parsing: text) } catch { throw ValidationError("--model \(Self.reason(error))") }
        }
    }

    func space() throws -> SearchSpace {
        func numbers<T>(_ text: String, flag: String, _ parse: (String) -> T?) throws -> [T] {
            try SweepCommand.list([text], flag: flag).map { item in
                guard let value = parse(item) else { throw ValidationError("\(flag): '\(item)' is not a number") }
                return value
            }
        }
        func range(_ text: String, flag: String) throws -> LogUniformRange {
            do { return try LogUniformRange(parsing: text) } catch { throw ValidationError("\(flag): \(Self.reason(error))") }
        }
        do {
            return try SearchSpace(learningRate: try range(lr, flag: "--lr"), beta1: try numbers(beta1, flag: "--beta1", Double.init),
                                   beta2: beta2, wassersteinBeta2: wganBeta2,
                                   discriminatorSteps: try numbers(discriminatorSteps, flag: "--n-d", Int.init),
                                   penaltyWeight: try range(penaltyWeight, flag: "--penalty-weight"))
        } catch let error as GANConfigError {
            guard case .invalid(let field, let why) = error else { throw ValidationError("\(error)") }
            let flags = ["beta1": "--beta1", "beta2": "--beta2", "wgan_beta2": "--wgan-beta2", "n_d": "--n-d"]
            throw ValidationError("\(flags[field] ?? field): \(why)")
        }
    }

    /// The reason of a config error, without its "config: field:" prefix.
    static func reason(_ error: any Error) -> String {
        if case .invalid(_, let why) = error as? GANConfigError { return why }
        return "\(error)"
    }

    /// The index of --baseline among the models (matched by label after parsing, so
    /// "ns + dragan" finds ns+dragan).
    func baselineIndex(in plan: SearchPlan) throws -> Int {
        guard let baseline else { return plan.models.firstIndex { $0.label == "ns" } ?? 0 }
        let wanted: SearchModel
        do { wanted = try SearchModel(parsing: baseline) } catch { throw ValidationError("--baseline \(Self.reason(error))") }
        guard let index = plan.models.firstIndex(of: wanted) else {
            throw ValidationError("--baseline \(wanted.label) is not one of the searched models: \(plan.models.map(\.label).joined(separator: ", "))")
        }
        return index
    }

    func makePlan() throws -> SearchPlan {
        try SearchPlan(preset: preset, configPath: config, models: try models(), configurations: configurations, space: try space(),
                       sampleSeed: sampleSeed, steps: steps, directory: out ?? SweepExecution.defaultDirectory())
    }

    func run() throws {
        let plan = try makePlan()
        let (todo, jobCount) = try SweepExecution.runsToStart(plan.runs, directory: plan.directory, resume: resume, dryRun: dryRun,
                                                              jobs: jobs)
        let rule = SearchSuccess(minimumModes: successModes, minimumHighQualityFraction: successHighQuality)
        print("search: \(plan.models.count) model(s) × \(plan.draws.count) configuration(s) = \(plan.runs.count) runs"
              + (resume ? ", \(plan.runs.count - todo.count) already finished" : "")
              + ", \(jobCount) at a time → \(plan.directory)")
        print("search space: \(plan.space.protocolLine); sample seed \(plan.sampleSeed)")
        if dryRun {
            for draw in plan.draws {
                print(String(format: "configuration %d: lr %.4g, β1 %g, n_D %d, λ %.4g (penalised models only), seed %d",
                             draw.index, draw.learningRate, draw.beta1, draw.discriminatorSteps, draw.penaltyWeight, draw.trainingSeed))
            }
            SweepExecution.printDryRun(plan.runs, todo: todo) { "\(plan.models[$0.cellIndex].label)/config-\($0.seed)" }
            return
        }
        fflush(nil)  // the header before the progress line, which goes to stderr
        let (statuses, completed) = SweepExecution.execute(plan.runs, todo: todo, jobs: jobCount, label: "search") {
            "\(plan.models[$0.cellIndex].label) config \($0.seed)"
        }
        let report = SearchReport(plan: plan, statuses: statuses, rule: rule, jobs: jobCount,
                                  baseline: try baselineIndex(in: plan))
        try report.write()
        print(report.markdown)
        print("wrote \(plan.directory)/{table.md,runs.csv,search.json,boxplots.png}")
        try SweepExecution.exitIfInterrupted(completed: completed, notRun: report.results.reduce(0) { $0 + $1.notRun }, out: out,
                                             directory: plan.directory)
    }
}
