import Foundation
import Games
import Metrics
import NN
import Tensor

/// Everything that defines a particle-model run, as plain data (written to `config.json`
/// with every run). Defaults are the project's P1 setting (spec particles.md §5.2): 8 points
/// on the unit circle, N = 64 particles from N(0, 0.1²I), a 2→64→64→1 ReLU discriminator
/// (Kaiming-normal, zero biases) trained by plain gradient descent with weight decay 1e-4,
/// the NS loss, no regulariser, alternating D-first steps, 5,000 steps.
public struct ParticleModelConfig: Codable, Sendable, Equatable {
    /// "ring8" (or "ringK"), "one-point[:d]" (the origin of ℝ^d: spec §4's single data point), "two-point[:d]", "random:M:d", "file:PATH.csv", or a synthetic
    /// mixture preset name (pacgan-ring, pacgan-grid, …).
    public var target: String = "ring8"
    /// σ of the high-quality rule for point targets.
    public var tolerance: Double = 0.05
    /// Real rows per discriminator step for mixture targets (nil: the particle count).
    public var targetBatch: Int?
    /// "cosine" or "euclidean" for point targets (mixtures always use euclidean).
    public var assignment: String = "cosine"
    public var particles: Int = 64
    /// m₀ (one value for every coordinate, or one per coordinate).
    public var initMean: [Double] = [0]
    /// s₀.
    public var initStd: Double = 0.1
    /// "uniform" (sum-coupled, the default), "mean" (mean-coupled) or "ntk" (the empirical
    /// NTK of a generator MLP with `ntkWidths`, latent inputs on the sphere of radius √latent).
    public var coupling: String = "uniform"
    public var phi: Double = 0
    public var ntkWidths: [Int] = [256, 256]
    public var ntkLatent: Int = 64
    public var ntkActivation: String = "relu"
    /// η_G.
    public var particleLR: Double = 1e-3
    public var objective: String = "ns"
    /// Penalty names as in `equilibrium train` (r1:γ, r2:γ, dragan, gan-gp, clip:c).
    public var penalties: [String] = []
    /// λ of the gradient penalties without a ':' argument.
    public var penaltyWeight: Double = 10
    public var schedule: String = "alternating"
    public var discriminator = PlayerSpec(widths: [64, 64], activation: "relu", initialization: "kaiming-normal",
                                          optimizer: OptimizerSpec(name: "sgd", lr: 1e-2, weightDecay: 1e-4))
    public var steps: Int = 5_000
    public var evalEvery: Int = 50
    public var seed: UInt64 = 0
    /// "float32" or "float64" for the discriminator (particles are always Float64).
    public var dtype: String = "float32"
    public var convergence = ConvergenceCriterion()

    public init() {}

    /// κ of the configured coupling (`ParticleKernel.collectiveRate`); for `ntk` the kernel is
    /// built as `makeSystem` builds it (NaN if it cannot be).
    public var collectiveRate: Double {
        switch coupling {
        case "ntk":
            guard let d = try? resolvedTarget().dimension,
                  let kernel = try? makeKernel(dimension: d, key: RandomKey(seed: seed).split(into: 4)[2]) else { return .nan }
            return kernel.collectiveRate(particles: particles)
        case "mean": return ParticleKernel.meanCoupled(phi: phi).collectiveRate(particles: particles)
        default: return ParticleKernel.uniform(phi: phi).collectiveRate(particles: particles)
        }
    }

    /// The linearised critical damping γ_crit = √(η_G κ / η_D) of §4.
    public var linearisedCriticalGamma: Double {
        LinearisedDamping.criticalGamma(particleLR: particleLR, discriminatorLR: discriminator.optimizer.lr, coupling: collectiveRate)
    }

    public func validate() throws(ParticleModelError) {
        guard particles >= 1 else { throw .invalidParameter("particles must be at least 1, got \(particles)") }
        guard steps >= 0 else { throw .invalidParameter("steps must be non-negative, got \(steps)") }
        guard evalEvery >= 1 else { throw .invalidParameter("eval_every must be at least 1, got \(evalEvery)") }
        guard tolerance > 0, tolerance.isFinite else { throw .invalidParameter("tolerance must be positive, got \(tolerance)") }
        guard initStd >= 0, initStd.isFinite else { throw .invalidParameter("init_std must be ≥ 0, got \(initStd)") }
        guard ["uniform", "mean", "ntk"].contains(coupling) else {
            throw .invalidParameter("unknown coupling '\(coupling)'; use uniform, mean or ntk")
        }
        if coupling != "ntk" { try ParticleKernel.uniform(phi: phi).validate(particles: particles) }
        guard parseAssignment(assignment) != nil else {
            throw .invalidParameter("unknown assignment '\(assignment)'; use cosine or euclidean")
        }
        guard dtype == "float32" || dtype == "float64" else { throw .invalidParameter("dtype must be float32 or float64, got '\(dtype)'") }
        guard penaltyWeight >= 0 else { throw .invalidParameter("penalty_weight must be ≥ 0") }
        if let targetBatch, targetBatch < 1 { throw .invalidParameter("target_batch must be at least 1") }
        do {
            _ = try GANConfig.parseObjective(objective)
            _ = try GANConfig.parsePenalties(penalties, weight: penaltyWeight)
            _ = try GANConfig.parseSchedule(schedule)
            try discriminator.validate(player: "discriminator")
        } catch {
            throw .invalidParameter("\(error)")
        }
    }

