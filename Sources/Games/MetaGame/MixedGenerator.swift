import NN
import Tensor

/// A mixed strategy of generators (spec do-gan.md §9): each sample comes from generator i with
/// probability σ_g(i), with its own fresh latent. Batched exactly in distribution: draw the
/// component of every sample (i.e. counts n ∼ Multinomial(B, σ_g)), run each generator with
/// n_i > 0 once on n_i fresh latents, concatenate, and apply a uniformly random permutation,
/// so a batch is never blocked by component. One generator per batch is never used: it biases
/// coverage and minibatch statistics.
public struct MixedGenerator {
    public let generators: [any Layer]
    /// σ_g, non-negative, summing to 1.
    public let weights: [Double]
    public let latent: LatentDistribution
    public let dtype: DType

    public init(generators: [any Layer], weights: [Double], latent: LatentDistribution, dtype: DType = .float32) throws(MetaGameError) {
        guard !generators.isEmpty, generators.count == weights.count else {
            throw .invalidParameter("mixed generator: \(generators.count) generators for \(weights.count) weights")
        }
        guard weights.allSatisfy({ $0 >= 0 && $0.isFinite }), weights.reduce(0, +) > 0 else {
            throw .invalidParameter("mixed generator: weights must be finite, ≥ 0 and not all 0, got \(weights)")
        }
        let total = weights.reduce(0, +)
        self.generators = generators
        self.weights = weights.map { $0 / total }
        self.latent = latent
        self.dtype = dtype
    }

    /// `n` samples and the generator each came from (same order). Generators run in inference
    /// mode (BatchNorm running statistics) and are restored to their previous mode.
    public func sample(_ n: Int, key: RandomKey) -> (samples: Tensor, components: [Int]) {
        precondition(n >= 1, "MixedGenerator.sample: n must be positive")
        let keys = key.split(into: 3)
        let drawn = Random.categorical(weights, count: n, key: keys[0])
        var counts = [Int](repeating: 0, count: generators.count)
        for c in drawn { counts[c] += 1 }
        var parts: [Tensor] = []
        var components: [Int] = []
        for (i, generator) in generators.enumerated() where counts[i] > 0 {
            let z = latent.sample(counts[i], key: keys[1].folded(in: UInt64(i)), dtype: dtype)
            let wasTraining = generator.isTraining
            generator.isTraining = false
            parts.append(generator(z).detached())
            generator.isTraining = wasTraining
            components += Array(repeating: i, count: counts[i])
        }
        let ordered = Tensor.concat(parts, axis: 0)
        let permutation = Random.permutation(n, key: keys[2])
        return (ordered.gathering(rows: permutation), permutation.map { components[$0] })
    }
}
