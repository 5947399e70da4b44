import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium mixture`: K generators trained jointly against one discriminator, with a
/// classifier that tells them apart (MGAN-style; the DO-GAN comparison's mixture baseline).
struct MixtureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mixture",
        abstract: "Train a mixture of K generators jointly (shared discriminator, optional classifier head, MGAN-style).",
        discussion: """
        Each step: D on a fake batch split over the generators in proportion to π, the classifier C on that \
        batch's source labels, then every generator G_k on L_G(D(G_k(z))) + β·CE(C(G_k(z)), k). The preset's \
        players, optimisers, objective and penalties are used; its update schedule is not (this loop is \
        alternating, D first, 1:1). --balance-every N re-weights π every N steps toward generators whose \
        adversarial loss is high (π = ½·uniform + ½·softmax(ρ·loss)). Writes config.json, metrics.csv, \
        summary.json (with the train keys, the weights and the generator–mode mutual information), \
        samples.png (by generator) and curves.png into --out.
        """)

    @OptionGroup var gan: GANOptions
    @Option(parsing: .unconditional, help: "K, the number of generators.") var generators = 4
    @Option(parsing: .unconditional, help: "β, the classifier cross-entropy's weight in each generator's loss (0: no classifier).") var beta = 0.1
    @Option(name: .customLong("balance-every"), parsing: .unconditional, help: "Re-balance π every N steps (0: uniform π).") var balanceEvery = 0
    @Option(name: .customLong("balance-rate"), parsing: .unconditional, help: "ρ of the balance rule.") var balanceRate = 1.0
    @Option(parsing: .unconditional, help: "Training steps (each updates D, C and every generator once; default: the preset's).") var steps: Int?
    @Option(name: .customLong("eval-every"), parsing: .unconditional, help: "Evaluate the mixture every N steps (default: steps/10).") var evalEvery: Int?
    @Option(help: "Run directory.") var out: String?

    func settings() -> GeneratorMixtureSettings {
        var s = GeneratorMixtureSettings()
        s.generators = generators
        s.classifierWeight = beta
        s.balanceEvery = balanceEvery
        s.balanceRate = balanceRate
        return s
    }

    func resolvedConfig() throws -> GANConfig {
        var c = try gan.resolved()
        if let steps { c.steps = steps }
        return c
    }

    func validate() throws {
        if let evalEvery, evalEvery < 1 { throw ValidationError("--eval-every must be ≥ 1, got \(evalEvery)") }
        try asUsageErrors {
            try settings().validate()
            try resolvedConfig().validate()
        }
    }

    func run() throws {
        let c = try resolvedConfig()
        let directory = out ?? "runs/mixture-\(c.preset)-k\(generators)-seed\(c.seed)"
        try MixtureRun(config: c, settings: settings(), evalEvery: evalEvery ?? max(1, c.steps / 10), directory: directory).run()
    }
}
