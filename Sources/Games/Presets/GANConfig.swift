import Datasets
import NN
import Optim
import Tensor

/// Everything that defines a GAN training run, as plain data: a named preset resolved into
/// concrete values, then overridden from a config file or flags. The run directory stores it,
/// and re-running it reproduces the run's numbers.
public struct GANConfig: Codable, Sendable, Equatable {
    /// The preset this config started from (informational once resolved).
    public var preset: String
    public var data: DataSpec
    /// "normal" or "uniform" (U[−1, 1)).
    public var latent: String
    public var latentDim: Int
    public var generator: PlayerSpec
    public var discriminator: PlayerSpec
    /// "ns" (non-saturating), "mm" (minimax), "wgan", "hinge", "ls".
    public var objective: String
    /// Any of "dragan", "dragan-symmetric", "dragan-gaussian:σ", "gan-gp" (= "wgan-gp",
    /// real–fake interpolation), "r1:γ", "r2:γ", "clip:c".
    public var penalties: [String]
    /// λ of the gradient penalties (DRAGAN, GP).
    public var penaltyWeight: Double
    /// "simultaneous", "alternating" (D first), "alternating-g-first", "ratio:D:G", "unrolled:K",
    /// "extragradient", "optimistic".
    public var schedule: String
    public var batchSize: Int
    /// Generator steps of this run.
    public var steps: Int
    /// The training length of the paper the preset comes from (for reference; 0 if none).
    public var paperSteps: Int
    public var seed: UInt64
    /// Evaluate (samples, metrics, plots) every this many steps (and at the end).
    public var evalEvery: Int
    /// Samples per evaluation (2,500 in PacGAN/VEEGAN's protocol).
    public var evalSamples: Int
    /// Write a checkpoint every this many steps (and at the end); 0 = only at the end.
    public var checkpointEvery: Int
    /// Keep an EMA of the generator with this decay (0 = none); it is evaluated too.
    public var emaDecay: Double
    /// Compute ‖∇ₓD‖ at real and fake points every this many steps (0 = never).
    public var diagnosticsEvery: Int
    /// Learning-rate schedule of both players: "none" (constant), or "linear[:F]": constant,
    /// then a linear decay to 0 over the last fraction F of `steps` (F = 1: the whole run),
    /// as the DRAGAN authors suggest for convergence ("decaying learning rate").
    public var lrDecay: String
    /// An evaluation classifier directory (`equilibrium classifier train`): image runs then
    /// report classifier score, FCD and precision/recall at every evaluation.
    public var classifier: String?

    public init(preset: String, data: DataSpec, latent: String = "normal", latentDim: Int, generator: PlayerSpec,
                discriminator: PlayerSpec, objective: String = "ns", penalties: [String] = [], penaltyWeight: Double = 10,
                schedule: String = "alternating", batchSize: Int, steps: Int, paperSteps: Int = 0, seed: UInt64 = 0,
                evalEvery: Int = 1000, evalSamples: Int = 2500, checkpointEvery: Int = 0, emaDecay: Double = 0,
                diagnosticsEvery: Int = 100, lrDecay: String = "none", classifier: String? = nil) {
        self.preset = preset
        self.data = data
        self.latent = latent
        self.latentDim = latentDim
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.penalties = penalties
        self.penaltyWeight = penaltyWeight
        self.schedule = schedule
        self.batchSize = batchSize
        self.steps = steps
        self.paperSteps = paperSteps
        self.seed = seed
        self.evalEvery = evalEvery
        self.evalSamples = evalSamples
        self.checkpointEvery = checkpointEvery
        self.emaDecay = emaDecay
        self.diagnosticsEvery = diagnosticsEvery
        self.lrDecay = lrDecay
        self.classifier = classifier
    }
}

extension GANSetup {
    /// Sets both players' learning rates for the trainer's next step from the config's
    /// `lr_decay` (a no-op for "none"). They are set from the base rates each step, never
    /// multiplied in place, so a run resumed from a checkpoint gets exactly the rates of an
    /// uninterrupted one.
    public func applyLearningRateSchedule() throws(GANConfigError) {
        guard let fraction = try config.parsedLearningRateDecay() else { return }
        let factor = GANConfig.linearDecayFactor(step: trainer.step, steps: config.steps, fraction: fraction)
        trainer.generatorOptimizer.learningRate = config.generator.optimizer.lr * factor
        trainer.discriminatorOptimizer.learningRate = config.discriminator.optimizer.lr * factor
    }
}

