import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium train`: one GAN training run on a named preset (or a config file), with
/// progress, periodic evaluation (metrics with their protocol), plots, checkpoints, exact
/// resume and a summary.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train a GAN on a synthetic or image preset; writes metrics, plots, checkpoints and a summary.",
        discussion: """
            Presets: \(TrainingPresets.names.joined(separator: ", ")).
            Image runs (dcgan-*, dragan-mnist-mlp) write image grids from fixed noise every evaluation \
            (samples.png, grids/step-N.png, samples-ema.png with --ema); with --classifier they also report \
            classifier score, FCD and precision/recall against the test split.
            Values come from the preset, then --config (TOML or JSON; any field of the \
            resolved config, see config.json in a run directory), then flags.
            """)

    @OptionGroup var gan: GANOptions
    @Option(help: "λ of the gradient penalties.") var penaltyWeight: Double?
    @Option(help: "simultaneous, alternating, alternating-g-first, ratio:D:G, unrolled:K, extragradient, optimistic.") var schedule: String?
    @Option(help: "Generator steps.") var steps: Int?
    @Option(help: "Batch size.") var batchSize: Int?
    @Option(help: "Generator learning rate.") var lrG: Double?
    @Option(help: "Discriminator learning rate.") var lrD: Double?
    @Option(help: "Adam β1 of both players.") var beta1: Double?
    @Option(help: "Adam β2 of both players.") var beta2: Double?
    @Option(help: "Evaluate every N steps.") var evalEvery: Int?
    @Option(help: "Checkpoint every N steps (0: at the end only).") var checkpointEvery: Int?
    @Option(help: "EMA decay of the generator (0: none); the EMA generator is evaluated too.") var ema: Double?
    @Option(help: "Learning-rate decay of both players: none, linear (to 0 at the last step) or linear:F (over the last fraction F of the steps).") var lrDecay: String?
    @Option(help: "Image data for the run: fashion-mnist, mnist or cifar-10 (see `equilibrium data`).") var data: String?
    @Option(help: "Evaluation classifier directory (from `equilibrium classifier train`) for image metrics.") var classifier: String?
    @Option(help: "Threads for the convolution, matrix-product, batch-norm, element-wise and Adam kernels (results do not depend on it).") var threads: Int = 1
    @Option(help: "Run directory.") var out: String?
    @Option(help: "Resume the run in this directory from its checkpoint (--steps may extend it).") var resume: String?
    @Flag(help: "Print the resolved config as JSON and exit.") var printConfig = false

    func validate() throws {
        guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if resume != nil && (data != nil || classifier != nil) {
            throw ValidationError("--resume takes the data and classifier from the checkpoint; do not combine it with --data or --classifier")
        }
        if resume != nil && (gan.preset != nil || gan.config != nil) {
            throw ValidationError("--resume takes the config from the checkpoint; do not combine it with --preset or --config")
        }
    }

    func resolvedConfig() throws -> GANConfig {
        var c = try gan.resolved()
        if let penaltyWeight { c.penaltyWeight = penaltyWeight }
        if let schedule { c.schedule = schedule }
        if let steps { c.steps = steps }
        if let batchSize { c.batchSize = batchSize }
        if let lrG { c.generator.optimizer.lr = lrG }
        if let lrD { c.discriminator.optimizer.lr = lrD }
        if let beta1 { c.generator.optimizer.beta1 = beta1; c.discriminator.optimizer.beta1 = beta1 }
        if let beta2 { c.generator.optimizer.beta2 = beta2; c.discriminator.optimizer.beta2 = beta2 }
        if let evalEvery { c.evalEvery = evalEvery }
        if let checkpointEvery { c.checkpointEvery = checkpointEvery }
        if let ema { c.emaDecay = ema }
        if let lrDecay { c.lrDecay = lrDecay }
        if let data { c.data = DataSpec(images: data) }
        if let classifier { c.classifier = classifier }
        try c.validate()
        return c
    }

    func run() throws {
        do {
            try runTraining()
        } catch let error as TrainingRunner.Diverged {
            FileHandle.standardError.write(Foundation.Data("error: \(error)\n".utf8))
            throw ExitCode(3)
        } catch let error as GANConfigError {
            throw ValidationError(error.description)
        } catch let error as ConfigLoader.Failure {
            throw ValidationError(error.description)
        }
    }

    func runTraining() throws {
        KernelThreads.set(threads)
        let runner: TrainingRunner
        if let resume {
            let checkpoint = try Checkpoint.read(from: (resume as NSString).appendingPathComponent("checkpoint"))
            var c = try checkpoint.config(as: GANConfig.self)
            if let steps { c.steps = steps }
            guard c.steps > checkpoint.step else {
                throw ValidationError("the checkpoint in \(resume) is at step \(checkpoint.step), already at the run's \(c.steps) steps; pass a larger --steps to extend it")
            }
            runner = try TrainingRunner(config: c, directory: resume, resumeFrom: checkpoint)
        } else {
            let c = try resolvedConfig()
            if printConfig {
                print(String(decoding: try ConfigLoader.encoder().encode(c), as: UTF8.self))
                return
            }
            runner = try TrainingRunner(config: c, directory: out ?? "runs/\(c.preset)-seed\(c.seed)", resumeFrom: nil)
        }
        try runner.run()
    }
}
