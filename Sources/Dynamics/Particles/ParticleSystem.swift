import Foundation
import Games
import Metrics
import NN
import Optim
import Tensor

/// The effective particle model of GAN training (Durr, Mroueh, Tu, Wang; spec particles.md):
/// the generator is replaced by N particles x_i in data space that move by
///
///     x_i ← x_i − η_G Σ_j K_ij ∇_x ℓ_G(x_j),
///
/// against a neural discriminator trained by the game engine's pieces (any `Objective`, any
/// list of `Penalty`, a schedule, any `Optimizer`). ℓ_G is the objective's generator loss of
/// one sample (`Objective.generatorLoss` on a single logit: NS softplus(−f), Wasserstein −f,
/// minimax −softplus(f), …), so the update is the NTK flow of the *summed* particle loss.
///
/// The particles are kept in Float64 whatever the discriminator's dtype, so the coupling's
/// identities (rigid motion at φ = 1, independence at φ = 0) hold to rounding. All randomness
/// is explicit: step t draws from `key.folded(in: t)`, so a run is reproducible for a seed.
public final class ParticleSystem {
    public let target: ParticleTarget
    public let discriminator: any Layer
    public var discriminatorOptimizer: any Optimizer
    public let objective: Objective
    public let penalties: [Penalty]
    public let schedule: UpdateSchedule
    public let kernel: ParticleKernel
    /// η_G.
    public var particleLearningRate: Double
    public let dtype: DType
    public let key: RandomKey
    /// Particles [N, d], row-major, Float64.
    public private(set) var particles: [Double]
    public let count: Int
    public var dimension: Int { target.dimension }
    /// Steps completed.
    public private(set) var step = 0

    private let discriminatorNames: [String]

    public init(target: ParticleTarget, initialParticles: [Double], discriminator: any Layer, discriminatorOptimizer: any Optimizer,
                objective: Objective, penalties: [Penalty] = [], schedule: UpdateSchedule = .alternating(dFirst: true),
                kernel: ParticleKernel, particleLearningRate: Double, key: RandomKey, dtype: DType = .float32) throws(ParticleModelError) {
        let d = target.dimension
        guard !initialParticles.isEmpty, initialParticles.count % d == 0 else {
            throw .invalidParameter("initial particles: \(initialParticles.count) values are not whole rows of dimension \(d)")
        }
        guard initialParticles.allSatisfy(\.isFinite) else { throw .invalidParameter("initial particles must be finite") }
        guard particleLearningRate > 0, particleLearningRate.isFinite else {
            throw .invalidParameter("particle learning rate η_G must be positive and finite, got \(particleLearningRate)")
        }
        switch schedule {
        case .simultaneous, .alternating, .ratio: break
        default:
            throw .invalidParameter("schedule \(schedule) is not available for particles; use simultaneous, alternating, alternating-g-first or ratio:D:G")
        }
        let n = initialParticles.count / d
        try kernel.validate(particles: n)
        for penalty in penalties {
            if case .gradient(let p) = penalty, p.sampler == .interpolation, target.batchRows != n {
                throw .invalidParameter("the real–fake interpolation penalty pairs samples, but the discriminator sees \(target.batchRows) real rows and \(n) particles; use r1, r2 or dragan, or make them equal")
            }
        }
        self.target = target
        self.particles = initialParticles
        self.count = n
        self.discriminator = discriminator
        self.discriminatorOptimizer = discriminatorOptimizer
        self.objective = objective
        self.penalties = penalties
        self.schedule = schedule
        self.kernel = kernel
        self.particleLearningRate = particleLearningRate
        self.key = key
        self.dtype = dtype
        self.discriminatorNames = discriminator.parameterNames
    }

    /// Particles drawn from N(m₀, s₀²I) with the given key.
    public static func gaussianParticles(count n: Int, dimension d: Int, mean: [Double], std: Double, key: RandomKey) throws(ParticleModelError) -> [Double] {
        guard n >= 1 else { throw .invalidParameter("need at least one particle, got \(n)") }
        guard mean.count == d || mean.count == 1 else {
            throw .invalidParameter("initial mean has \(mean.count) entries for dimension \(d) (give 1 or \(d))")
        }
        guard std >= 0, std.isFinite, mean.allSatisfy(\.isFinite) else { throw .invalidParameter("initial mean and std must be finite, std ≥ 0") }
        let noise = Tensor.normal([n, d], key: key, dtype: .float64).doubles
        return noise.enumerated().map { index, z in (mean.count == 1 ? mean[0] : mean[index % d]) + std * z }
    }

