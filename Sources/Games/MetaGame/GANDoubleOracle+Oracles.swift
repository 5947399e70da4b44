import NN
import Optim
import Tensor

/// The oracles of a double-oracle iteration (spec do-gan.md §3, §7, §8.1): how a new generator
/// and a new discriminator are trained against the stored populations.
extension GANDoubleOracle {
    /// EWC's anchor: θ* and the diagonal Fisher at θ*.
    typealias ElasticAnchor = (center: [String: Tensor], fisher: [String: Tensor])

    enum Player: UInt64 { case generator = 0, discriminator = 1 }

    /// The network a new best response starts from: a copy of the player's newest network, or
    /// a fresh one seeded by the iteration (`settings.initialization`).
    func startingPoint(_ player: Player, iteration: Int) throws -> MLP {
        let (spec, newest) = player == .generator ? (config.generator, generators.last!) : (config.discriminator, discriminators.last!)
        let (inputs, outputs) = player == .generator ? (latent.dimension, data.dimension) : (data.dimension, 1)
        switch settings.initialization {
        case .newest:
            let copy = try spec.build(inputSize: inputs, outputSize: outputs, key: RandomKey(seed: 0), player: "copy")
            try copy.load(newest.snapshot())
            return copy
        case .scratch:
            let key = root.folded(in: 0x5C).folded(in: UInt64(iteration)).folded(in: player.rawValue)
            return try spec.build(inputSize: inputs, outputSize: outputs, key: key, player: player == .generator ? "generator" : "discriminator")
        }
    }

    /// The game `d` plays: the run's objective and penalties (penalties see `fake` as a constant).
    func game(generator g: MLP, discriminator d: MLP) -> Game {
        Game(generator: g, discriminator: d, objective: objective, penalties: penalties, latent: latent)
    }

    /// `n` samples of a stored generator in inference mode (spec §9), or of the σ-mixture.
    func fakeBatch(from generators: [MLP], weights: [Double], key: RandomKey) throws -> Tensor {
        try MixedGenerator(generators: generators, weights: weights, latent: latent).sample(config.batchSize, key: key).samples
    }

    // MARK: Best responses (spec §3)

    /// A new generator trained for `oracleSteps` on Σ_j σ_d(j)·L_G(g, d_j) over the opponents
    /// with σ_d > 0, or (`.sampleOpponent`) on L_G(g, d_j) with one j ∼ σ_d per step.
    func generatorOracle(against sigmaD: [Double], key: RandomKey, iteration: Int) throws -> MLP {
        let g = try startingPoint(.generator, iteration: iteration)
        var optimizer = config.generator.optimizer.build()
        let opponents = sigmaD.indices.filter { sigmaD[$0] > 0 }
        let sampleOne = settings.oracle == .sampleOpponent
        func loss(_ step: UInt64, _ streamKey: RandomKey) -> Tensor {
            let stepKey = streamKey.folded(in: step)
            let fake = g(latent.sample(config.batchSize, key: stepKey))
            if sampleOne {
                let j = Random.categorical(sigmaD, count: 1, key: stepKey.folded(in: 0x0990))[0]
                return objective.generatorLoss(fakeLogits: discriminators[j](fake))
            }
            var total = Tensor(scalar: 0)
            for j in opponents { total = total + objective.generatorLoss(fakeLogits: discriminators[j](fake)) * sigmaD[j] }
            return total
        }
        let anchor = try elasticAnchor(g) { loss($0, fisherKey(key)) }
        for step in 0..<settings.oracleSteps {
            try self.step(g, optimizer: &optimizer, anchor: anchor, loss: loss(UInt64(step), key))
        }
        generatorSteps += settings.oracleSteps
        return g
    }

    /// A new discriminator trained for `oracleSteps` against fake batches drawn per sample from
    /// the σ_g-mixture (objective loss plus penalties; projections such as weight clipping after
    /// every step).
    func discriminatorOracle(against sigmaG: [Double], key: RandomKey, iteration: Int) throws -> MLP {
        let d = try startingPoint(.discriminator, iteration: iteration)
        var optimizer = config.discriminator.optimizer.build()
        let game = game(generator: generators[0], discriminator: d)
        func batches(_ stepKey: RandomKey) throws -> (real: Tensor, fake: Tensor) {
            (data.sample(config.batchSize, key: stepKey.folded(in: 0), dtype: .float32),
             try fakeBatch(from: generators, weights: sigmaG, key: stepKey.folded(in: 1)))
        }
        // Fisher: the Bernoulli log-likelihood of the correct labels (real 1, mixture samples 0).
        let anchor = try elasticAnchor(d) { b in
            let (real, fake) = try batches(fisherKey(key).folded(in: b))
            return (-d(real)).softplus().mean() + d(fake).softplus().mean()
        }
        for step in 0..<settings.oracleSteps {
            let stepKey = key.folded(in: UInt64(step))
            let (real, fake) = try batches(stepKey)
            try self.step(d, optimizer: &optimizer, anchor: anchor, project: true,
                          loss: game.discriminatorLoss(real: real, fake: fake, penaltyKey: stepKey.folded(in: 2)).total)
        }
        discriminatorSteps += settings.oracleSteps
        return d
    }

