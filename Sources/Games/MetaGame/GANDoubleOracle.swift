import Datasets
import Foundation
import NN
import Optim
import Tensor

/// The settings of a DO-GAN run (spec do-gan.md §3, §5, §6), as plain data.
public struct DoubleOracleSettings: Codable, Sendable, Equatable {
    /// Double-oracle iterations at most (each adds one generator and one discriminator).
    public var iterations: Int = 20
    /// Gradient steps of each best-response oracle.
    public var oracleSteps: Int = 500
    /// Ordinary GAN training (the preset's schedule) before the first meta-game.
    public var warmStartSteps: Int = 500
    /// "lp" (exact, default), "fictitious-play[:rounds]", "replicator", "uniform", "last-one", "linear".
    public var solver: String = "lp"
    /// Stop when max(gain_g, gain_d) ≤ ε for `patience` consecutive iterations.
    public var epsilon: Double = 5e-5
    public var patience: Int = 4
    /// Prune (iterated weak dominance, then the authors' rule) above this many strategies per player.
    public var cap: Int = 10
    /// Evaluation minibatches (of the preset's batch size) behind every payoff entry: one fixed
    /// set of real samples and latents, the same for every entry (common random numbers).
    public var evaluationBatches: Int = 3
    /// Continual learning (spec §7, method assumed: EWC): λ_EWC of the penalty
    /// (λ/2)·Σ_k F_k (θ_k − θ*_k)² on each best response, θ* its starting point (0: off).
    public var ewcLambda: Double = 0
    /// Minibatches behind the diagonal Fisher estimate.
    public var fisherBatches: Int = 20

    public init() {}

    public func validate() throws(MetaGameError) {
        guard iterations >= 0 else { throw .invalidParameter("iterations must be ≥ 0, got \(iterations)") }
        guard oracleSteps >= 1 else { throw .invalidParameter("oracle_steps must be ≥ 1, got \(oracleSteps)") }
        guard warmStartSteps >= 0 else { throw .invalidParameter("warm_start_steps must be ≥ 0, got \(warmStartSteps)") }
        guard epsilon >= 0, epsilon.isFinite else { throw .invalidParameter("epsilon must be ≥ 0, got \(epsilon)") }
        guard patience >= 1 else { throw .invalidParameter("patience must be ≥ 1, got \(patience)") }
        guard cap >= 1 else { throw .invalidParameter("cap must be ≥ 1, got \(cap)") }
        guard evaluationBatches >= 1 else { throw .invalidParameter("evaluation_batches must be ≥ 1, got \(evaluationBatches)") }
        guard ewcLambda >= 0, ewcLambda.isFinite else { throw .invalidParameter("ewc_lambda must be ≥ 0, got \(ewcLambda)") }
        guard fisherBatches >= 1 else { throw .invalidParameter("fisher_batches must be ≥ 1, got \(fisherBatches)") }
        _ = try metaSolver()
    }

    public func metaSolver() throws(MetaGameError) -> any MetaSolver {
        let parts = solver.lowercased().split(separator: ":").map(String.init)
        switch parts.first ?? "" {
        case "lp": return LinearProgramSolver()
        case "fictitious-play", "fp":
            let rounds = parts.count > 1 ? Int(parts[1]) : 10_000
            guard let rounds, rounds >= 1 else { throw .invalidParameter("solver '\(solver)': rounds must be a positive integer") }
            return FictitiousPlay(rounds: rounds)
        case "replicator": return ProjectedReplicator()
        case "uniform": return FixedWeighting(.uniform)
        case "last-one": return FixedWeighting(.lastOne)
        case "linear": return FixedWeighting(.linear)
        default:
            throw .invalidParameter("unknown solver '\(solver)'; use lp, fictitious-play[:rounds], replicator, uniform, last-one or linear")
        }
    }
}

