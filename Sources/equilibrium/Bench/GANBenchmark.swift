import Equilibrium
import Foundation

/// `equilibrium bench gan`: training steps per second of a GAN step, the same models and
/// step as benchmarks/pytorch_gan_step.py, so the two can be reported side by side
/// (benchmarks/gan_side_by_side.sh).
///
/// `--model mlp` (the default): the small MLP GAN on the 8-mode ring.
/// G: z ∈ ℝ²⁵⁶ ~ N(0, I) → 128 → ReLU → 128 → ReLU → 2; D: 2 → 128 → ReLU → 128 → ReLU → 1
/// (a logit); PyTorch's default initialisation; batch 512; Adam with betas (0.5, 0.999),
/// lr 1e-4 for D and 1e-3 for G; a fresh ring batch (radius 1, std 0.01) every step. One
/// step is one D update then one G update with the non-saturating objective; the `dragan`
/// variant adds the authors' DRAGAN penalty (λ 10) to D's loss. The step runs through
/// `Games.Trainer` with diagnostics off, so the figure is what `equilibrium train` pays per
/// step, sampling included.
///
/// `--model dcgan`: the 28×28 DCGAN of `NN.DCGAN` (width 64, one channel, z ∈ ℝ¹⁰⁰ ~ N(0, I)),
/// batch 64, Adam lr 2e-4 with betas (0.5, 0.999) for both players, real batches of 64
/// distinct images from a fixed set of 1,024 U[−1, 1) images. The plain variant's D has
/// BatchNorm after its second convolution; the dragan variant's has none (the penalty is per
/// sample), as in the image presets.
struct GANBenchmark {
    enum Variant: String, CaseIterable, Codable {
        case plain, dragan
    }

    enum Model: String, CaseIterable, Codable {
        case mlp, dcgan

        var batchSize: Int { self == .mlp ? 512 : 64 }
        var title: String {
            self == .mlp ? "MLP GAN step (CPU), batch 512" : "DCGAN 28×28 step (CPU), batch 64"
        }
    }

    struct Result: Codable {
        var variant: Variant
        var trialStepsPerSecond: [Double]
        var medianStepsPerSecond: Double
        var medianMillisecondsPerStep: Double
        var minStepsPerSecond: Double
        var maxStepsPerSecond: Double
        var finalDiscriminatorLoss: Double
        var finalGeneratorLoss: Double
    }

    struct Report: Codable {
        var model: Model
        var blasCore: String
        var blasThreads: Int
        /// The instruction set of the C kernels (the latent sampler): `KernelInstructionSet`.
        var kernelInstructionSet: String
        /// Threads asked for (kernel threads for the DCGAN, OpenBLAS threads for the MLP).
        var threads: Int
        var warmup: Int
        var trials: Int
        var steps: Int
        var seed: UInt64
        var results: [Result]
    }

    static let latentDimension = 256
    static let hidden = 128
    static let imagePool = 1024

    var model: Model = .mlp
    var threads: Int = 1
    var variants: [Variant]
    var warmup: Int
    var trials: Int
    var steps: Int
    var seed: UInt64

    func run() -> Report {
        // The DCGAN's threads go to Equilibrium's kernels (convolution chunks, blocked
        // products, batch norm, element-wise maps, Adam; deterministic for any count), as in
        // `train --threads`; each GEMM itself stays on one OpenBLAS thread. The MLP's products
        // are too small to block, so its threads go to OpenBLAS.
        if model == .dcgan {
            KernelThreads.set(threads)
            BLASThreads.set(1)
        } else {
            BLASThreads.set(threads)
        }
        let results = variants.map(measure)
        return Report(model: model, blasCore: BLASInfo.coreName, blasThreads: BLASThreads.current,
                      kernelInstructionSet: KernelInstructionSet.current.description, threads: threads, warmup: warmup, trials: trials, steps: steps,
                      seed: seed, results: results)
    }

