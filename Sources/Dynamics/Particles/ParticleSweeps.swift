import Foundation
import Metrics

/// Log-spaced values from `low` to `high` inclusive (numpy.logspace on the exponents).
public func logSpaced(_ low: Double, _ high: Double, count: Int) -> [Double] {
    precondition(low > 0 && high > 0 && count >= 1, "logSpaced: needs positive bounds and count ≥ 1")
    if count == 1 { return [low] }
    let a = log10(low), b = log10(high)
    return (0..<count).map { pow(10, a + (b - a) * Double($0) / Double(count - 1)) }
}

/// One run of a sweep, reduced to the numbers the figures need.
public struct ParticleSweepRun: Sendable, Equatable {
    public var phi: Double
    public var discriminatorLR: Double
    public var gamma: Double?
    public var seed: UInt64
    public var finalDiversity: Double
    /// Mean diversity over the last 20 % of the evaluations.
    public var lateDiversity: Double
    public var modesCovered: Int
    public var highQualityFraction: Double
    public var modeHops: Int
    public var convergenceStep: Int?
    public var oscillationAmplitude: Double
    public var stepsRun: Int
    public var divergence: String?
    public var wallSeconds: Double

    init(config: ParticleModelConfig, gamma: Double?, result: ParticleRunResult) {
        phi = config.phi
        discriminatorLR = config.discriminator.optimizer.lr
        self.gamma = gamma
        seed = config.seed
        finalDiversity = result.final.diversity
        lateDiversity = result.meanDiversity()
        modesCovered = result.final.modesCovered
        highQualityFraction = result.final.highQualityFraction
        modeHops = result.modeHops
        convergenceStep = result.convergenceStep
        oscillationAmplitude = result.oscillationAmplitude()
        stepsRun = result.steps
        divergence = result.divergence
        wallSeconds = result.wallSeconds
    }
}

/// Runs `configs` on `threads` workers (each run builds its own system from its config, so
/// the results do not depend on the thread count or on scheduling).
func runAll(_ configs: [(ParticleModelConfig, Double?)], threads: Int,
            progress: (@Sendable (Int, Int) -> Void)?) -> [ParticleSweepRun] {
    parallelMap(count: configs.count, threads: threads, progress: progress) { index in
        let (config, gamma) = configs[index]
        do {
            let system = try config.makeSystem()
            let result = system.run(steps: config.steps, evaluateEvery: config.evalEvery, criterion: config.convergence)
            return ParticleSweepRun(config: config, gamma: gamma, result: result)
        } catch {
            preconditionFailure("particle sweep: config \(index) was validated but failed to build: \(error)")
        }
    }
}

/// The (φ, η_D) phase diagram of mode collapse (spec §5.2 P1, issue: "the phase diagram shows
/// a collapse transition in φ").
public struct ParticlePhaseDiagram: Sendable {
    public var base: ParticleModelConfig
    public var phis: [Double]
    public var discriminatorLRs: [Double]
    public var seeds: [UInt64]

    /// P1's grids: φ ∈ {0} ∪ logspace(0.01, 0.977, 12), η_D ∈ logspace(1e-3, 1e-1, 10).
    public static let p1Phis = [0] + logSpaced(0.01, 0.977, count: 12)
    public static let p1DiscriminatorLRs = logSpaced(1e-3, 1e-1, count: 10)

    public init(base: ParticleModelConfig = ParticleModelConfig(), phis: [Double] = p1Phis,
                discriminatorLRs: [Double] = p1DiscriminatorLRs, seeds: [UInt64] = [0]) throws(ParticleModelError) {
        guard !phis.isEmpty, !discriminatorLRs.isEmpty, !seeds.isEmpty else {
            throw .invalidParameter("phase diagram: needs at least one φ, one η_D and one seed")
        }
        guard discriminatorLRs.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw .invalidParameter("phase diagram: η_D values must be positive") }
        self.base = base
        self.phis = phis
        self.discriminatorLRs = discriminatorLRs
        self.seeds = seeds
        for config in configs() { try config.0.validate() }
    }

    func configs() -> [(ParticleModelConfig, Double?)] {
        var result: [(ParticleModelConfig, Double?)] = []
        for lr in discriminatorLRs {
            for phi in phis {
                for seed in seeds {
                    var c = base
                    c.phi = phi
                    c.discriminator.optimizer.lr = lr
                    c.seed = seed
                    result.append((c, nil))
                }
            }
        }
        return result
    }

    public var runCount: Int { phis.count * discriminatorLRs.count * seeds.count }

    public func run(threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) throws(ParticleModelError) -> ParticlePhaseResult {
        let target = try base.resolvedTarget()
        let runs = runAll(configs(), threads: threads, progress: progress)
        return ParticlePhaseResult(diagram: self, runs: runs, targetCount: target.centres.count, targetName: target.name)
    }
}

public struct ParticlePhaseResult: Sendable {
    public var diagram: ParticlePhaseDiagram
    /// Ordered by η_D, then φ, then seed.
    public var runs: [ParticleSweepRun]
    public var targetCount: Int
    public var targetName: String

    /// Late diversity averaged over seeds, [η_D index][φ index].
    public var meanDiversity: [[Double]] { matrix(\.lateDiversity) }
    public var meanModesCovered: [[Double]] { matrix { Double($0.modesCovered) } }
    public var meanModeHops: [[Double]] { matrix { Double($0.modeHops) } }

