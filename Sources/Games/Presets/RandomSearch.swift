import Foundation
import Tensor

/// One model of a random hyper-parameter search: an objective with its penalties, written
/// "ns", "ns+dragan", "wgan+wgan-gp" (objective first, then penalties joined by '+').
public struct SearchModel: Sendable, Equatable, Codable, CustomStringConvertible {
    public let objective: String
    public let penalties: [String]

    /// Validates the objective and every penalty as `train` would.
    public init(objective: String, penalties: [String] = []) throws(GANConfigError) {
        _ = try GANConfig.parseObjective(objective)
        _ = try GANConfig.parsePenalties(penalties, weight: 1)
        self.objective = objective
        self.penalties = penalties
    }

    /// "ns+dragan" → objective ns with penalty dragan; "none" as a penalty is not allowed.
    public init(parsing text: String) throws(GANConfigError) {
        let parts = text.split(separator: "+", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard !parts.contains(where: \.isEmpty) else {
            throw .invalid("model", "'\(text)' has an empty part; write the objective, then penalties joined by '+', e.g. ns+dragan")
        }
        if parts.dropFirst().contains(where: { $0.lowercased() == "none" }) {
            throw .invalid("model", "'\(text)': leave out 'none' (a model without penalties is just its objective, e.g. ns)")
        }
        do {
            try self.init(objective: parts[0], penalties: Array(parts.dropFirst()))
        } catch {
            if case .invalid(_, let why) = error { throw .invalid("model", "'\(text)': \(why)") }
            throw error
        }
    }

    /// The objective and penalties joined by '+', as parsed.
    public var label: String { ([objective] + penalties).joined(separator: "+") }
    public var description: String { label }

    /// Whether a penalty of this model takes its strength from `penalty_weight` (DRAGAN and
    /// the interpolation penalties), so the search draws λ for it.
    public var usesPenaltyWeight: Bool {
        let parsed = (try? GANConfig.parsePenalties(penalties, weight: 1)) ?? []
        return parsed.contains { if case .gradient = $0 { return true } else { return false } }
    }

    /// Whether the objective is the Wasserstein one, whose models get their own Adam β2.
    public var isWasserstein: Bool {
        (try? GANConfig.parseObjective(objective)) == .wasserstein
    }

    /// The five models of Fedus et al.'s comparison (`many-paths.md` §3.4, §4): MM-GAN,
    /// NS-GAN, WGAN-GP, GAN-GP (NS with the interpolation penalty) and DRAGAN-NS.
    public static let manyPaths: [SearchModel] = ["mm", "ns", "wgan+wgan-gp", "ns+gan-gp", "ns+dragan"].map {
        try! SearchModel(parsing: $0)
    }
}

/// A range sampled log-uniformly: log x uniform between log lower and log upper.
public struct LogUniformRange: Sendable, Equatable, Codable, CustomStringConvertible {
    public let lower: Double
    public let upper: Double

    public init(_ lower: Double, _ upper: Double) throws(GANConfigError) {
        guard lower > 0, upper.isFinite, lower <= upper else {
            throw .invalid("range", "a log-uniform range needs 0 < lower ≤ upper < ∞, got \(lower):\(upper)")
        }
        self.lower = lower
        self.upper = upper
    }

    /// "1e-5:1e-2"; a single number is a range of one value.
    public init(parsing text: String) throws(GANConfigError) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false).map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(parts.count), parts.allSatisfy({ $0 != nil }) else {
            throw .invalid("range", "'\(text)': write LOWER:UPPER, e.g. 1e-5:1e-2")
        }
        try self.init(parts[0]!, parts[parts.count - 1]!)
    }

    /// The value at u ∈ [0, 1): exp(log lower + u·(log upper − log lower)), kept inside the
    /// range (exp(log x) can miss x by an ulp).
    public func value(at u: Double) -> Double {
        guard lower < upper else { return lower }
        return min(upper, max(lower, exp(log(lower) + u * (log(upper) - log(lower)))))
    }

    public var description: String { "[\(lower), \(upper)]" }
}

/// What a random search draws, and from where: the small-scale version of Fedus et al.'s
/// protocol (`many-paths.md` §4). The defaults are the spec's: learning rate log-uniform in
/// [1e-5, 1e-2] (the same for both players), Adam β1 ∈ {0, 0.5, 0.9}, β2 = 0.999 (0.9 for
/// WGAN objectives), n_D ∈ {1, 2, 5} discriminator steps per generator step, and λ
/// log-uniform in [0.1, 100] for the models with a DRAGAN or interpolation penalty.
public struct SearchSpace: Sendable, Equatable, Codable {
    public var learningRate: LogUniformRange
    public var beta1: [Double]
    public var beta2: Double
    public var wassersteinBeta2: Double
    public var discriminatorSteps: [Int]
    public var penaltyWeight: LogUniformRange

    public init(learningRate: LogUniformRange = try! LogUniformRange(1e-5, 1e-2), beta1: [Double] = [0, 0.5, 0.9],
                beta2: Double = 0.999, wassersteinBeta2: Double = 0.9, discriminatorSteps: [Int] = [1, 2, 5],
                penaltyWeight: LogUniformRange = try! LogUniformRange(0.1, 100)) throws(GANConfigError) {
        guard !beta1.isEmpty, beta1.allSatisfy({ (0..<1).contains($0) }) else {
            throw .invalid("beta1", "the choices must be non-empty and each in [0, 1), got \(beta1)")
        }
        for (name, value) in [("beta2", beta2), ("wgan_beta2", wassersteinBeta2)] where !(0..<1).contains(value) {
            throw .invalid(name, "must be in [0, 1), got \(value)")
        }
        guard !discriminatorSteps.isEmpty, discriminatorSteps.allSatisfy({ $0 >= 1 }) else {
            throw .invalid("n_d", "the choices must be non-empty and each ≥ 1, got \(discriminatorSteps)")
        }
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.wassersteinBeta2 = wassersteinBeta2
        self.discriminatorSteps = discriminatorSteps
        self.penaltyWeight = penaltyWeight
    }