extension GANConfig {
    /// Decodes every field; fields added after a run was saved (`lr_decay`) take their
    /// defaults when absent, so checkpoints written by an earlier version still resume.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            preset: try c.decode(String.self, forKey: .preset), data: try c.decode(DataSpec.self, forKey: .data),
            latent: try c.decode(String.self, forKey: .latent), latentDim: try c.decode(Int.self, forKey: .latentDim),
            generator: try c.decode(PlayerSpec.self, forKey: .generator),
            discriminator: try c.decode(PlayerSpec.self, forKey: .discriminator),
            objective: try c.decode(String.self, forKey: .objective), penalties: try c.decode([String].self, forKey: .penalties),
            penaltyWeight: try c.decode(Double.self, forKey: .penaltyWeight), schedule: try c.decode(String.self, forKey: .schedule),
            batchSize: try c.decode(Int.self, forKey: .batchSize), steps: try c.decode(Int.self, forKey: .steps),
            paperSteps: try c.decode(Int.self, forKey: .paperSteps), seed: try c.decode(UInt64.self, forKey: .seed),
            evalEvery: try c.decode(Int.self, forKey: .evalEvery), evalSamples: try c.decode(Int.self, forKey: .evalSamples),
            checkpointEvery: try c.decode(Int.self, forKey: .checkpointEvery), emaDecay: try c.decode(Double.self, forKey: .emaDecay),
            diagnosticsEvery: try c.decode(Int.self, forKey: .diagnosticsEvery),
            lrDecay: try c.decodeIfPresent(String.self, forKey: .lrDecay) ?? "none",
            classifier: try c.decodeIfPresent(String.self, forKey: .classifier))
    }
}

/// Where the real samples come from: a named synthetic preset, a user-defined Gaussian
/// mixture (`means` and `std`), so no benchmark needs a code change, or images (`images`: a
/// known set such as "fashion-mnist" (its training split), "stacked-<set>", or a path to IDX,
/// CIFAR-10 or PNG files; see `ImageData`).
public struct DataSpec: Codable, Sendable, Equatable {
    public var preset: String?
    public var means: [[Double]]?
    public var std: Double?
    public var images: String?
    /// A PNG folder's images are centre-cropped and resized to this side (default 32).
    public var imageSize: Int?
    /// … and given 1 (grey) or 3 (RGB, the default) channels.
    public var imageChannels: Int?

    public init(preset: String? = nil, means: [[Double]]? = nil, std: Double? = nil, images: String? = nil,
                imageSize: Int? = nil, imageChannels: Int? = nil) {
        self.preset = preset
        self.means = means
        self.std = std
        self.images = images
        self.imageSize = imageSize
        self.imageChannels = imageChannels
    }
}

/// A config value that cannot be used, with the field's dotted name.
public enum GANConfigError: Error, CustomStringConvertible, Equatable {
    case invalid(String, String)
    case unknownPreset(String, valid: [String])

    public var description: String {
        switch self {
        case .invalid(let field, let why): return "config: \(field): \(why)"
        case .unknownPreset(let name, let valid):
            return "unknown preset '\(name)'; valid presets: \(valid.joined(separator: ", "))"
        }
    }
}

/// A built run: the game, its trainer and the data, ready to step.
public struct GANSetup {
    public let config: GANConfig
    public let game: Game
    public let trainer: Trainer
    public let data: any Distribution
    /// Set when the data has known modes (mode-coverage metrics apply).
    public let modal: (any ModalDistribution)?
    /// A short description of the data for protocol lines.
    public let dataName: String
}

extension GANConfig {
    /// Checks every field; the error names the field and the reason.
    public func validate() throws(GANConfigError) {
        guard latentDim >= 1 else { throw .invalid("latent_dim", "must be ≥ 1, got \(latentDim)") }
        guard ["normal", "uniform"].contains(latent.lowercased()) else {
            throw .invalid("latent", "unknown latent distribution '\(latent)'; use normal or uniform")
        }
        try generator.validate(player: "generator")
        try discriminator.validate(player: "discriminator")
        _ = try parsedObjective()
        _ = try parsedPenalties()
        _ = try parsedSchedule()
        guard penaltyWeight >= 0, penaltyWeight.isFinite else { throw .invalid("penalty_weight", "must be ≥ 0, got \(penaltyWeight)") }
        guard batchSize >= 1 else { throw .invalid("batch_size", "must be ≥ 1, got \(batchSize)") }
        guard steps >= 1 else { throw .invalid("steps", "must be ≥ 1, got \(steps)") }
        guard evalEvery >= 1 else { throw .invalid("eval_every", "must be ≥ 1, got \(evalEvery)") }
        guard evalSamples >= 1 else { throw .invalid("eval_samples", "must be ≥ 1, got \(evalSamples)") }
        guard checkpointEvery >= 0 else { throw .invalid("checkpoint_every", "must be ≥ 0, got \(checkpointEvery)") }
        guard diagnosticsEvery >= 0 else { throw .invalid("diagnostics_every", "must be ≥ 0, got \(diagnosticsEvery)") }
        guard emaDecay >= 0 && emaDecay < 1 else { throw .invalid("ema_decay", "must be in [0, 1), got \(emaDecay)") }
        _ = try parsedLearningRateDecay()
        if classifier != nil && data.images == nil {
            throw .invalid("classifier", "an evaluation classifier needs image data (data.images)")
        }
        if let images = data.images {
            // Finding the files is enough here; makeSetup reads and validates them.
            try ImageData.check(images)
            guard data.means == nil else { throw .invalid("data", "set either images or means, not both") }
            if let size = data.imageSize, size < 8 { throw .invalid("data.image_size", "must be at least 8, got \(size)") }
            if let channels = data.imageChannels, channels != 1 && channels != 3 {
                throw .invalid("data.image_channels", "must be 1 or 3, got \(channels)")
            }
        } else {
            _ = try resolvedData()
            if generator.isConvolutional || discriminator.isConvolutional {
                throw .invalid("generator.architecture", "dcgan players need image data (data.images); '\(data.preset ?? preset)' is not images")
            }
        }
    }

