import Datasets

/// The named, frozen training presets of benchmarks.md §2: each pairs a synthetic data preset
/// with the networks, optimisers, batch and schedule of the paper or code it comes from, the
/// paper's training length (`paperSteps`) and a default length a 2-core CPU can afford
/// (`steps`). Everything can be overridden from a config file or flags; a run that does so is
/// no longer the paper's setting, and its protocol line says which preset it started from.
/// Tags: [V] verified from the source, [G] the project's choice where the source is silent.
public enum TrainingPresets {
    public static let defaultName = "pacgan-ring"

    public static var names: [String] { SyntheticData.names + imagePresetNames }

    /// The image presets (`imagePreset(_:)`).
    public static let imagePresetNames = [
        "dcgan-fashion", "dcgan-fashion-dragan", "dcgan-fashion-wgan-gp", "dcgan-mnist", "dcgan-cifar10", "dragan-mnist-mlp",
        "dcgan-stacked-fashion", "dcgan-stacked-fashion-dragan", "dcgan-stacked-fashion-unrolled",
    ]

    public static func named(_ name: String) throws(GANConfigError) -> GANConfig {
        if imagePresetNames.contains(name) { return imagePreset(name) }
        guard SyntheticData.names.contains(name) else { throw .unknownPreset(name, valid: names) }
        switch name {
        case "pacgan-ring", "pacgan-grid": return pacgan(name)
        case "wgangp-8gaussians", "wgangp-25gaussians": return wgangp(name)
        case "unrolled-ring", "unrolled-ring-legacy7", "unrolled-paper-ring": return unrolled(name)
        case "dogan-ring": return dogan()
        case "segment-d2", "segment-d10", "segment-d100": return segment(name)
        default: return generic(name)
        }
    }

