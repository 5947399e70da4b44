import Datasets
import Foundation
import NN
import Optim
import Tensor

/// The settings of a jointly trained mixture of generators (spec related.md §4), as plain data.
public struct GeneratorMixtureSettings: Codable, Sendable, Equatable {
    /// K, the number of generators.
    public var generators: Int = 4
    /// β, the weight of the classifier's cross-entropy in every generator's loss (0: no
    /// classifier, the generators only share the discriminator).
    public var classifierWeight: Double = 0.1
    /// Re-balance the mixture weights π every this many steps (0: π stays uniform).
    public var balanceEvery: Int = 0
    /// ρ of the balance rule.
    public var balanceRate: Double = 1

    public init() {}

    public func validate() throws(GANConfigError) {
        guard generators >= 1 else { throw .invalid("mixture.generators", "must be ≥ 1, got \(generators)") }
        guard classifierWeight >= 0, classifierWeight.isFinite else { throw .invalid("mixture.classifier_weight", "β must be finite and ≥ 0, got \(classifierWeight)") }
        guard balanceEvery >= 0 else { throw .invalid("mixture.balance_every", "must be ≥ 0, got \(balanceEvery)") }
        guard balanceRate >= 0, balanceRate.isFinite else { throw .invalid("mixture.balance_rate", "ρ must be finite and ≥ 0, got \(balanceRate)") }
    }
}

/// K generators trained jointly against one discriminator, with an optional K-way classifier
/// that tells them apart (MGAN-style, Hoang et al. 2018; the balanced mix-generator GAN of spec
/// related.md §4). The baseline DO-GAN is compared with: a mixture whose weights are fixed or
/// heuristically balanced rather than a meta-game equilibrium.
///
/// One step (alternating, discriminator first):
/// 1. a fake batch of the config's batch size from the mixture, split over the generators in
///    proportion to π (largest-remainder rounding, so the split is exact and deterministic);
/// 2. D takes one step on the objective's loss plus the config's penalties (real vs that batch);
/// 3. the classifier C takes one step on the cross-entropy of the batch's source labels;
/// 4. each G_k takes one step on L_G(D(G_k(z))) + β·CE(C(G_k(z)), k) over its share of fresh
///    latents. The β term pushes the generators toward disjoint regions, "few modes each".
///
/// Balance (a documented stand-in; the paper's rule is not public): every `balanceEvery` steps,
/// π = ½·uniform + ½·softmax(ρ·ℓ̄), ℓ̄_k the mean adversarial loss of G_k since the last update,
/// so a generator that falls behind (high loss) gets a larger share of D's attention, and every
/// π_k stays ≥ 0.5/K. (Spec related.md writes π ∝ exp(−ρ·ℓ̄) but states this intent; the sign
/// here follows the intent.)
///
/// The classifier is a separate network with the discriminator's widths and K outputs (MGAN
/// shares all but the last layer with D; here it costs one more forward and backward).
///
/// Other deviations from spec related.md §4, on purpose: the balance rule is off by default (π
/// uniform, as in MGAN) and does not adapt the relative weights of D's and C's losses; the
/// generators step one after the other, not concurrently (bit-identical on any thread count);
/// and K = 1 is this loop with one generator, not `Trainer`'s NS-GAN (its keys and schedule
/// differ), so compare it with `equilibrium train` as a separate row.
public final class GeneratorMixture {
    public let config: GANConfig
    public let settings: GeneratorMixtureSettings
    public let data: any Distribution
    public let generators: [MLP]
    public let discriminator: MLP
    /// nil when K = 1 or β = 0.
    public let classifier: MLP?
    public let game: Game
    /// π, the mixture weights (uniform unless balanced).
    public private(set) var weights: [Double]
    /// Steps taken (each updates D, C and every generator once).
    public private(set) var steps = 0
    private var generatorOptimizers: [any Optimizer]
    private var discriminatorOptimizer: any Optimizer
    private var classifierOptimizer: (any Optimizer)?
    private let root: RandomKey
    private var lossSums: [Double]
    private var lossCounts = 0

    /// The losses of one step.
    public struct StepLosses: Sendable {
        public var discriminator: Double
        public var classifier: Double?
        /// L_G of each generator (before the β term).
        public var generators: [Double]
        /// CE(C(G_k(z)), k) of each generator (nil without a classifier).
        public var generatorCrossEntropy: [Double]?
    }

    public init(config: GANConfig, settings: GeneratorMixtureSettings) throws {
        try config.validate()
        try settings.validate()
        // Every generator's share of the fake batch stays ≥ 2 (BatchNorm needs two rows), even at
        // the balance rule's floor of 0.5/K.
        guard config.batchSize >= 4 * settings.generators else {
            throw GANConfigError.invalid("mixture.generators", "K = \(settings.generators) needs a batch of at least 4K = \(4 * settings.generators), got \(config.batchSize)")
        }
        let setup = try config.makeSetup()
        self.config = config
        self.settings = settings
        self.data = setup.data
        root = RandomKey(seed: config.seed).folded(in: 0x313)
        let k = settings.generators
        // Generator 0 is the preset's own; the others are initialised from their own keys.
        var generators = [setup.game.generator as! MLP]
        for i in 1..<max(k, 1) {
            generators.append(try config.generator.build(inputSize: setup.game.latent.dimension, outputSize: setup.data.dimension,
                                                         key: root.folded(in: 1).folded(in: UInt64(i)), player: "generator \(i)"))
        }
        self.generators = generators
        discriminator = setup.game.discriminator as! MLP
        classifier = k > 1 && settings.classifierWeight > 0
            ? try config.discriminator.build(inputSize: setup.data.dimension, outputSize: k, key: root.folded(in: 2), player: "classifier")
            : nil
        game = Game(generator: generators[0], discriminator: discriminator, objective: setup.game.objective,
                    penalties: setup.game.penalties, latent: setup.game.latent)
        weights = [Double](repeating: 1 / Double(k), count: k)
        generatorOptimizers = generators.map { _ in config.generator.optimizer.build() }
        discriminatorOptimizer = config.discriminator.optimizer.build()
        classifierOptimizer = classifier.map { _ in config.discriminator.optimizer.build() }
        lossSums = [Double](repeating: 0, count: k)
    }