    // MARK: The authors' joint schedule (spec §8.1)

    /// A new generator and a new discriminator trained together: per minibatch, the generator
    /// steps once against every stored discriminator and once against the new one, then the
    /// discriminator once against every stored generator and once against the new one.
    func jointOracles(key: RandomKey, iteration: Int) throws -> (MLP, MLP) {
        let g = try startingPoint(.generator, iteration: iteration)
        let d = try startingPoint(.discriminator, iteration: iteration)
        var gOptimizer = config.generator.optimizer.build()
        var dOptimizer = config.discriminator.optimizer.build()
        let opponentsOfG = discriminators + [d]
        let storedGenerators = generators
        for step in 0..<settings.oracleSteps {
            let stepKey = key.folded(in: UInt64(step))
            for (j, opponent) in opponentsOfG.enumerated() {
                let z = latent.sample(config.batchSize, key: stepKey.folded(in: 0).folded(in: UInt64(j)))
                try self.step(g, optimizer: &gOptimizer, anchor: nil, loss: objective.generatorLoss(fakeLogits: opponent(g(z))))
            }
            let game = game(generator: g, discriminator: d)
            for i in 0...storedGenerators.count {
                let opponentKey = stepKey.folded(in: 1).folded(in: UInt64(i))
                let real = data.sample(config.batchSize, key: opponentKey.folded(in: 0), dtype: .float32)
                let fake = i < storedGenerators.count
                    ? try fakeBatch(from: [storedGenerators[i]], weights: [1], key: opponentKey.folded(in: 1))
                    : g(latent.sample(config.batchSize, key: opponentKey.folded(in: 1))).detached()
                try self.step(d, optimizer: &dOptimizer, anchor: nil, project: true,
                              loss: game.discriminatorLoss(real: real, fake: fake, penaltyKey: opponentKey.folded(in: 2)).total)
            }
        }
        generatorSteps += settings.oracleSteps * opponentsOfG.count
        discriminatorSteps += settings.oracleSteps * (storedGenerators.count + 1)
        return (g, d)
    }

    // MARK: Steps and continual learning (spec §7)

    /// The Fisher estimate's stream: a fold no training step uses (steps fold in 0..<oracleSteps).
    func fisherKey(_ oracleKey: RandomKey) -> RandomKey { oracleKey.folded(in: UInt64.max) }

    /// θ* and the diagonal Fisher F at θ* of `network` for the EWC penalty (nil when λ = 0):
    /// the mean over `fisherBatches` minibatches of the squared minibatch gradient of `loss`,
    /// an empirical-Fisher surrogate (spec §7: for the discriminator the loss is the Bernoulli
    /// log-likelihood of the correct labels, for the generator its loss against the mixture).
    func elasticAnchor(_ network: MLP, loss: (UInt64) throws -> Tensor) throws -> ElasticAnchor? {
        guard settings.ewcLambda > 0 else { return nil }
        let center = network.parameters.mapValues { $0.detached() }
        var fisher = center.mapValues { $0.zerosLike() }
        for b in 0..<settings.fisherBatches {
            for (name, grad) in network.parameterGradients(of: try loss(UInt64(b))) {
                fisher[name] = fisher[name]! + grad.squared() * (1 / Double(settings.fisherBatches))
            }
        }
        return (center, fisher)
    }

    /// One optimiser step of `network` on `loss` (built on its current parameters), plus
    /// (λ/2)·Σ F (θ − θ*)² when anchored; `project`: apply the penalties' projections (weight
    /// clipping) afterwards, as for every discriminator step.
    func step(_ network: MLP, optimizer: inout any Optimizer, anchor: ElasticAnchor?, project: Bool = false, loss: Tensor) throws {
        var total = loss
        if let anchor {
            let leaves = network.parameters
            for name in network.parameterNames {
                total = total + ((leaves[name]! - anchor.center[name]!).squared() * anchor.fisher[name]!).sum() * (settings.ewcLambda / 2)
            }
        }
        try optimizer.update(network, gradients: network.parameterGradients(of: total))
        if project {
            for penalty in penalties { try penalty.project(network) }
        }
    }
}