    /// PacGAN's 2-D experiments [V: PG config.py]: G z∈ℝ² → 4×400 (BatchNorm + ReLU) → 2;
    /// D 3 maxout layers of 200 units × 5 pieces → 1; weights N(0, 0.02); Adam(1e-4, β1 0.8;
    /// β2 0.999 assumed [G]); batch 100; 400 epochs of 100,000 points = 400,000 steps. The
    /// loss (sigmoid GAN, non-saturating generator) and one D step per G step (D first) are
    /// [G]. The CPU default is 20,000 steps.
    static func pacgan(_ name: String) -> GANConfig {
        let adam = OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.8, beta2: 0.999)
        return GANConfig(
            preset: name, data: DataSpec(preset: name), latent: "normal", latentDim: 2,
            generator: PlayerSpec(widths: [400, 400, 400, 400], activation: "relu", batchNorm: true,
                                  initialization: "normal:0.02", optimizer: adam),
            discriminator: PlayerSpec(widths: [200, 200, 200], activation: "maxout:5", initialization: "normal:0.02",
                                      optimizer: adam),
            objective: "ns", schedule: "alternating", batchSize: 100, steps: 20_000, paperSteps: 400_000,
            evalEvery: 1000, evalSamples: 2500)
    }

    /// WGAN-GP's toy script [V: WG gan_toy.py]: G and D 3×512 ReLU, z ∈ ℝ² (N(0, I) [M]),
    /// WGAN-GP with λ = 0.1, Adam(1e-4, β = (0.5, 0.9)), 5 critic steps per generator step,
    /// batch 256, 100,000 generator iterations. CPU default: 5,000.
    static func wgangp(_ name: String) -> GANConfig {
        let adam = OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.9)
        return GANConfig(
            preset: name, data: DataSpec(preset: name), latent: "normal", latentDim: 2,
            generator: PlayerSpec(widths: [512, 512, 512], activation: "relu", optimizer: adam),
            discriminator: PlayerSpec(widths: [512, 512, 512], activation: "relu", optimizer: adam),
            objective: "wgan", penalties: ["wgan-gp"], penaltyWeight: 0.1, schedule: "ratio:5:1", batchSize: 256,
            steps: 5_000, paperSteps: 100_000, evalEvery: 500, evalSamples: 2500)
    }

    /// The Unrolled-GAN reference notebook [V: UG]: G z ∈ ℝ²⁵⁶ → 2×128 tanh → 2; D 2×128
    /// tanh → 1; orthogonal init, gain 1.4; Adam β1 0.5, ε 1e-8, lr 1e-3 (G) and 1e-4 (D);
    /// batch 512; 25,000 iterations; 5 unrolling steps (inner steps are plain SGD here, see
    /// `UpdateSchedule.unrolled`). CPU default: 5,000.
    static func unrolled(_ name: String) -> GANConfig {
        GANConfig(
            preset: name, data: DataSpec(preset: name), latent: "normal", latentDim: 256,
            generator: PlayerSpec(widths: [128, 128], activation: "tanh", initialization: "orthogonal:1.4",
                                  optimizer: OptimizerSpec(name: "adam", lr: 1e-3, beta1: 0.5)),
            discriminator: PlayerSpec(widths: [128, 128], activation: "tanh", initialization: "orthogonal:1.4",
                                      optimizer: OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5)),
            objective: "ns", schedule: "unrolled:5", batchSize: 512, steps: 5_000, paperSteps: 25_000,
            evalEvery: 500, evalSamples: 2500)
    }

    /// DO-GAN's 2-D notebook players [V: GM]: G 2 → 128 → 256 → 512 → 1024 → 2 with a tanh
    /// output (hidden ReLU [G]); D 2 → 512 → 256 → 1; Adam(1.5e-3, β = (0.5, 0.999)); batch
    /// 512. This is the plain-GAN baseline of the double-oracle experiments; 5,000 steps.
    static func dogan() -> GANConfig {
        let adam = OptimizerSpec(name: "adam", lr: 1.5e-3, beta1: 0.5, beta2: 0.999)
        return GANConfig(
            preset: "dogan-ring", data: DataSpec(preset: "dogan-ring"), latent: "normal", latentDim: 2,
            generator: PlayerSpec(widths: [128, 256, 512, 1024], activation: "relu", outputActivation: "tanh", optimizer: adam),
            discriminator: PlayerSpec(widths: [512, 256], activation: "relu", optimizer: adam),
            objective: "ns", schedule: "alternating", batchSize: 512, steps: 5_000, paperSteps: 50_000,
            evalEvery: 500, evalSamples: 2500)
    }

    /// Fedus et al.'s S1 (`many-paths.md` §3.4, a project-defined reproduction [G]): data on
    /// the segment (t, 0, …, 0), t ∼ U[−1, 1] in ℝ^d; the `linear` generator G(z) = a·z + b,
    /// z ∼ U[−1, 1], starts at a = e₁, b = Δ·e₂ with Δ = 2 (a parallel segment off the data's
    /// support, so JS = log 2); D d → 2×128 leaky-ReLU(0.2) → 1; Adam(1e-4, β = (0.5, 0.999))
    /// for both; batch 256; one D step per G step; 20,000 steps; W1 on 4,096 samples.
    /// `generator.output_bias = [0, Δ]` moves the start; `generator.widths = [64, 64]` with
    /// `generator.activation = "leaky-relu:0.2"` is S1's `mlp` generator.
    static func segment(_ name: String) -> GANConfig {
        let adam = OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.999)
        return GANConfig(
            preset: name, data: DataSpec(preset: name), latent: "uniform", latentDim: 1,
            generator: PlayerSpec(widths: [], activation: "leaky-relu:0.2", initialization: "eye", outputBias: [0, 2], optimizer: adam),
            discriminator: PlayerSpec(widths: [128, 128], activation: "leaky-relu:0.2", optimizer: adam),
            objective: "ns", schedule: "alternating", batchSize: 256, steps: 20_000, paperSteps: 0,
            evalEvery: 500, evalSamples: 4096)
    }

    /// The other synthetic data (1-D mixtures, swiss roll, high-dimensional
    /// mixtures) have no paper training setup [G]: G z ∈ ℝ² (or the data dimension, if larger,
    /// capped at 64) → 2×128 ReLU → d; D d → 2×128 ReLU → 1; Adam(1e-4, β = (0.5, 0.999));
    /// batch 256; NS loss, alternating; 5,000 steps.
    static func generic(_ name: String) -> GANConfig {
        let adam = OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.999)
        let dimension = (try? SyntheticData.preset(name).distribution.dimension) ?? 2
        return GANConfig(
            preset: name, data: DataSpec(preset: name), latent: "normal", latentDim: min(max(2, dimension), 64),
            generator: PlayerSpec(widths: [128, 128], activation: "relu", optimizer: adam),
            discriminator: PlayerSpec(widths: [128, 128], activation: "relu", optimizer: adam),
            objective: "ns", schedule: "alternating", batchSize: 256, steps: 5_000, paperSteps: 0,
            evalEvery: 500, evalSamples: 2500)
    }

    /// Image GANs [G unless tagged]. The DCGAN presets use `NN.DCGAN` (width 64), z ∈ ℝ¹⁰⁰ ~
    /// N(0, I), batch 64, one D step per G step, and the DCGAN paper's Adam(2e-4, β = (0.5,
    /// 0.999)) [V: DCGAN paper]; 3,000 steps by default (a few minutes per 1,000 steps on
    /// 2 cores), evaluated every 500 steps on 1,000 samples.
    /// - `dcgan-fashion`: NS-GAN, BatchNorm in both players (the README's quick preset).
    /// - `dcgan-fashion-dragan`: NS + DRAGAN (λ = 10, `dragan.md` §3); D without BatchNorm,
    ///   since the penalty is per sample.
    /// - `dcgan-fashion-wgan-gp`: WGAN-GP as its paper trains DCGAN-like critics [V: WG]:
    ///   λ = 10, 5 critic steps per generator step, Adam(1e-4, β = (0.5, 0.9)); critic without
    ///   BatchNorm.
    /// - `dcgan-mnist`, `dcgan-cifar10`: `dcgan-fashion` on MNIST (28×28×1) and CIFAR-10
    ///   (32×32×3, three upsampling stages); both need user-supplied files.
    /// - `dragan-mnist-mlp`: the DRAGAN authors' notebook (`dragan.md` §4) [V: KC]: G 100 →
    ///   128 ReLU → 784, D 784 → 128 ReLU → 1, weights N(0, √(2/fan_in)), z ~ U[−1, 1]¹⁰⁰,
    ///   Adam(1e-4, β = (0.5, 0.9)), batch 128, λ = 10, 199,999 iterations (CPU default
    ///   20,000). One deviation [G]: pixels are in [−1, 1] with a tanh output, where the
    ///   notebook uses [0, 1] and a sigmoid.
    /// - `dcgan-stacked-fashion[-dragan|-unrolled]`: Stacked Fashion-MNIST (28×28×3, 1,000
    ///   label-triple modes, `benchmarks.md` §5; **not comparable** with the Stacked-MNIST
    ///   tables) with the DCGAN players: NS, NS + DRAGAN (D without BatchNorm), and 5-step
    ///   unrolled NS.
    static func imagePreset(_ name: String) -> GANConfig {
        let adam = OptimizerSpec(name: "adam", lr: 2e-4, beta1: 0.5, beta2: 0.999)
        let images = name == "dcgan-mnist" || name == "dragan-mnist-mlp" ? "mnist"
            : name == "dcgan-cifar10" ? "cifar-10"
            : name.hasPrefix("dcgan-stacked-fashion") ? "stacked-fashion-mnist" : "fashion-mnist"
        var config = GANConfig(
            preset: name, data: DataSpec(images: images), latent: "normal", latentDim: 100,
            generator: .dcgan(batchNorm: true, optimizer: adam), discriminator: .dcgan(batchNorm: true, optimizer: adam),
            objective: "ns", schedule: "alternating", batchSize: 64, steps: 3_000, paperSteps: 0,
            evalEvery: 500, evalSamples: 1_000, diagnosticsEvery: 0)
        switch name {
        case "dcgan-fashion-dragan", "dcgan-stacked-fashion-dragan":
            config.discriminator.batchNorm = false
            config.penalties = ["dragan"]
        case "dcgan-fashion-wgan-gp":
            let critic = OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.9)
            config.generator.optimizer = critic
            config.discriminator = .dcgan(batchNorm: false, optimizer: critic)
            config.objective = "wgan"
            config.penalties = ["wgan-gp"]
            config.schedule = "ratio:5:1"
        case "dcgan-stacked-fashion-unrolled":
            config.schedule = "unrolled:5"
        case "dragan-mnist-mlp":
            let notebook = OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.9)
            config.latent = "uniform"
            config.generator = PlayerSpec(widths: [128], activation: "relu", outputActivation: "tanh",
                                          initialization: "kaiming-normal", optimizer: notebook)
            config.discriminator = PlayerSpec(widths: [128], activation: "relu", initialization: "kaiming-normal", optimizer: notebook)
            config.penalties = ["dragan"]
            config.batchSize = 128
            config.steps = 20_000
            config.paperSteps = 199_999
            config.evalEvery = 1_000
        default:
            break
        }
        return config
    }
}