/// DO-GAN (Aung, Wang et al.; spec do-gan.md): GAN training as the search for a mixed Nash
/// equilibrium over populations of generators and discriminators.
///
/// Each iteration solves the meta-game U_ij = V(g_i, d_j) (V = E log D(x) + E log(1 − D(G(z))),
/// rows minimise), trains a best-response generator against the σ_d-mixture of discriminators
/// (the σ-weighted sum of its losses, the objective's generator loss) and a best-response
/// discriminator against the σ_g-mixture of generators (fake batches from `MixedGenerator`,
/// the objective's discriminator loss plus the config's penalties), each initialised from its
/// player's newest network, adds both, evaluates only the new row and column, and prunes above
/// the cap. Payoffs use one fixed evaluation set; stored strategies live in memory.
public final class GANDoubleOracle {
    public let config: GANConfig
    public let settings: DoubleOracleSettings
    public let data: any Distribution
    public let latent: LatentDistribution
    public let objective: Objective
    public let penalties: [Penalty]
    public private(set) var generators: [MLP] = []
    public private(set) var discriminators: [MLP] = []
    /// Creation index of each stored strategy (stable names across pruning).
    public private(set) var generatorIDs: [Int] = []
    public private(set) var discriminatorIDs: [Int] = []
    /// U, [generators][discriminators].
    public private(set) var payoffs: [[Double]] = []
    public private(set) var log: [Record] = []
    /// Generator gradient steps taken so far (warm start plus oracles).
    public private(set) var generatorSteps = 0
    public private(set) var discriminatorSteps = 0
    private let solver: any MetaSolver
    private let root: RandomKey
    private let evaluationReal: [Tensor]
    private let evaluationLatent: [Tensor]
    private var nextID = 0

    /// One iteration's record (spec §5).
    public struct Record: Sendable {
        public var iteration: Int
        public var value: Double
        public var generatorGain: Double
        public var discriminatorGain: Double
        /// The solved restricted game's certified gap (≈ 0 for the LP; larger for approximate solvers).
        public var exploitability: Double
        public var generatorWeights: [Double]
        public var discriminatorWeights: [Double]
        public var generatorIDs: [Int]
        public var discriminatorIDs: [Int]
        public var removals: [String]
        public var seconds: Double
    }

    public init(config: GANConfig, settings: DoubleOracleSettings) throws {
        try config.validate()
        try settings.validate()
        let setup = try config.makeSetup()
        self.config = config
        self.settings = settings
        self.data = setup.data
        self.latent = setup.game.latent
        self.objective = setup.game.objective
        self.penalties = setup.game.penalties
        self.solver = try settings.metaSolver()
        self.root = RandomKey(seed: config.seed).folded(in: 0xD0)
        let evaluationKey = root.folded(in: 1)
        evaluationReal = (0..<settings.evaluationBatches).map { setup.data.sample(config.batchSize, key: evaluationKey.folded(in: UInt64(2 * $0)), dtype: .float32) }
        evaluationLatent = (0..<settings.evaluationBatches).map { setup.game.latent.sample(config.batchSize, key: evaluationKey.folded(in: UInt64(2 * $0 + 1))) }
        // Warm start: ordinary GAN training with the preset's schedule.
        for _ in 0..<settings.warmStartSteps { try setup.trainer.step(from: setup.data) }
        generatorSteps = settings.warmStartSteps
        discriminatorSteps = settings.warmStartSteps * setup.trainer.schedule.realBatchesPerStep
        // GANConfig.makeSetup builds both players as MLPs (PlayerSpec.build).
        try add(generator: setup.game.generator as! MLP, discriminator: setup.game.discriminator as! MLP)
    }

    // MARK: Payoffs

    /// V(g, d) on the fixed evaluation set: mean over batches of E log D(x) + E log(1 − D(g(z))),
    /// in the log-sigmoid forms −softplus(−f) and −softplus(f). Inference mode.
    public func payoff(generator g: MLP, discriminator d: MLP) -> Double {
        let (gMode, dMode) = (g.isTraining, d.isTraining)
        g.isTraining = false
        d.isTraining = false
        defer { g.isTraining = gMode; d.isTraining = dMode }
        var total = 0.0
        for (real, z) in zip(evaluationReal, evaluationLatent) {
            let fr = d(real), ff = d(g(z).detached())
            total += -((-fr).softplus().mean().item) - ff.softplus().mean().item
        }
        return total / Double(evaluationReal.count)
    }

    private func add(generator g: MLP, discriminator d: MLP) throws {
        generators.append(g)
        generatorIDs.append(nextID)
        discriminators.append(d)
        discriminatorIDs.append(nextID)
        nextID += 1
        // Only the new row and the new column are evaluated.
        for i in payoffs.indices { payoffs[i].append(payoff(generator: generators[i], discriminator: d)) }
        payoffs.append(discriminators.map { payoff(generator: g, discriminator: $0) })
    }

    public var game: MatrixGame { try! MatrixGame(payoffs) }

    // MARK: The loop

    /// The current meta-game's solution.
    public func solve() throws -> MetaSolution { try solver.solve(game) }

