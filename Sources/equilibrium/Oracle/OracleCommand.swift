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

    @Option(help: "Named preset (default pacgan-ring).") var preset: String?
    @Option(help: "TOML or JSON config file laid over the preset.") var config: String?
    @Option(parsing: .unconditional, help: "Double-oracle iterations at most (default 20; with --resume, the checkpoint's).") var iterations: Int?
    @Option(name: .customLong("oracle-steps"), parsing: .unconditional, help: "Gradient steps of each best-response oracle.") var oracleSteps = 500
    @Option(name: .customLong("warm-start-steps"), parsing: .unconditional, help: "Ordinary GAN steps before the first meta-game.") var warmStartSteps = 500
    @Option(help: "Meta-solver: lp, fictitious-play[:rounds], replicator, uniform, last-one, linear.") var solver = "lp"
    @Option(parsing: .unconditional, help: "Stop when both gains stay ≤ ε …") var epsilon = 5e-5
    @Option(parsing: .unconditional, help: "… for this many consecutive iterations.") var patience = 4
    @Option(parsing: .unconditional, help: "Prune above this many strategies per player.") var cap = 10
    @Option(name: .customLong("evaluation-batches"), parsing: .unconditional, help: "Fixed minibatches behind every payoff entry.") var evaluationBatches = 3
    @Option(name: .customLong("ewc-lambda"), parsing: .unconditional, help: "Continual learning (EWC, assumed method): λ of (λ/2)Σ F(θ − θ*)² on each best response; 0 = off.") var ewcLambda = 0.0
    @Option(name: .customLong("fisher-batches"), parsing: .unconditional, help: "Minibatches behind the diagonal Fisher estimate.") var fisherBatches = 20
    @Option(help: "Oracle: best-response, sample-opponent, authors-joint.") var oracle = "best-response"
    @Option(name: .customLong("oracle-init"), help: "New best responses start from the player's newest network (newest) or afresh (scratch).") var oracleInit = "newest"
    @Option(help: "Resume the DO-GAN run in this directory from its checkpoint (takes the config from it).") var resume: String?
    @Option(help: "Objective: ns, mm, wgan, hinge, ls.") var objective: String?
    @Option(name: .customLong("penalty"), help: "Penalty (repeatable), as for train; 'none' clears the preset's.") var penalties: [String] = []
    @Option(help: "Seed.") var seed: UInt64?
    @Option(name: .customLong("eval-samples"), parsing: .unconditional, help: "Samples of the mixed generator for the final metrics.") var evalSamples: Int?
    @Option(help: "Run directory.") var out: String?

    func settings() throws(MetaGameError) -> DoubleOracleSettings {
        var s = DoubleOracleSettings()
        s.iterations = iterations ?? 20
        s.oracleSteps = oracleSteps
        s.warmStartSteps = warmStartSteps
        s.solver = solver
        s.epsilon = epsilon
        s.patience = patience
        s.cap = cap
        s.evaluationBatches = evaluationBatches
        s.ewcLambda = ewcLambda
        s.fisherBatches = fisherBatches
        s.oracle = try OracleMode.parse(oracle)
        s.initialization = try OracleInitialization.parse(oracleInit)
        return s
    }

    func resolvedConfig() throws -> GANConfig {
        var c = try ConfigLoader.load(path: config, preset: preset)
        if let objective { c.objective = objective }
        if !penalties.isEmpty { c.penalties = penalties == ["none"] ? [] : penalties }
        if let seed { c.seed = seed }
        if let evalSamples { c.evalSamples = evalSamples }
        return c
    }

    func validate() throws {
        if resume != nil && (preset != nil || config != nil) {
            throw ValidationError("--resume takes the config from the checkpoint; do not combine it with --preset or --config")
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
