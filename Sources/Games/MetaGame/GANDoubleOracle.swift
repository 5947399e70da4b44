import Datasets
import Foundation
import NN
import Optim
import Tensor

/// DO-GAN (Aung, Wang et al.; spec do-gan.md): GAN training as the search for a mixed Nash
/// equilibrium over populations of generators and discriminators.
///
/// Each iteration solves the meta-game U_ij = V(g_i, d_j) (V = E log D(x) + E log(1 − D(G(z))),
/// rows minimise), trains a new generator and a new discriminator with the configured oracle
/// (`OracleMode`; by default best responses to the solved mixtures), adds both, evaluates only
/// the new row and column, and prunes above the cap. Payoffs use one fixed evaluation set;
/// stored strategies live in memory. Everything random derives from the seed and the
/// iteration index, so a run resumed from `checkpoint()` continues exactly.
public final class GANDoubleOracle {
    public let config: GANConfig
    public let settings: DoubleOracleSettings
    public let data: any Distribution
    public let latent: LatentDistribution
    public let objective: Objective
    public let penalties: [Penalty]
    public internal(set) var generators: [MLP] = []
    public internal(set) var discriminators: [MLP] = []
    /// Creation index of each stored strategy (stable names across pruning).
    public internal(set) var generatorIDs: [Int] = []
    public internal(set) var discriminatorIDs: [Int] = []
    /// U, [generators][discriminators].
    public internal(set) var payoffs: [[Double]] = []
    public internal(set) var log: [Record] = []
    /// Generator gradient steps taken so far (warm start plus oracles).
    public internal(set) var generatorSteps = 0
    public internal(set) var discriminatorSteps = 0
    var nextID = 0
    private let solver: any MetaSolver
    let root: RandomKey
    private let evaluationReal: [Tensor]
    private let evaluationLatent: [Tensor]

    /// One iteration's record (spec §5).
    public struct Record: Codable, Sendable, Equatable {
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

    /// A run with the preset's warm start done and its two networks stored as strategy 0.
    public convenience init(config: GANConfig, settings: DoubleOracleSettings) throws {
        try config.validate()
        try settings.validate()
        let setup = try config.makeSetup()
        try self.init(config: config, settings: settings, data: setup.data, game: setup.game)
        // Warm start: ordinary GAN training with the preset's schedule.
        for _ in 0..<settings.warmStartSteps { try setup.trainer.step(from: setup.data) }
        generatorSteps = settings.warmStartSteps
        discriminatorSteps = settings.warmStartSteps * setup.trainer.schedule.realBatchesPerStep
        // GANConfig.makeSetup builds both players as MLPs (PlayerSpec.build).
        try add(generator: setup.game.generator as! MLP, discriminator: setup.game.discriminator as! MLP)
    }

    /// An empty population with the run's data, game and fixed evaluation set.
    init(config: GANConfig, settings: DoubleOracleSettings, data: any Distribution, game: Game) throws {
        self.config = config
        self.settings = settings
        self.data = data
        self.latent = game.latent
        self.objective = game.objective
        self.penalties = game.penalties
        self.solver = try settings.metaSolver()
        self.root = RandomKey(seed: config.seed).folded(in: 0xD0)
        let evaluationKey = root.folded(in: 1)
        evaluationReal = (0..<settings.evaluationBatches).map { data.sample(config.batchSize, key: evaluationKey.folded(in: UInt64(2 * $0)), dtype: .float32) }
        evaluationLatent = (0..<settings.evaluationBatches).map { game.latent.sample(config.batchSize, key: evaluationKey.folded(in: UInt64(2 * $0 + 1))) }
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

    func add(generator g: MLP, discriminator d: MLP) throws {
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

    /// Runs until `settings.iterations` iterations are logged in all (fewer when the gains stay
    /// below ε for `patience` iterations; a resumed run counts its earlier iterations, and
    /// its earlier quiet streak); `progress` sees every new record. Returns whether it converged.
    @discardableResult
    public func run(progress: ((Record) throws -> Void)? = nil) throws -> Bool {
        var quiet = log.reversed().prefix { Swift.max($0.generatorGain, $0.discriminatorGain) <= settings.epsilon }.count
        if quiet >= settings.patience { return true }
        for _ in log.count..<Swift.max(log.count, settings.iterations) {
            let record = try iterate()
            try progress?(record)
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
        // The population the solution's weights refer to (before this iteration's additions and pruning).
        let (solvedGeneratorIDs, solvedDiscriminatorIDs) = (generatorIDs, discriminatorIDs)
        let newGenerator: MLP, newDiscriminator: MLP
        switch settings.oracle {
        case .bestResponse, .sampleOpponent:
            newGenerator = try generatorOracle(against: solution.columnMixture, key: key.folded(in: 0), iteration: iteration)
            newDiscriminator = try discriminatorOracle(against: solution.rowMixture, key: key.folded(in: 1), iteration: iteration)
        case .authorsJoint:
            (newGenerator, newDiscriminator) = try jointOracles(key: key.folded(in: 2), iteration: iteration)
        }
        try checkFinite(newGenerator, what: "generator oracle")
        try checkFinite(newDiscriminator, what: "discriminator oracle")
        // Gains of the new strategies against the current mixtures (spec §5).
        let generatorRow = discriminators.map { payoff(generator: newGenerator, discriminator: $0) }
        let discriminatorColumn = generators.map { payoff(generator: $0, discriminator: newDiscriminator) }
        let generatorGain = solution.value - zip(solution.columnMixture, generatorRow).reduce(0) { $0 + $1.0 * $1.1 }
        let discriminatorGain = zip(solution.rowMixture, discriminatorColumn).reduce(0) { $0 + $1.0 * $1.1 } - solution.value
        try add(generator: newGenerator, discriminator: newDiscriminator)
        let removals = try pruneIfNeeded()
        let record = Record(iteration: iteration, value: solution.value, generatorGain: generatorGain, discriminatorGain: discriminatorGain,
                            exploitability: solution.exploitability, generatorWeights: solution.rowMixture,
                            discriminatorWeights: solution.columnMixture, generatorIDs: solvedGeneratorIDs,
                            discriminatorIDs: solvedDiscriminatorIDs, removals: removals,
                            seconds: secondsSince(started, clock: clock))
        log.append(record)
        return record
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
            let ids = r.player == .generator ? generatorIDs : discriminatorIDs
            let reason = r.dominator.map { "weakly dominated by \(r.player.rawValue) #\(ids[$0])" } ?? r.reason
            return "\(r.player.rawValue) #\(ids[r.index]): \(reason)"
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