    /// Resolves the target description.
    public func resolvedTarget() throws(ParticleModelError) -> ParticleTarget {
        let rule = parseAssignment(assignment) ?? .cosine
        let parts = target.split(separator: ":", maxSplits: 1).map(String.init)
        switch parts[0] {
        case "file":
            guard parts.count == 2 else { throw .invalidParameter("target 'file:PATH' needs a path") }
            return try ParticleTarget.csv(path: parts[1], tolerance: tolerance, assignment: rule)
        case "random":
            let numbers = parts.count == 2 ? parts[1].split(separator: ":").compactMap { Int($0) } : []
            guard numbers.count == 2 else { throw .invalidParameter("target 'random:M:d' needs two integers, got '\(target)'") }
            return try ParticleTarget.random(count: numbers[0], dimension: numbers[1], seed: seed, tolerance: tolerance)
        case "one-point":
            let d = parts.count == 2 ? Int(parts[1]) : 1
            guard let d, d >= 1 else { throw .invalidParameter("target 'one-point:d' needs a positive integer dimension, got '\(target)'") }
            return try ParticleTarget.points([[Double](repeating: 0, count: d)], name: "one-point:\(d)", tolerance: tolerance, assignment: .euclidean)
        case "two-point":
            let d = parts.count == 2 ? Int(parts[1]) : 2
            guard let d else { throw .invalidParameter("target 'two-point:d' needs an integer dimension, got '\(target)'") }
            return try ParticleTarget.twoPoint(dimension: d, tolerance: tolerance)
        default:
            if parts[0].hasPrefix("ring"), let k = Int(parts[0].dropFirst(4)) {
                return try ParticleTarget.ring(count: k, tolerance: tolerance)
            }
            return try ParticleTarget.mixture(preset: target, batchSize: targetBatch ?? particles)
        }
    }

    /// Builds the system: keys for the particles, the discriminator and the kernel are split
    /// from `seed`, so two configs that differ only in φ or η_D start from the same particles
    /// and the same discriminator.
    public func makeSystem() throws(ParticleModelError) -> ParticleSystem {
        try validate()
        let target = try resolvedTarget()
        let keys = RandomKey(seed: seed).split(into: 4)   // particles, discriminator, kernel, training
        let x0 = try ParticleSystem.gaussianParticles(count: particles, dimension: target.dimension, mean: initMean, std: initStd, key: keys[0])
        let discriminatorNetwork: MLP
        let objective: Objective, penalties: [Penalty], schedule: UpdateSchedule
        do {
            discriminatorNetwork = try discriminator.build(inputSize: target.dimension, outputSize: 1, key: keys[1], player: "discriminator")
            objective = try GANConfig.parseObjective(self.objective)
            penalties = try GANConfig.parsePenalties(self.penalties, weight: penaltyWeight)
            schedule = try GANConfig.parseSchedule(self.schedule)
        } catch {
            throw .invalidParameter("\(error)")
        }
        let precision: DType = dtype == "float64" ? .float64 : .float32
        if precision == .float64 { discriminatorNetwork.cast(to: .float64) }
        return try ParticleSystem(target: target, initialParticles: x0, discriminator: discriminatorNetwork,
                                  discriminatorOptimizer: discriminator.optimizer.build(), objective: objective, penalties: penalties,
                                  schedule: schedule, kernel: try makeKernel(dimension: target.dimension, key: keys[2]),
                                  particleLearningRate: particleLR, key: keys[3], dtype: precision)
    }

    func makeKernel(dimension d: Int, key: RandomKey) throws(ParticleModelError) -> ParticleKernel {
        switch coupling {
        case "mean": return .meanCoupled(phi: phi)
        case "ntk":
            let spec = PlayerSpec(widths: ntkWidths, activation: ntkActivation, initialization: "kaiming-normal",
                                  optimizer: OptimizerSpec(lr: 1))
            let generator: MLP
            do { generator = try spec.build(inputSize: ntkLatent, outputSize: d, key: key.folded(in: 0), player: "ntk_generator") } catch {
                throw .invalidParameter("\(error)")
            }
            generator.cast(to: .float64)
            // Latents on the sphere of radius √latent: nearly orthogonal in high dimension.
            let z = Tensor.normal([particles, ntkLatent], key: key.folded(in: 1), dtype: .float64)
            let norms = z.squared().sum(axes: [1], keepDims: true).sqrt()
            let onSphere = z / norms * Double(ntkLatent).squareRoot()
            return .dense(try EmpiricalNTK.kernel(generator: generator, latents: onSphere,
                                                  name: "ntk(\(ntkLatent)→\(ntkWidths.map(String.init).joined(separator: "→"))→\(d), \(ntkActivation))"))
        default: return .uniform(phi: phi)
        }
    }
}

/// "cosine" / "euclidean" → the metric's assignment rule.
func parseAssignment(_ text: String) -> ParticleDiversity.Assignment? {
    ParticleDiversity.Assignment(rawValue: text.lowercased())
}