    /// Configuration `index` of the search seeded by `seed`. Its draws come from their own
    /// Philox stream, keyed by (seed, index), in a fixed order (learning rate, β1, n_D, λ), so
    /// a configuration does not depend on how many others the search has (30 more keep the
    /// first 30) and every model gets the same draws for the same index: the comparison
    /// between models is paired. λ is drawn for every configuration and used only by the
    /// models with a gradient penalty.
    public func draw(index: Int, seed: UInt64) -> SearchDraw {
        precondition(index >= 0, "configuration index must be ≥ 0, got \(index)")
        var stream = RandomStream(key: RandomKey(seed: seed).folded(in: UInt64(index)))
        let learningRate = learningRate.value(at: stream.nextDouble())
        let beta1 = beta1[stream.nextInt(below: beta1.count)]
        let discriminatorSteps = discriminatorSteps[stream.nextInt(below: discriminatorSteps.count)]
        let penaltyWeight = penaltyWeight.value(at: stream.nextDouble())
        return SearchDraw(index: index, learningRate: learningRate, beta1: beta1, discriminatorSteps: discriminatorSteps,
                          penaltyWeight: penaltyWeight)
    }

    /// One line for reports: what is drawn, from where.
    public var protocolLine: String {
        func list(_ values: [Double]) -> String { "{" + values.map { "\($0)" }.joined(separator: ", ") + "}" }
        return "lr log-uniform \(learningRate) (both players), Adam β1 ∈ \(list(beta1)), β2 = \(beta2) (\(wassersteinBeta2) for WGAN objectives), "
            + "n_D ∈ {\(discriminatorSteps.map(String.init).joined(separator: ", "))} (schedule ratio:n_D:1), "
            + "λ log-uniform \(penaltyWeight) for DRAGAN / interpolation-penalty models"
    }
}

/// One drawn configuration. Configuration k trains with seed k in every model.
public struct SearchDraw: Sendable, Equatable, Codable {
    public let index: Int
    public let learningRate: Double
    public let beta1: Double
    public let discriminatorSteps: Int
    public let penaltyWeight: Double

    public var trainingSeed: UInt64 { UInt64(index) }

    /// The schedule of `discriminatorSteps` D steps per G step (D first).
    public var schedule: String { "ratio:\(discriminatorSteps):1" }

    /// Adam's β2 for `model` under `space`.
    public func beta2(for model: SearchModel, in space: SearchSpace) -> Double {
        model.isWasserstein ? space.wassersteinBeta2 : space.beta2
    }

    /// `base` with this configuration and `model` applied: objective, penalties, both players'
    /// learning rates and Adam betas, the schedule, λ (for penalised models; otherwise the
    /// base's, which no penalty reads) and the seed. Both players must use an Adam-family
    /// optimiser, since the search draws Adam's β1.
    public func applied(to base: GANConfig, model: SearchModel, space: SearchSpace) throws(GANConfigError) -> GANConfig {
        for (player, spec) in [("generator", base.generator), ("discriminator", base.discriminator)]
        where !["adam", "adamw", "optimistic-adam"].contains(spec.optimizer.name.lowercased()) {
            throw .invalid("\(player).optimizer.name", "the search draws Adam's β1, but the \(player) uses '\(spec.optimizer.name)'; set adam in the base config")
        }
        var config = base
        config.objective = model.objective
        config.penalties = model.penalties
        config.schedule = schedule
        if model.usesPenaltyWeight { config.penaltyWeight = penaltyWeight }
        let beta2 = beta2(for: model, in: space)
        for keyPath in [\GANConfig.generator.optimizer, \GANConfig.discriminator.optimizer] {
            config[keyPath: keyPath].lr = learningRate
            config[keyPath: keyPath].beta1 = beta1
            config[keyPath: keyPath].beta2 = beta2
        }
        config.seed = trainingSeed
        return config
    }
}

/// When a run of the search counts as a success (`many-paths.md` §4: on the ring, at least 7
/// modes covered with at least 80 % high-quality samples, at the end of the run).
public struct SearchSuccess: Sendable, Equatable, Codable, CustomStringConvertible {
    public let minimumModes: Double
    public let minimumHighQualityFraction: Double

    public init(minimumModes: Double = 7, minimumHighQualityFraction: Double = 0.8) {
        self.minimumModes = minimumModes
        self.minimumHighQualityFraction = minimumHighQualityFraction
    }

    public func isSuccess(modesCovered: Double, highQualityFraction: Double) -> Bool {
        modesCovered >= minimumModes && highQualityFraction >= minimumHighQualityFraction
    }

    public var description: String {
        "≥ \(minimumModes.formatted()) modes covered and ≥ \((minimumHighQualityFraction * 100).formatted()) % high-quality samples at the end"
    }
}

private extension Double {
    /// "7" for whole numbers, else the shortest round-trip text.
    func formatted() -> String { self == rounded() && abs(self) < 1e15 ? String(Int(self)) : "\(self)" }
}
