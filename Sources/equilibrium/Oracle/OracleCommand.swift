import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium oracle`: DO-GAN, double-oracle training of a GAN (spec do-gan.md).
struct OracleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "oracle",
        abstract: "DO-GAN: double-oracle training over populations of generators and discriminators, meta-game solved by LP.",
        discussion: """
        Warm-starts an ordinary GAN on the preset, then each iteration solves the meta-game U_ij = V(g_i, d_j) \
        (COIN-OR CLP by default), trains a best-response generator against the discriminator mixture and a \
        best-response discriminator against the generator mixture, adds both, and prunes above --cap. Writes \
        config.json, iterations.csv, payoff.csv, summary.json, weights.png, payoff.png, curves.png and samples.png \
        (the mixed generator's samples coloured by component) into --out, and a checkpoint after every iteration: \
        `--resume DIR` continues a killed run exactly (and `--iterations` may extend a finished one).

        Oracles: best-response (default; each new network trained against the fixed opponent mixture), \
        sample-opponent (one discriminator drawn from σ_d per generator step), authors-joint (the authors' \
        prototype: new generator and discriminator trained together, one step against every stored opponent \
        and one against each other per minibatch, so a minibatch costs stored + 1 steps per player).
        """)

    @OptionGroup var gan: GANOptions
    @Option(parsing: .unconditional, help: "Double-oracle iterations at most (default 20; with --resume, the checkpoint's).") var iterations: Int?
    // The run's settings are optional so that --resume can refuse any of them (a resumed run
    // keeps its checkpoint's settings); the defaults are DoubleOracleSettings()'s.
    @Option(name: .customLong("oracle-steps"), parsing: .unconditional, help: "Gradient steps of each best-response oracle (default 500).") var oracleSteps: Int?
    @Option(name: .customLong("warm-start-steps"), parsing: .unconditional, help: "Ordinary GAN steps before the first meta-game (default 500).") var warmStartSteps: Int?
    @Option(help: "Meta-solver: lp (default), fictitious-play[:rounds], replicator, uniform, last-one, linear.") var solver: String?
    @Option(parsing: .unconditional, help: "Stop when both gains stay ≤ ε (default 5e-5) …") var epsilon: Double?
    @Option(parsing: .unconditional, help: "… for this many consecutive iterations (default 4).") var patience: Int?
    @Option(parsing: .unconditional, help: "Prune above this many strategies per player (default 10).") var cap: Int?
    @Option(name: .customLong("evaluation-batches"), parsing: .unconditional, help: "Fixed minibatches behind every payoff entry (default 3).") var evaluationBatches: Int?
    @Option(name: .customLong("ewc-lambda"), parsing: .unconditional, help: "Continual learning (EWC, assumed method): λ of (λ/2)Σ F(θ − θ*)² on each best response; 0 = off (default).") var ewcLambda: Double?
    @Option(name: .customLong("fisher-batches"), parsing: .unconditional, help: "Minibatches behind the diagonal Fisher estimate (default 20).") var fisherBatches: Int?
    @Option(help: "Oracle: best-response (default), sample-opponent, authors-joint.") var oracle: String?
    @Option(name: .customLong("oracle-init"), help: "New best responses start from the player's newest network (newest, default) or afresh (scratch).") var oracleInit: String?
    @Option(help: "Resume the DO-GAN run in this directory from its checkpoint (its config and settings; only --iterations may change).") var resume: String?
    @Option(help: "Run directory.") var out: String?

    func settings() throws(MetaGameError) -> DoubleOracleSettings {
        var s = DoubleOracleSettings()
        if let iterations { s.iterations = iterations }
        if let oracleSteps { s.oracleSteps = oracleSteps }
        if let warmStartSteps { s.warmStartSteps = warmStartSteps }
        if let solver { s.solver = solver }
        if let epsilon { s.epsilon = epsilon }
        if let patience { s.patience = patience }
        if let cap { s.cap = cap }
        if let evaluationBatches { s.evaluationBatches = evaluationBatches }
        if let ewcLambda { s.ewcLambda = ewcLambda }
        if let fisherBatches { s.fisherBatches = fisherBatches }
        if let oracle { s.oracle = try OracleMode.parse(oracle) }
        if let oracleInit { s.initialization = try OracleInitialization.parse(oracleInit) }
        return s
    }

    /// The options a resumed run would silently ignore.
    var optionsResumeCannotChange: [String] {
        let set: [(String, Bool)] = [
            ("--preset", gan.preset != nil), ("--config", gan.config != nil), ("--oracle-steps", oracleSteps != nil),
            ("--warm-start-steps", warmStartSteps != nil), ("--solver", solver != nil), ("--epsilon", epsilon != nil),
            ("--patience", patience != nil), ("--cap", cap != nil), ("--evaluation-batches", evaluationBatches != nil),
            ("--ewc-lambda", ewcLambda != nil), ("--fisher-batches", fisherBatches != nil), ("--oracle", oracle != nil),
            ("--oracle-init", oracleInit != nil), ("--objective", gan.objective != nil), ("--penalty", !gan.penalties.isEmpty),
            ("--seed", gan.seed != nil), ("--eval-samples", gan.evalSamples != nil), ("--out", out != nil),
        ]
        return set.filter(\.1).map(\.0)
    }

    func resolvedConfig() throws -> GANConfig { try gan.resolved() }

    func validate() throws {
        if resume != nil, !optionsResumeCannotChange.isEmpty {
            throw ValidationError("--resume continues the run with its checkpoint's config and settings (only --iterations may change); drop \(optionsResumeCannotChange.joined(separator: ", "))")
        }
        try asUsageErrors {
            try settings().validate()
            try resolvedConfig().validate()
        }
    }

    func run() throws {
        if let resume {
            try OracleRun.resume(directory: resume, iterations: iterations)
            return
        }
        let c = try resolvedConfig()
        let directory = out ?? "runs/oracle-\(c.preset)-seed\(c.seed)"
        try OracleRun(config: c, settings: settings(), directory: directory).run()
    }
}
