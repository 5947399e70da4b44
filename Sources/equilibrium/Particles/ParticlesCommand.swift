import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium particles …`: the effective particle model of Durr et al. (spec particles.md).
struct ParticlesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "particles",
        abstract: "Effective particle model: kernel-coupled particles against a neural discriminator.",
        discussion: """
        The generator is replaced by N particles in data space that move by \
        x_i ← x_i − η_G Σ_j K_ij ∇ℓ_G(x_j), K = (1 − φ)I + φ𝟙𝟙ᵀ (or an empirical NTK). \
        `particles run` (the default) trains one system; `particles sweep phase` maps mode collapse over \
        (φ, η_D); `particles sweep damping` measures convergence time against the regulariser weight γ.
        """,
        subcommands: [ParticlesRunCommand.self, ParticlesSweepCommand.self, ParticlesBenchCommand.self],
        defaultSubcommand: ParticlesRunCommand.self)
}

/// The options every particle command shares; each maps to a `ParticleModelConfig` field.
struct ParticleModelOptions: ParsableArguments {
    @Option(help: "Target: ring8 (ringK), one-point[:d], two-point[:d], random:M:d, file:PATH.csv, or a mixture preset (pacgan-ring, pacgan-grid, …).")
    var target = "ring8"

    @Option(parsing: .unconditional, help: "Number of particles N.")
    var particles = 64

    @Option(parsing: .unconditional, help: "Kernel coupling φ in K = (1 − φ)I + φ𝟙𝟙ᵀ.")
    var phi = 0.0

    @Option(help: "Coupling: uniform (sum-coupled, default), mean (mean-coupled) or ntk (empirical NTK of a generator MLP).")
    var coupling = "uniform"

    @Option(name: .customLong("ntk-widths"), help: "Hidden widths of the NTK generator, comma-separated.")
    var ntkWidths = "256,256"

    @Option(name: .customLong("ntk-latent"), parsing: .unconditional, help: "Latent size of the NTK generator (inputs on the sphere of radius √latent).")
    var ntkLatent = 64

    @Option(name: .customLong("lr-g"), parsing: .unconditional, help: "Particle step size η_G.")
    var lrG = 1e-3

    @Option(name: .customLong("lr-d"), parsing: .unconditional, help: "Discriminator learning rate η_D.")
    var lrD = 1e-2

    @Option(name: .customLong("d-optimizer"), help: "Discriminator optimiser: sgd (plain gradient descent, default), adam, rmsprop, …")
    var dOptimizer = "sgd"

    @Option(name: .customLong("weight-decay"), parsing: .unconditional, help: "Discriminator weight decay.")
    var weightDecay = 1e-4

    @Option(name: .customLong("d-widths"), help: "Discriminator hidden widths, comma-separated ('' for an affine discriminator f(x) = wᵀx + b).")
    var dWidths = "64,64"

    @Option(name: .customLong("d-activation"), help: "Discriminator activation: relu, tanh, sin, leaky-relu, …")
    var dActivation = "relu"

    @Option(name: .customLong("d-init"), help: "Discriminator initialisation: kaiming-normal (default), kaiming, xavier[:gain], normal[:std], orthogonal[:gain], pytorch.")
    var dInit = "kaiming-normal"

    @Option(help: "Objective: ns (particle loss softplus(−f)), wgan (−f), mm (−softplus(f)), hinge, ls.")
    var objective = "ns"

    @Option(help: "Regulariser(s), comma-separated: r1:γ, r2:γ, dragan, gan-gp, clip:c (default: none).")
    var penalty = ""

    @Option(name: .customLong("penalty-weight"), parsing: .unconditional, help: "λ for dragan / gan-gp.")
    var penaltyWeight = 10.0

    @Option(help: "Schedule: alternating (D first, default), alternating-g-first, simultaneous, ratio:D:G.")
    var schedule = "alternating"

    @Option(parsing: .unconditional, help: "Training steps.")
    var steps = 5_000

    @Option(name: .customLong("eval-every"), parsing: .unconditional, help: "Evaluate metrics every n steps.")
    var evalEvery = 50

    @Option(help: "Seed (particles, discriminator and every random draw derive from it).")
    var seed: UInt64 = 0

    @Option(name: .customLong("init-mean"), help: "Initial mean m₀ (one value, or one per coordinate, comma-separated).")
    var initMean = "0"

    @Option(name: .customLong("init-std"), parsing: .unconditional, help: "Initial std s₀.")
    var initStd = 0.1

    @Option(parsing: .unconditional, help: "σ of the high-quality rule for point targets (HQ within 3σ).")
    var tolerance = 0.05

    @Option(help: "Assignment of particles to point targets: cosine (the authors' rule) or euclidean.")
    var assignment = "cosine"

    @Option(name: .customLong("target-batch"), parsing: .unconditional, help: "Real samples per discriminator step for mixture targets (default: N).")
    var targetBatch: Int?

    @Option(help: "Discriminator precision: float32 or float64.")
    var dtype = "float32"

    @Option(name: .customLong("converge-diversity"), parsing: .unconditional, help: "Convergence: diversity at most this …")
    var convergeDiversity = 0.05

    @Option(name: .customLong("converge-distance"), parsing: .unconditional, help: "… and every particle within this distance of a target.")
    var convergeDistance = 0.05

    @Option(name: .customLong("converge-fraction"), parsing: .unconditional, help: "… (or this fraction of the particles, to 1 %; default 1 = every particle).")
    var convergeFraction = 1.0

    @Option(name: .customLong("hold-steps"), parsing: .unconditional, help: "Stop once converged for this many steps (default: run all steps).")
    var holdSteps: Int?

    func config() throws -> ParticleModelConfig {
        var c = ParticleModelConfig()
        c.target = target
        c.particles = particles
        c.phi = phi
        c.coupling = coupling
        c.ntkWidths = try positiveIntegers(ntkWidths, option: "--ntk-widths")
        c.ntkLatent = ntkLatent
        c.particleLR = lrG
        c.discriminator.optimizer.name = dOptimizer
        c.discriminator.optimizer.lr = lrD
        c.discriminator.optimizer.weightDecay = weightDecay
        c.discriminator.widths = try positiveIntegers(dWidths, option: "--d-widths")
        c.discriminator.activation = dActivation
        c.discriminator.initialization = dInit
        c.objective = objective
        c.penalties = penalty.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        c.penaltyWeight = penaltyWeight
        c.schedule = schedule
        c.steps = steps
        c.evalEvery = evalEvery
        c.seed = seed
        c.initMean = try initMean.split(separator: ",").map { text in
            guard let v = Double(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--init-mean: '\(text)' is not a number") }
            return v
        }
        c.initStd = initStd
        c.tolerance = tolerance
        c.assignment = assignment
        c.targetBatch = targetBatch
        c.dtype = dtype
        guard convergeFraction > 0 && convergeFraction <= 1 else { throw ValidationError("--converge-fraction must be in (0, 1] (got \(convergeFraction)).") }
        c.convergence = ConvergenceCriterion(diversity: convergeDiversity, distance: convergeDistance, fraction: convergeFraction, holdSteps: holdSteps)
        if let holdSteps, holdSteps < 0 { throw ValidationError("--hold-steps must be non-negative (got \(holdSteps)).") }
        do { try c.validate() } catch { throw ValidationError(error.description) }
        return c
    }

    /// Every particle command validates its model options before running.
    func validate() throws { _ = try config() }
}

/// A comma-separated list of positive integers ("" is the empty list).
func positiveIntegers(_ text: String, option: String) throws -> [Int] {
    if text.trimmingCharacters(in: .whitespaces).isEmpty { return [] }
    return try text.split(separator: ",").map { part in
        guard let v = Int(part.trimmingCharacters(in: .whitespaces)), v >= 1 else {
            throw ValidationError("\(option): '\(part)' is not a positive integer")
        }
        return v
    }
}

/// `equilibrium particles run`: one particle system, with plots, CSV and a summary.
struct ParticlesRunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train one particle system and write metrics, plots and a summary.",
        discussion: """
        Writes config.json, metrics.csv (one row per evaluation), particles.csv (final positions), \
        summary.json and, for 2-D targets, particles.png (snapshots over the discriminator's logit) and \
        metrics.png into --out.
        """)

    @OptionGroup var model: ParticleModelOptions

    @Option(help: "Output directory.")
    var out = "particles-out"

    mutating func run() throws {
        let config = try model.config()
        try ParticleRunOutput(config: config, directory: out).run()
    }
}
