import ArgumentParser
import Equilibrium

/// The options every GAN-running command shares: which config (preset, then a file), and the
/// overrides that mean the same everywhere. `train` adds its own on top; `oracle` and
/// `mixture` use these alone.
struct GANOptions: ParsableArguments {
    @Option(help: "Named preset (default \(TrainingPresets.defaultName)).") var preset: String?
    @Option(help: "TOML or JSON config file laid over the preset.") var config: String?
    @Option(help: "Objective: ns, mm, wgan, hinge, ls.") var objective: String?
    @Option(name: .customLong("penalty"), help: "Penalty (repeatable): dragan, dragan-symmetric, dragan-gaussian:σ, gan-gp, wgan-gp, r1[:γ], r2[:γ], clip[:c], none.")
    var penalties: [String] = []
    @Option(help: "Seed for every random choice of the run.") var seed: UInt64?
    @Option(name: .customLong("eval-samples"), parsing: .unconditional, help: "Samples per evaluation.") var evalSamples: Int?

    /// The preset, the config file over it, then these flags (`--penalty none` clears the
    /// config's penalties). Not yet validated: callers add their own flags first.
    func resolved() throws -> GANConfig {
        var c = try ConfigLoader.load(path: config, preset: preset)
        if let objective { c.objective = objective }
        if !penalties.isEmpty { c.penalties = penalties == ["none"] ? [] : penalties }
        if let seed { c.seed = seed }
        if let evalSamples { c.evalSamples = evalSamples }
        return c
    }
}