    /// A fresh game, optimisers and trainer for `variant`.
    func makeTrainer(_ variant: Variant) -> Trainer {
        if model == .dcgan { return makeDCGANTrainer(variant) }
        var key = RandomKey(seed: seed)
        let generator = MLP([Self.latentDimension, Self.hidden, Self.hidden, 2], activation: .relu, key: key.split())
        let discriminator = MLP([2, Self.hidden, Self.hidden, 1], activation: .relu, key: key.split())
        let game = Game(generator: generator, discriminator: discriminator, objective: .nonSaturating,
                        penalties: variant == .dragan ? [.gradient(.dragan(weight: 10))] : [],
                        latent: .normal(dimension: Self.latentDimension))
        return Trainer(game: game, schedule: .alternating(dFirst: true),
                       generatorOptimizer: Adam(learningRate: 1e-3, beta1: 0.5, beta2: 0.999),
                       discriminatorOptimizer: Adam(learningRate: 1e-4, beta1: 0.5, beta2: 0.999),
                       batchSize: model.batchSize, key: key.split(), diagnosticsEvery: 0)
    }

    func makeDCGANTrainer(_ variant: Variant) -> Trainer {
        var key = RandomKey(seed: seed)
        let shape = [1, 28, 28]
        do {
            let generator = try DCGAN.generator(latentDim: 100, imageShape: shape, key: key.split())
            let discriminator = try DCGAN.discriminator(imageShape: shape, batchNorm: variant == .plain, key: key.split())
            let game = Game(generator: generator, discriminator: discriminator, objective: .nonSaturating,
                            penalties: variant == .dragan ? [.gradient(.dragan(weight: 10))] : [],
                            latent: .normal(dimension: 100))
            return Trainer(game: game, schedule: .alternating(dFirst: true),
                           generatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5, beta2: 0.999),
                           discriminatorOptimizer: Adam(learningRate: 2e-4, beta1: 0.5, beta2: 0.999),
                           batchSize: model.batchSize, key: key.split(), diagnosticsEvery: 0)
        } catch {
            preconditionFailure("bench gan: building the DCGAN failed: \(error)")
        }
    }

    /// The real data of `model`: the ring, or the fixed set of U[−1, 1) images.
    func realData() -> any Distribution {
        guard model == .dcgan else { return SyntheticData.pacganRing }
        let pool = Tensor.uniform([Self.imagePool, 1, 28, 28], low: -1, high: 1, key: RandomKey(seed: seed).folded(in: 0x1A6E))
        return ImageDistribution(LabeledImages(images: pool, labels: Array(repeating: 0, count: Self.imagePool)), name: "uniform noise")
    }

    func measure(_ variant: Variant) -> Result {
        let trainer = makeTrainer(variant)
        let data = realData()
        var last: StepReport?
        func advance() {
            do { last = try trainer.step(from: data) } catch {
                preconditionFailure("bench gan: the \(variant.rawValue) run diverged: \(error)")
            }
        }
        for _ in 0..<warmup { advance() }
        var rates: [Double] = []
        for _ in 0..<trials {
            let start = Stopwatch.now()
            for _ in 0..<steps { advance() }
            rates.append(Double(steps) / (Double(Stopwatch.now() - start) / 1e9))
        }
        let median = rates.sorted()[rates.count / 2]
        return Result(variant: variant, trialStepsPerSecond: rates, medianStepsPerSecond: median,
                      medianMillisecondsPerStep: 1000 / median, minStepsPerSecond: rates.min()!,
                      maxStepsPerSecond: rates.max()!, finalDiscriminatorLoss: last?.discriminatorLoss ?? .nan,
                      finalGeneratorLoss: last?.generatorLoss ?? .nan)
    }

    /// The report as Markdown, in the layout of pytorch_gan_step.py's table.
    static func markdown(_ report: Report) -> String {
        var lines = [
            "## Equilibrium \(report.model.title)",
            "",
            "OpenBLAS core \(report.blasCore), \(report.blasThreads) BLAS thread\(report.blasThreads == 1 ? "" : "s")"
                + (report.model == .dcgan ? ", \(report.threads) kernel thread\(report.threads == 1 ? "" : "s")" : "")
                + ", C kernels \(report.kernelInstructionSet), Games.Trainer (diagnostics off)",
            "warm-up \(report.warmup) steps, \(report.trials) trials x \(report.steps) steps, seed \(report.seed)",
            "",
            "| variant | median steps/s | ms/step | min–max steps/s |",
            "|---|---:|---:|---:|",
        ]
        for r in report.results {
            lines.append(String(format: "| %@ | %.1f | %.2f | %.1f–%.1f |", r.variant.rawValue, r.medianStepsPerSecond,
                                r.medianMillisecondsPerStep, r.minStepsPerSecond, r.maxStepsPerSecond))
        }
        if report.blasCore == "Prescott" {
            lines += ["", "> OpenBLAS fell back to its Prescott (SSE3) kernels; see `equilibrium bench core`."]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