    /// The mixture as a generator for metrics and plots: one component drawn per sample from
    /// π, inference mode (do-gan.md §9).
    public func mixedGenerator() throws -> MixedGenerator {
        try MixedGenerator(generators: generators, weights: weights, latent: game.latent)
    }

    /// Largest-remainder split of `total` samples over weights `p` (ties to the lower index).
    public static func allocation(_ total: Int, weights p: [Double]) -> [Int] {
        let exact = p.map { $0 * Double(total) }
        var counts = exact.map { Int($0.rounded(.down)) }
        let order = exact.indices.sorted { (exact[$0] - Double(counts[$0]), $1) > (exact[$1] - Double(counts[$1]), $0) }
        for i in order.prefix(total - counts.reduce(0, +)) { counts[i] += 1 }
        return counts
    }

    /// One training step (see the type's documentation). Throws `TrainingError.diverged` when a
    /// loss or gradient is not finite, before that network's update; the players updated earlier
    /// in the same step (D before C before G_0, …) keep their update.
    @discardableResult
    public func step() throws -> StepLosses {
        let key = root.folded(in: 100).folded(in: UInt64(steps))
        let counts = Self.allocation(config.batchSize, weights: weights)
        // 1. The mixture's fake batch, with its source labels (training mode, as the trainer).
        var parts: [Tensor] = [], labels: [Int] = []
        for (k, g) in generators.enumerated() where counts[k] > 0 {
            parts.append(g(game.sampleLatent(counts[k], key: key.folded(in: 0).folded(in: UInt64(k)))).detached())
            labels += Array(repeating: k, count: counts[k])
        }
        let fake = Tensor.concat(parts, axis: 0)
        let real = data.sample(config.batchSize, key: key.folded(in: 1), dtype: game.dtype)
        // 2. D.
        let dLoss = game.discriminatorLoss(real: real, fake: fake, penaltyKey: key.folded(in: 2)).total
        try update(discriminator, optimizer: &discriminatorOptimizer, loss: dLoss, what: "discriminator")
        for penalty in game.penalties { try penalty.project(discriminator) }
        // 3. C.
        var cLoss: Tensor?
        if let classifier, var optimizer = classifierOptimizer {
            let loss = Loss.crossEntropy(logits: classifier(fake), labels: labels)
            try update(classifier, optimizer: &optimizer, loss: loss, what: "classifier")
            classifierOptimizer = optimizer
            cLoss = loss
        }
        // 4. Every generator on its share of fresh latents.
        var adversarial: [Double] = [], crossEntropy: [Double] = []
        for (k, g) in generators.enumerated() {
            let n = max(counts[k], 2)
            let x = g(game.sampleLatent(n, key: key.folded(in: 3).folded(in: UInt64(k))))
            let adv = game.objective.generatorLoss(fakeLogits: discriminator(x))
            var loss = adv
            if let classifier {
                let ce = Loss.crossEntropy(logits: classifier(x), labels: Array(repeating: k, count: n))
                loss = loss + ce * settings.classifierWeight
                crossEntropy.append(ce.item)
            }
            try update(g, optimizer: &generatorOptimizers[k], loss: loss, what: "generator \(k)")
            adversarial.append(adv.item)
        }
        steps += 1
        rebalance(with: adversarial)
        return StepLosses(discriminator: dLoss.item, classifier: cLoss?.item, generators: adversarial,
                          generatorCrossEntropy: classifier == nil ? nil : crossEntropy)
    }

    private func update(_ network: MLP, optimizer: inout any Optimizer, loss: Tensor, what: String) throws {
        guard loss.item.isFinite else { throw TrainingError.diverged(step: steps, what: "\(what) loss") }
        let grads = network.parameterGradients(of: loss)
        if let bad = Numerics.firstNonFinite(grads) { throw TrainingError.diverged(step: steps, what: "\(what) gradient '\(bad)'") }
        try optimizer.update(network, gradients: grads)
    }

    /// The balance rule (see the type's documentation).
    private func rebalance(with adversarial: [Double]) {
        guard settings.balanceEvery > 0 else { return }
        for (k, l) in adversarial.enumerated() { lossSums[k] += l }
        lossCounts += 1
        guard steps % settings.balanceEvery == 0 else { return }
        let means = lossSums.map { $0 / Double(lossCounts) }
        let top = means.max()!
        let exps = means.map { Foundation.exp(settings.balanceRate * ($0 - top)) }
        let total = exps.reduce(0, +)
        let k = Double(weights.count)
        weights = exps.map { 0.5 / k + 0.5 * $0 / total }
        lossSums = lossSums.map { _ in 0 }
        lossCounts = 0
    }
}