    // MARK: Stepping

    /// One step of the schedule. On divergence (a non-finite particle or discriminator
    /// parameter) the state is rolled back to before the step and the error names the culprit.
    @discardableResult
    public func advance() throws(ParticleModelError) -> ParticleStepReport {
        let savedParticles = particles
        let savedDiscriminator = discriminator.snapshot()
        let savedOptimizer = discriminatorOptimizer
        do throws(ParticleModelError) {
            let report = try runSchedule()
            if let bad = particles.firstIndex(where: { !$0.isFinite }) {
                throw .diverged(step: step, what: "particle \(bad / dimension) coordinate \(bad % dimension)")
            }
            if let name = Numerics.firstNonFinite(discriminator.parameters) {
                throw .diverged(step: step, what: "discriminator parameter '\(name)'")
            }
            step += 1
            return report
        } catch {
            particles = savedParticles
            try? discriminator.load(savedDiscriminator)
            discriminatorOptimizer = savedOptimizer
            throw error
        }
    }

    private func runSchedule() throws(ParticleModelError) -> ParticleStepReport {
        let stepKey = key.folded(in: UInt64(step))
        var report = ParticleStepReport()
        switch schedule {
        case .simultaneous:
            let d = discriminatorGradients(key: stepKey.folded(in: 0))
            let g = particleGradients()
            try applyDiscriminator(d.gradients)
            applyParticles(g.gradients)
            report.record(discriminator: d, particles: g)
        case .alternating(let dFirst):
            if dFirst {
                let d = discriminatorGradients(key: stepKey.folded(in: 0))
                try applyDiscriminator(d.gradients)
                let g = particleGradients()
                applyParticles(g.gradients)
                report.record(discriminator: d, particles: g)
            } else {
                let g = particleGradients()
                applyParticles(g.gradients)
                let d = discriminatorGradients(key: stepKey.folded(in: 0))
                try applyDiscriminator(d.gradients)
                report.record(discriminator: d, particles: g)
            }
        case .ratio(let dSteps, let gSteps):
            for i in 0..<dSteps {
                let d = discriminatorGradients(key: stepKey.folded(in: UInt64(i)))
                try applyDiscriminator(d.gradients)
                report.record(discriminator: d, particles: nil)
            }
            for _ in 0..<gSteps {
                let g = particleGradients()
                applyParticles(g.gradients)
                report.record(discriminator: nil, particles: g)
            }
        default:
            preconditionFailure("ParticleSystem: schedule \(schedule) was rejected at init")
        }
        return report
    }

    /// The particles as a [N, d] tensor in the discriminator's dtype.
    public var particleTensor: Tensor { Tensor(particles, shape: [count, dimension]).cast(to: dtype) }

    struct DiscriminatorEvaluation {
        var loss: Double
        var penalties: [Double]
        var gradients: [String: Tensor]
        var gradientNorm: Double
    }

    /// ∇_θ of the discriminator's loss: objective on (real batch, particles) plus every penalty.
    /// Penalty i draws its randomness from `key.folded(in: 1 + i)`; the real batch from `key`.
    func discriminatorGradients(key: RandomKey) -> DiscriminatorEvaluation {
        let real = target.batch(key: key, dtype: dtype)
        let fake = particleTensor
        let leaves = discriminator.parameters
        let objectiveLoss = objective.discriminatorLoss(realLogits: discriminator(real), fakeLogits: discriminator(fake))
        var total = objectiveLoss
        var penaltyValues: [Double] = []
        for (i, penalty) in penalties.enumerated() {
            guard let term = penalty.value(discriminator: discriminator, real: real, fake: fake, key: key.folded(in: UInt64(1 + i))) else { continue }
            penaltyValues.append(term.item)
            total = total + term
        }
        let values = gradients(of: total, wrt: discriminatorNames.map { leaves[$0]! })
        let named = Dictionary(uniqueKeysWithValues: zip(discriminatorNames, values))
        return DiscriminatorEvaluation(loss: objectiveLoss.item, penalties: penaltyValues, gradients: named,
                                       gradientNorm: Numerics.globalNorm(named))
    }