    /// The fraction of the run over which the learning rates decay to 0 (nil: constant).
    public func parsedLearningRateDecay() throws(GANConfigError) -> Double? {
        let parts = lrDecay.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        switch parts[0] {
        case "none", "constant", "":
            guard parts.count == 1 else { throw .invalid("lr_decay", "'\(lrDecay)': 'none' takes no value") }
            return nil
        case "linear":
            guard parts.count <= 2 else { throw .invalid("lr_decay", "'\(lrDecay)': use linear or linear:F") }
            guard parts.count == 2 else { return 1 }
            guard let fraction = Double(parts[1]), fraction > 0, fraction <= 1 else {
                throw .invalid("lr_decay", "'\(lrDecay)': F in linear:F must be a fraction of the run in (0, 1]")
            }
            return fraction
        default:
            throw .invalid("lr_decay", "unknown schedule '\(lrDecay)'; use none, linear or linear:F (decay over the last fraction F of the steps)")
        }
    }

    /// The factor on both players' base learning rates before generator step `step` (0-based):
    /// 1 until the decay starts, then linear to 0 at `steps`.
    public func learningRateFactor(step: Int) throws(GANConfigError) -> Double {
        guard let fraction = try parsedLearningRateDecay() else { return 1 }
        return Self.linearDecayFactor(step: step, steps: steps, fraction: fraction)
    }

    /// 1 until the last `fraction` of `steps`, then linear to 0 at `steps`.
    static func linearDecayFactor(step: Int, steps: Int, fraction: Double) -> Double {
        let decaySteps = Swift.max(1, Double(steps) * fraction)
        return Swift.min(1, Swift.max(0, (Double(steps) - Double(step)) / decaySteps))
    }

    public func parsedObjective() throws(GANConfigError) -> Objective { try Self.parseObjective(objective) }

    /// "ns", "mm", "wgan", "hinge" or "ls" (and their long names).
    public static func parseObjective(_ objective: String) throws(GANConfigError) -> Objective {
        switch objective.lowercased() {
        case "ns", "non-saturating", "nonsaturating": return .nonSaturating
        case "mm", "minimax": return .minimax
        case "wgan", "wasserstein": return .wasserstein
        case "hinge": return .hinge
        case "ls", "lsgan", "least-squares": return .leastSquares
        default: throw .invalid("objective", "unknown objective '\(objective)'; use ns, mm, wgan, hinge or ls")
        }
    }

    public func parsedPenalties() throws(GANConfigError) -> [Penalty] {
        try Self.parsePenalties(penalties, weight: penaltyWeight)
    }

    /// Penalty names as in the config ("dragan", "gan-gp", "r1:γ", …); `weight` is λ of the
    /// gradient penalties that take no ':' argument.
    public static func parsePenalties(_ penalties: [String], weight penaltyWeight: Double) throws(GANConfigError) -> [Penalty] {
        var result: [Penalty] = []
        for text in penalties {
            let parts = text.lowercased().split(separator: ":").map(String.init)
            let argument = parts.count > 1 ? Double(parts[1]) : nil
            if parts.count > 1 && (argument == nil || !(argument! > 0)) {
                throw .invalid("penalties", "'\(text)': the value after ':' must be a positive number")
            }
            switch parts[0] {
            case "dragan": result.append(.gradient(.dragan(weight: penaltyWeight)))
            case "dragan-symmetric": result.append(.gradient(.draganSymmetric(weight: penaltyWeight)))
            case "dragan-gaussian":
                guard let sigma = argument else { throw .invalid("penalties", "dragan-gaussian needs σ, e.g. dragan-gaussian:0.1") }
                result.append(.gradient(.draganGaussian(σ: .absolute(sigma), weight: penaltyWeight)))
            case "gan-gp", "wgan-gp", "gp": result.append(.gradient(.interpolation(weight: penaltyWeight)))
            case "r1": result.append(.r1(gamma: argument ?? 10))
            case "r2": result.append(.r2(gamma: argument ?? 10))
            case "clip", "weight-clipping": result.append(.weightClipping(argument ?? 0.01))
            default:
                throw .invalid("penalties", "unknown penalty '\(text)'; use dragan, dragan-symmetric, dragan-gaussian:σ, gan-gp, wgan-gp, r1[:γ], r2[:γ], clip[:c]")
            }
        }
        return result
    }

