import NN
import Tensor

/// A GAN as a two-player game: who plays (generator, discriminator), what each minimises
/// (objective plus the discriminator's penalties), and where the generator's input comes from.
///
/// The losses here are pure functions of the players and the batches: nothing steps an
/// optimiser. The generator maps z [B, latentDim] to samples [B, …]; the discriminator maps
/// samples to logits [B, 1].
public struct Game {
    public let generator: any Layer
    public let discriminator: any Layer
    public var objective: Objective
    /// Added to the discriminator's loss (weight clipping: applied by the trainer after each
    /// discriminator update).
    public var penalties: [Penalty]
    public var latent: LatentDistribution
    /// Element type of latent batches (and of the players' parameters).
    public var dtype: DType

    public init(generator: any Layer, discriminator: any Layer, objective: Objective, penalties: [Penalty] = [],
                latent: LatentDistribution, dtype: DType = .float32) {
        self.generator = generator
        self.discriminator = discriminator
        self.objective = objective
        self.penalties = penalties
        self.latent = latent
        self.dtype = dtype
    }

    /// A latent batch [n, latentDim].
    public func sampleLatent(_ n: Int, key: RandomKey) -> Tensor {
        latent.sample(n, key: key, dtype: dtype)
    }

    /// The discriminator's full loss at the current parameters: objective on D(real) and
    /// D(fake) plus every penalty term. `fake` may carry the generator's graph (the objective
    /// part then reaches the generator too); penalties always treat it as a constant.
    /// Penalty i draws its randomness from `penaltyKey.folded(in: i)`.
    public func discriminatorLoss(real: Tensor, fake: Tensor, penaltyKey: RandomKey) -> DiscriminatorLoss {
        let realLogits = discriminator(real)
        let fakeLogits = discriminator(fake)
        return discriminatorLoss(realLogits: realLogits, fakeLogits: fakeLogits, real: real, fake: fake, penaltyKey: penaltyKey)
    }

    /// The same, reusing logits already computed (so one D forward serves both players).
    public func discriminatorLoss(realLogits: Tensor, fakeLogits: Tensor, real: Tensor, fake: Tensor,
                                  penaltyKey: RandomKey) -> DiscriminatorLoss {
        let objectiveLoss = objective.discriminatorLoss(realLogits: realLogits, fakeLogits: fakeLogits)
        var total = objectiveLoss
        var terms: [Tensor] = []
        let constantFake = fake.detached()
        for (i, penalty) in penalties.enumerated() {
            guard let term = penalty.value(discriminator: discriminator, real: real, fake: constantFake,
                                           key: penaltyKey.folded(in: UInt64(i))) else { continue }
            terms.append(term)
            total = total + term
        }
        return DiscriminatorLoss(total: total, objective: objectiveLoss, penalties: terms)
    }

    /// The generator's loss on a latent batch, through the current discriminator.
    public func generatorLoss(latent z: Tensor) -> Tensor {
        objective.generatorLoss(fakeLogits: discriminator(generator(z)))
    }

    /// Names of the penalties that are loss terms, in the order of `DiscriminatorLoss.penalties`.
    public var penaltyTermNames: [String] { penalties.filter(\.isLossTerm).map(\.name) }
}

/// The parts of the discriminator's loss.
public struct DiscriminatorLoss {
    /// objective + Σ penalties: what the discriminator minimises.
    public var total: Tensor
    /// The objective's part alone.
    public var objective: Tensor
    /// One scalar per loss-term penalty, in the game's order (weight clipping omitted).
    public var penalties: [Tensor]
}