    struct ParticleEvaluation {
        /// Mean per-particle loss ℓ_G.
        var loss: Double
        /// g_i = ∇_x ℓ_G(x_i), [N, d] row-major.
        var gradients: [Double]
        /// Mean ‖g_i‖.
        var meanGradientNorm: Double
    }

    /// g_i = ∇_x ℓ_G(x_i) for every particle: N times the gradient of the mean loss.
    func particleGradients() -> ParticleEvaluation {
        let x = particleTensor.requiringGrad()
        let loss = objective.generatorLoss(fakeLogits: discriminator(x))
        let g = gradients(of: loss, wrt: [x])[0].doubles.map { $0 * Double(count) }
        var normSum = 0.0
        for i in 0..<count {
            var s = 0.0
            for k in 0..<dimension { s += g[i * dimension + k] * g[i * dimension + k] }
            normSum += s.squareRoot()
        }
        return ParticleEvaluation(loss: loss.item, gradients: g, meanGradientNorm: normSum / Double(count))
    }

    private func applyDiscriminator(_ gradients: [String: Tensor]) throws(ParticleModelError) {
        do {
            try discriminatorOptimizer.update(discriminator, gradients: gradients)
            for penalty in penalties { try penalty.project(discriminator) }
        } catch {
            throw .invalidParameter("discriminator update failed: \(error)")
        }
    }

    /// x ← x − η_G K·G.
    private func applyParticles(_ g: [Double]) {
        let update = kernel.apply(g, rows: count, columns: dimension)
        let eta = particleLearningRate
        for i in particles.indices { particles[i] -= eta * update[i] }
    }

    // MARK: Measuring

    /// Coverage of the targets by the particles now (spec §6).
    public func snapshot() -> ParticleSnapshot {
        ParticleSnapshot(step: step, particles: particles, target: target)
    }

    /// Θ_ψ, the tangent kernel of the discriminator's input slope at the target centres:
    /// the mean over centres y_a and coordinates k of ‖∇_θ ∂f(y_a)/∂x_k‖² (at most `maxPairs`
    /// (a, k) pairs, evenly strided). In the linearised system of spec §4 an affine
    /// discriminator has Θ_ψ = 1; a network's slope moves Θ_ψ times faster under the same η_D,
    /// so b = η_D Θ_ψ / 2, c = η_D γ Θ_ψ and γ_crit = √(η_G κ / (η_D Θ_ψ)).
    public func discriminatorSlopeKernel(maxPairs: Int = 64) -> Double {
        let d = dimension
        let points = Tensor(target.centres.flatMap { $0 }, shape: [target.centres.count, d]).cast(to: dtype).requiringGrad()
        let slopes = gradients(of: discriminator(points).sum(), wrt: [points], createGraph: true)[0]   // [M, d]
        let leaves = discriminator.parameters
        let parameters = discriminatorNames.map { leaves[$0]! }
        let pairs = slopes.count
        let stride = Swift.max(1, pairs / Swift.max(maxPairs, 1))
        var total = 0.0, used = 0
        var index = 0
        while index < pairs && used < maxPairs {
            var seed = [Double](repeating: 0, count: pairs)
            seed[index] = 1
            let g = gradients(of: slopes, wrt: parameters, seed: Tensor(seed, shape: slopes.shape).cast(to: dtype))
            total += g.reduce(0.0) { $0 + $1.doubles.reduce(0) { $0 + $1 * $1 } }
            used += 1
            index += stride
        }
        return total / Double(Swift.max(used, 1))
    }

    /// The discriminator's logit at each row of `points` [n, d].
    public func logits(at points: [Double]) -> [Double] {
        discriminator(Tensor(points, shape: [points.count / dimension, dimension]).cast(to: dtype)).doubles
    }
}