    /// The mixed generator of `solution` (default: the current meta-game solved now).
    public func mixedGenerator(_ solution: MetaSolution? = nil) throws -> MixedGenerator {
        let s = try solution ?? solve()
        return try MixedGenerator(generators: generators, weights: s.rowMixture, latent: latent)
    }

    /// Runs up to `settings.iterations` iterations (fewer when the gains stay below ε for
    /// `patience` iterations); `progress` sees every record. Returns whether it converged.
    @discardableResult
    public func run(progress: ((Record) -> Void)? = nil) throws -> Bool {
        var quiet = 0
        for _ in 0..<settings.iterations {
            let record = try iterate()
            progress?(record)
            if Swift.max(record.generatorGain, record.discriminatorGain) <= settings.epsilon {
                quiet += 1
                if quiet >= settings.patience { return true }
            } else {
                quiet = 0
            }
        }
        return false
    }

    /// One double-oracle iteration.
    public func iterate() throws -> Record {
        let clock = ContinuousClock()
        let started = clock.now
        let iteration = log.count
        let key = root.folded(in: 100 + UInt64(iteration))
        let solution = try solve()
        let newGenerator = try generatorOracle(against: solution.columnMixture, key: key.folded(in: 0))
        let newDiscriminator = try discriminatorOracle(against: solution.rowMixture, key: key.folded(in: 1))
        // Gains of the new strategies against the current mixtures (spec §5).
        let generatorRow = discriminators.map { payoff(generator: newGenerator, discriminator: $0) }
        let discriminatorColumn = generators.map { payoff(generator: $0, discriminator: newDiscriminator) }
        let generatorGain = solution.value - zip(solution.columnMixture, generatorRow).reduce(0) { $0 + $1.0 * $1.1 }
        let discriminatorGain = zip(solution.rowMixture, discriminatorColumn).reduce(0) { $0 + $1.0 * $1.1 } - solution.value
        try add(generator: newGenerator, discriminator: newDiscriminator)
        let removals = try pruneIfNeeded()
        let record = Record(iteration: iteration, value: solution.value, generatorGain: generatorGain, discriminatorGain: discriminatorGain,
                            exploitability: solution.exploitability, generatorWeights: solution.rowMixture,
                            discriminatorWeights: solution.columnMixture, generatorIDs: Array(generatorIDs.dropLast()),
                            discriminatorIDs: Array(discriminatorIDs.dropLast()), removals: removals,
                            seconds: secondsSince(started, clock: clock))
        log.append(record)
        return record
    }

    /// A copy of `network` (same architecture, same parameters and state).
    private func copy(_ network: MLP, spec: PlayerSpec, inputSize: Int, outputSize: Int) throws -> MLP {
        let fresh = try spec.build(inputSize: inputSize, outputSize: outputSize, key: RandomKey(seed: 0), player: "copy")
        try fresh.load(network.snapshot())
        return fresh
    }

    /// A new generator, initialised from the newest one, trained for `oracleSteps` on
    /// Σ_j σ_d(j)·L_G(g, d_j) (opponents with σ_d > 0).
    private func generatorOracle(against sigmaD: [Double], key: RandomKey) throws -> MLP {
        let g = try copy(generators.last!, spec: config.generator, inputSize: latent.dimension, outputSize: data.dimension)
        var optimizer = config.generator.optimizer.build()
        let opponents = sigmaD.indices.filter { sigmaD[$0] > 0 }
        func loss(_ step: UInt64, _ streamKey: RandomKey) -> Tensor {
            let fake = g(latent.sample(config.batchSize, key: streamKey.folded(in: step)))
            var total = Tensor(scalar: 0)
            for j in opponents { total = total + objective.generatorLoss(fakeLogits: discriminators[j](fake)) * sigmaD[j] }
            return total
        }
        let anchor = try elasticAnchor(g) { loss($0, key.folded(in: 0xF15)) }
        try train(g, optimizer: &optimizer, anchor: anchor) { step in loss(UInt64(step), key) }
        generatorSteps += settings.oracleSteps
        try checkFinite(g, what: "generator oracle")
        return g
    }

    /// θ* and the diagonal Fisher F at θ* of `network` for the EWC penalty (nil when λ = 0):
    /// the mean over `fisherBatches` minibatches of the squared minibatch gradient of `loss`,
    /// an empirical-Fisher surrogate (spec §7: for the discriminator the loss is the Bernoulli
    /// log-likelihood of the correct labels, for the generator its loss against the mixture).
    func elasticAnchor(_ network: MLP, loss: (UInt64) -> Tensor) throws -> (center: [String: Tensor], fisher: [String: Tensor])? {
        guard settings.ewcLambda > 0 else { return nil }
        let names = network.parameterNames
        let center = network.parameters.mapValues { $0.detached() }
        var fisher = center.mapValues { $0.zerosLike() }
        for b in 0..<settings.fisherBatches {
            let leaves = network.parameters
            let grads = gradients(of: loss(UInt64(b)), wrt: names.map { leaves[$0]! })
            for (name, grad) in zip(names, grads) { fisher[name] = fisher[name]! + grad.squared() * (1 / Double(settings.fisherBatches)) }
        }
        return (center, fisher)
    }