    public func parsedSchedule() throws(GANConfigError) -> UpdateSchedule { try Self.parseSchedule(schedule) }

    /// "simultaneous", "alternating[-g-first]", "ratio:D:G", "unrolled[:K]", "extragradient", "optimistic".
    public static func parseSchedule(_ schedule: String) throws(GANConfigError) -> UpdateSchedule {
        let parts = schedule.lowercased().split(separator: ":").map(String.init)
        func count(_ i: Int) throws(GANConfigError) -> Int {
            guard parts.count > i, let n = Int(parts[i]), n >= 0 else {
                throw .invalid("schedule", "'\(schedule)': expected a non-negative integer after ':'")
            }
            return n
        }
        switch parts[0] {
        case "simultaneous", "sim": return .simultaneous
        case "alternating", "alternating-d-first", "alt": return .alternating(dFirst: true)
        case "alternating-g-first": return .alternating(dFirst: false)
        case "ratio":
            let d = try count(1), g = try count(2)
            guard d >= 1 && g >= 1 else { throw .invalid("schedule", "ratio needs D and G steps ≥ 1, got \(schedule)") }
            return .ratio(dSteps: d, gSteps: g)
        case "unrolled": return .unrolled(steps: parts.count > 1 ? try count(1) : 5)
        case "extragradient": return .extragradient
        case "optimistic": return .optimistic
        default:
            throw .invalid("schedule", "unknown schedule '\(schedule)'; use simultaneous, alternating, alternating-g-first, ratio:D:G, unrolled:K, extragradient or optimistic")
        }
    }

    /// The image data of `data.images` (nil when the data are not images), with the config's
    /// PNG size and channels; read once per process and cached (`ImageData`).
    public func resolvedImages() throws(GANConfigError) -> ResolvedImageData? {
        guard let images = data.images else { return nil }
        guard data.means == nil else { throw .invalid("data", "set either images or means, not both") }
        return try ImageData.resolve(images, pngSize: data.imageSize ?? 32, pngChannels: data.imageChannels ?? 3)
    }

    /// The data distribution, its modes when known, and a name for protocol lines.
    public func resolvedData() throws(GANConfigError) -> (any Distribution, (any ModalDistribution)?, String) {
        if let resolved = try resolvedImages() { return (resolved.distribution, nil, resolved.description) }
        if let means = data.means {
            guard let std = data.std else { throw .invalid("data.std", "a user-defined mixture needs std") }
            do {
                let mixture = try GaussianMixture(userMeans: means, std: std)
                return (mixture, mixture, "user mixture (\(means.count) modes, std \(std))")
            } catch {
                throw .invalid("data.means", "\(error)")
            }
        }
        let name = data.preset ?? preset
        do {
            let resolved = try SyntheticData.preset(name, dataSeed: seed)
            return (resolved.distribution, resolved.modal, name)
        } catch {
            throw .invalid("data.preset", "\(error)")
        }
    }

    /// Builds players, optimisers and trainer; every random choice derives from `seed`.
    public func makeSetup() throws(GANConfigError) -> GANSetup {
        try validate()
        let (data, modal, name) = try resolvedData()
        let root = RandomKey(seed: seed)
        let generatorNet = try generator.buildGenerator(latentDim: latentDim, sampleShape: data.sampleShape, key: root.folded(in: 1))
        let discriminatorNet = try discriminator.buildDiscriminator(sampleShape: data.sampleShape, key: root.folded(in: 2))
        let latentDistribution: LatentDistribution = latent.lowercased() == "uniform"
            ? .uniform(dimension: latentDim, low: -1, high: 1) : .normal(dimension: latentDim)
        let game = Game(generator: generatorNet, discriminator: discriminatorNet, objective: try parsedObjective(),
                        penalties: try parsedPenalties(), latent: latentDistribution)
        let trainer = Trainer(game: game, schedule: try parsedSchedule(),
                              generatorOptimizer: generator.optimizer.build(),
                              discriminatorOptimizer: discriminator.optimizer.build(),
                              batchSize: batchSize, key: root.folded(in: 3), diagnosticsEvery: diagnosticsEvery,
                              emaDecay: emaDecay > 0 ? emaDecay : nil)
        return GANSetup(config: self, game: game, trainer: trainer, data: data, modal: modal, dataName: name)
    }
}