/// Losses and gradient sizes of one step (the last update of each player when a step makes
/// several).
public struct ParticleStepReport: Sendable, Equatable {
    public var discriminatorLoss = Double.nan
    public var penalties: [Double] = []
    public var discriminatorGradientNorm = Double.nan
    /// Mean per-particle ℓ_G.
    public var particleLoss = Double.nan
    /// Mean ‖∇_x ℓ_G(x_i)‖.
    public var particleGradientNorm = Double.nan

    mutating func record(discriminator d: ParticleSystem.DiscriminatorEvaluation?, particles g: ParticleSystem.ParticleEvaluation?) {
        if let d {
            discriminatorLoss = d.loss
            penalties = d.penalties
            discriminatorGradientNorm = d.gradientNorm
        }
        if let g {
            particleLoss = g.loss
            particleGradientNorm = g.meanGradientNorm
        }
    }
}

/// The particle metrics of spec §6 at one step.
public struct ParticleSnapshot: Sendable, Equatable {
    public var step: Int
    /// log M + Σ p_a log p_a over the target's centres.
    public var diversity: Double
    /// Particles per centre.
    public var counts: [Int]
    /// The centre holding the most particles (lowest index on ties).
    public var dominantCentre: Int
    /// Centres with at least one high-quality particle (within 3σ; benchmarks.md §4).
    public var modesCovered: Int
    /// Fraction of particles within 3σ of their nearest centre.
    public var highQualityFraction: Double
    /// (1/N) Σ_i min_a (1 − cos(x_i, y_a)).
    public var meanMinimumCosineDistance: Double
    /// max_i min_a ‖x_i − y_a‖: how far the worst particle is from any centre.
    public var maxDistanceToNearestCentre: Double
    /// Quantiles of min_a ‖x_i − y_a‖ over the particles at 0 %, 1 %, …, 100 % (101 values):
    /// entry q is the smallest distance within which at least q % of the particles lie (the
    /// ⌈qN/100⌉-th smallest; entry 100 is `maxDistanceToNearestCentre`).
    public var nearestDistanceQuantiles: [Double]
    /// The cloud's centre of mass.
    public var centreOfMass: [Double]

    public init(step: Int, particles: [Double], target: ParticleTarget) {
        let d = target.dimension
        let centres = target.centres.flatMap { $0 }
        let assignment = ParticleDiversity.assignments(particles: particles, targets: centres, dimension: d, rule: target.assignment)
        let counts = ParticleDiversity.counts(assignment, targets: target.centres.count)
        self.step = step
        self.counts = counts
        self.diversity = ParticleDiversity.diversity(counts: counts)
        self.dominantCentre = counts.indices.max { counts[$0] < counts[$1] || (counts[$0] == counts[$1] && $0 > $1) } ?? 0
        self.meanMinimumCosineDistance = ParticleDiversity.meanMinimumCosineDistance(particles: particles, targets: centres, dimension: d)
        let n = particles.count / d
        var covered = Set<Int>()
        var highQuality = 0
        var nearest: [Double] = []
        nearest.reserveCapacity(n)
        for i in 0..<n {
            var bestStandardised = Double.infinity, bestIndex = 0, bestDistance = Double.infinity
            for (a, centre) in target.centres.enumerated() {
                var s = 0.0
                for k in 0..<d { let diff = particles[i * d + k] - centre[k]; s += diff * diff }
                let standardised = s.squareRoot() / target.centreStandardDeviations[a]
                if standardised < bestStandardised { bestStandardised = standardised; bestIndex = a }
                bestDistance = Swift.min(bestDistance, s.squareRoot())
            }
            if bestStandardised < 3 { highQuality += 1; covered.insert(bestIndex) }
            nearest.append(bestDistance)
        }
        nearest.sort()
        self.modesCovered = covered.count
        self.highQualityFraction = Double(highQuality) / Double(n)
        self.maxDistanceToNearestCentre = nearest.last ?? 0
        self.nearestDistanceQuantiles = (0...100).map { q in nearest[Swift.max(0, Swift.min(n, Int((Double(q) / 100 * Double(n)).rounded(.up))) - 1)] }
        self.centreOfMass = (0..<d).map { k in (0..<n).reduce(0.0) { $0 + particles[$1 * d + k] } / Double(n) }
    }
}