    /// `oracleSteps` optimiser steps on `loss(step)`, plus (λ/2)·Σ F (θ − θ*)² when anchored.
    func train(_ network: MLP, optimizer: inout any Optimizer, anchor: (center: [String: Tensor], fisher: [String: Tensor])?,
                       afterStep: (() throws -> Void)? = nil, loss: (Int) -> Tensor) throws {
        let names = network.parameterNames
        for step in 0..<settings.oracleSteps {
            let leaves = network.parameters
            var total = loss(step)
            if let anchor {
                for name in names {
                    total = total + ((leaves[name]! - anchor.center[name]!).squared() * anchor.fisher[name]!).sum() * (settings.ewcLambda / 2)
                }
            }
            let grads = gradients(of: total, wrt: names.map { leaves[$0]! })
            try optimizer.update(network, gradients: Dictionary(uniqueKeysWithValues: zip(names, grads)))
            try afterStep?()
        }
    }

    /// A new discriminator, initialised from the newest one, trained for `oracleSteps` against
    /// fake batches from the σ_g-mixture (objective loss plus penalties).
    private func discriminatorOracle(against sigmaG: [Double], key: RandomKey) throws -> MLP {
        let d = try copy(discriminators.last!, spec: config.discriminator, inputSize: data.dimension, outputSize: 1)
        var optimizer = config.discriminator.optimizer.build()
        let mixture = try MixedGenerator(generators: generators, weights: sigmaG, latent: latent)
        func batches(_ stepKey: RandomKey) -> (real: Tensor, fake: Tensor) {
            (data.sample(config.batchSize, key: stepKey.folded(in: 0), dtype: .float32), mixture.sample(config.batchSize, key: stepKey.folded(in: 1)).samples)
        }
        // Fisher: the Bernoulli log-likelihood of the correct labels (real 1, mixture samples 0).
        let anchor = try elasticAnchor(d) { b in
            let (real, fake) = batches(key.folded(in: 0xF15).folded(in: b))
            return (-d(real)).softplus().mean() + d(fake).softplus().mean()
        }
        try train(d, optimizer: &optimizer, anchor: anchor, afterStep: { for penalty in self.penalties { try penalty.project(d) } }) { step in
            let stepKey = key.folded(in: UInt64(step))
            let (real, fake) = batches(stepKey)
            var loss = objective.discriminatorLoss(realLogits: d(real), fakeLogits: d(fake))
            for (i, penalty) in penalties.enumerated() {
                if let term = penalty.value(discriminator: d, real: real, fake: fake, key: stepKey.folded(in: 2 + UInt64(i))) { loss = loss + term }
            }
            return loss
        }
        discriminatorSteps += settings.oracleSteps
        try checkFinite(d, what: "discriminator oracle")
        return d
    }

    private func checkFinite(_ network: MLP, what: String) throws {
        if let name = Numerics.firstNonFinite(network.parameters) {
            throw MetaGameError.solverFailed("\(what) diverged: parameter '\(name)' is not finite (lower the learning rate or add a penalty)")
        }
    }

    /// §6.3 above the cap: iterated weak dominance, then the authors' rule with its guard.
    private func pruneIfNeeded() throws -> [String] {
        guard generators.count > settings.cap || discriminators.count > settings.cap else { return [] }
        let (rows, columns, removals) = try Pruning.toCap(game, cap: settings.cap, solver: solver)
        let described = removals.map { r in
            "\(r.player.rawValue) #\(r.player == .generator ? generatorIDs[r.index] : discriminatorIDs[r.index]): \(r.reason)"
        }
        keep(rows: rows, columns: columns)
        return described
    }

    private func keep(rows: [Int], columns: [Int]) {
        generators = rows.map { generators[$0] }
        generatorIDs = rows.map { generatorIDs[$0] }
        discriminators = columns.map { discriminators[$0] }
        discriminatorIDs = columns.map { discriminatorIDs[$0] }
        payoffs = rows.map { i in columns.map { payoffs[i][$0] } }
    }
}