    func matrix(_ value: (ParticleSweepRun) -> Double) -> [[Double]] {
        let s = diagram.seeds.count, p = diagram.phis.count
        return diagram.discriminatorLRs.indices.map { i in
            diagram.phis.indices.map { j in
                let cell = runs[(i * p + j) * s..<((i * p + j) * s + s)]
                return cell.reduce(0) { $0 + value($1) } / Double(s)
            }
        }
    }

    /// The random-cloud diversity of §6 for this N and M (the "no collapse" reading).
    public var randomCloudBaseline: Double {
        ParticleDiversity.randomCloudBaseline(particles: diagram.base.particles, targets: targetCount).mean
    }

    /// The collapse threshold: halfway between the random-cloud baseline and log M.
    public var collapseThreshold: Double { (randomCloudBaseline + log(Double(targetCount))) / 2 }

    /// For each η_D: the smallest φ of the grid from which the mean late diversity stays above
    /// the collapse threshold (nil when it never does).
    public var boundary: [Double?] {
        let threshold = collapseThreshold
        return meanDiversity.map { row in
            var index: Int?
            for j in row.indices.reversed() {
                if row[j] > threshold { index = j } else { break }
            }
            return index.map { diagram.phis[$0] }
        }
    }

    /// Rows (η_D) at which diversity at the largest φ exceeds diversity at the smallest φ by
    /// more than `margin` nats (spec §8 test 10 uses 1.0).
    public func collapseRows(margin: Double = 1) -> [Int] {
        meanDiversity.indices.filter { meanDiversity[$0].last! - meanDiversity[$0].first! > margin }
    }
}

/// Convergence time against the regulariser's strength γ (spec §5.2 P3: "the damping curve").
public struct ParticleDampingSweep: Sendable {
    public var base: ParticleModelConfig
    public var gammas: [Double]
    public var seeds: [UInt64]
    /// The regulariser whose weight is swept: "r1" (the default, §2.4), "r2" or a gradient
    /// penalty name ("dragan", "gan-gp"), which takes γ as its λ.
    public var penalty: String
    /// κ of the base config's coupling, computed once (an `ntk` coupling builds its kernel).
    public let collectiveRate: Double

    public static let p3Gammas = logSpaced(1e-3, 1e2, count: 16)

    public init(base: ParticleModelConfig, gammas: [Double] = p3Gammas, seeds: [UInt64] = [0], penalty: String = "r1") throws(ParticleModelError) {
        guard !gammas.isEmpty, !seeds.isEmpty else { throw .invalidParameter("damping sweep: needs at least one γ and one seed") }
        guard gammas.allSatisfy({ $0 > 0 && $0.isFinite }) else { throw .invalidParameter("damping sweep: γ values must be positive") }
        self.base = base
        self.gammas = gammas
        self.seeds = seeds
        self.penalty = penalty
        self.collectiveRate = base.collectiveRate
        for config in configs() { try config.0.validate() }
    }

    func configs() -> [(ParticleModelConfig, Double?)] {
        gammas.flatMap { gamma in
            seeds.map { seed -> (ParticleModelConfig, Double?) in
                var c = base
                if penalty == "r1" || penalty == "r2" {
                    c.penalties = base.penalties + ["\(penalty):\(gamma)"]
                } else {
                    c.penalties = base.penalties + [penalty]
                    c.penaltyWeight = gamma
                }
                c.seed = seed
                return (c, gamma)
            }
        }
    }

    /// γ_crit of the linearised two-point system for the base config's η_G, η_D, N and φ.
    public var linearisedCriticalGamma: Double {
        LinearisedDamping.criticalGamma(particleLR: base.particleLR, discriminatorLR: base.discriminator.optimizer.lr, coupling: collectiveRate)
    }

    /// The same with the initial discriminator's slope kernel Θ_ψ (seed of the first run):
    /// γ_crit / √Θ_ψ, and Θ_ψ itself.
    public func slopeCorrectedCriticalGamma() throws(ParticleModelError) -> (gamma: Double, slopeKernel: Double) {
        var c = base
        c.seed = seeds[0]
        let theta = try c.makeSystem().discriminatorSlopeKernel()
        return (linearisedCriticalGamma / theta.squareRoot(), theta)
    }

    public func run(threads: Int, progress: (@Sendable (Int, Int) -> Void)? = nil) -> ParticleDampingResult {
        ParticleDampingResult(sweep: self, runs: runAll(configs(), threads: threads, progress: progress))
    }
}

public struct ParticleDampingResult: Sendable {
    public var sweep: ParticleDampingSweep
    /// Ordered by γ, then seed.
    public var runs: [ParticleSweepRun]

    /// Per γ: mean convergence step over seeds, a run that never converged counting as the
    /// full step budget (so the mean is a lower bound there), and how many converged.
    public var convergence: [(gamma: Double, meanSteps: Double, converged: Int)] {
        let s = sweep.seeds.count
        return sweep.gammas.enumerated().map { i, gamma in
            let cell = runs[(i * s)..<(i * s + s)]
            let steps = cell.map { Double($0.convergenceStep ?? sweep.base.steps) }
            return (gamma, steps.reduce(0, +) / Double(s), cell.filter { $0.convergenceStep != nil }.count)
        }
    }

    /// The γ of the shortest mean convergence time among those where every seed converged.
    public var fastestGamma: Double? {
        convergence.filter { $0.converged == sweep.seeds.count }.min { $0.meanSteps < $1.meanSteps }?.gamma
    }
}
