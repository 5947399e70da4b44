import NN
import Optim
import Tensor

/// Checkpoints of a DO-GAN run: every stored network (sections "g<id>" and "d<id>") plus the
/// run's state as JSON (configs, ids, U, the iteration log, step counts, and whatever the caller
/// adds as `extra`). Each iteration's randomness derives from the seed and the iteration index,
/// and the evaluation set from the seed, so resuming after iteration k and running on gives
/// exactly the run that was never interrupted (tested).
extension GANDoubleOracle {
    /// The JSON half of a DO-GAN checkpoint.
    public struct State: Codable, Sendable {
        public static let formatName = "equilibrium-do-gan"
        public var format = State.formatName
        public var gan: GANConfig
        public var settings: DoubleOracleSettings
        public var generatorIDs: [Int]
        public var discriminatorIDs: [Int]
        public var payoffs: [[Double]]
        public var log: [Record]
        public var generatorSteps: Int
        public var discriminatorSteps: Int
        public var nextID: Int
        /// The caller's own per-run data (the CLI keeps its per-iteration metric rows here).
        public var extra: JSONValue?
    }

    /// The run as it stands, ready for `Checkpoint.write(to:)`; its step is the number of
    /// completed iterations.
    public func checkpoint(extra: JSONValue? = nil) throws -> Checkpoint {
        let state = State(gan: config, settings: settings, generatorIDs: generatorIDs, discriminatorIDs: discriminatorIDs,
                          payoffs: payoffs, log: log, generatorSteps: generatorSteps, discriminatorSteps: discriminatorSteps,
                          nextID: nextID, extra: extra)
        var checkpoint = try Checkpoint(step: log.count, key: root, config: state)
        for (id, g) in zip(generatorIDs, generators) { checkpoint.store(module: g, prefix: "g\(id)") }
        for (id, d) in zip(discriminatorIDs, discriminators) { checkpoint.store(module: d, prefix: "d\(id)") }
        return checkpoint
    }

    /// The state stored in a DO-GAN checkpoint, with a precise error for anything else.
    public static func state(of checkpoint: Checkpoint) throws -> State {
        let state: State
        do {
            state = try checkpoint.config(as: State.self)
        } catch {
            throw MetaGameError.invalidParameter("not a DO-GAN checkpoint (no readable '\(State.formatName)' state): \(error)")
        }
        guard state.format == State.formatName else {
            throw MetaGameError.invalidParameter("not a DO-GAN checkpoint: format '\(state.format)', expected '\(State.formatName)'")
        }
        return state
    }

    /// Continues the run saved in `checkpoint`; `iterations` (if given) replaces the saved cap,
    /// so a finished run can be extended.
    public convenience init(resuming checkpoint: Checkpoint, iterations: Int? = nil) throws {
        let state = try Self.state(of: checkpoint)
        var settings = state.settings
        if let iterations { settings.iterations = iterations }
        try state.gan.validate()
        try settings.validate()
        let (m, n) = (state.generatorIDs.count, state.discriminatorIDs.count)
        guard m >= 1, n >= 1, state.payoffs.count == m, state.payoffs.allSatisfy({ $0.count == n }),
              state.log.count == checkpoint.step, state.nextID > (state.generatorIDs + state.discriminatorIDs).max()! else {
            throw MetaGameError.invalidParameter("DO-GAN checkpoint is inconsistent: \(m) generators, \(n) discriminators, "
                + "payoffs \(state.payoffs.count)×\(state.payoffs.first?.count ?? 0), \(state.log.count) log records at step \(checkpoint.step)")
        }
        let setup = try state.gan.makeSetup()
        try self.init(config: state.gan, settings: settings, data: setup.data, game: setup.game)
        func restored(_ spec: PlayerSpec, inputs: Int, outputs: Int, prefix: String) throws -> MLP {
            let network = try spec.build(inputSize: inputs, outputSize: outputs, key: RandomKey(seed: 0), player: prefix)
            try checkpoint.restore(module: network, prefix: prefix)
            return network
        }
        generators = try state.generatorIDs.map { try restored(state.gan.generator, inputs: latent.dimension, outputs: data.dimension, prefix: "g\($0)") }
        discriminators = try state.discriminatorIDs.map { try restored(state.gan.discriminator, inputs: data.dimension, outputs: 1, prefix: "d\($0)") }
        generatorIDs = state.generatorIDs
        discriminatorIDs = state.discriminatorIDs
        payoffs = state.payoffs
        log = state.log
        generatorSteps = state.generatorSteps
        discriminatorSteps = state.discriminatorSteps
        nextID = state.nextID
    }
}
