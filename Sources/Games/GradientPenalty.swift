import NN
import Tensor

/// Which output of the discriminator a penalty differentiates.
public enum PenaltyOutput: String, Sendable, Hashable, Codable {
    /// The logit f (the authors' code and the project default).
    case logit
    /// The probability D = σ(f).
    case probability
}

/// The generic gradient penalty of dragan.md §3.4:
///
///     penalty = λ · mean_i ( ‖∇_x h(x̂_i)‖₂ − k )²,   x̂_i ~ sampler
///
/// with h the logit or the probability, the norm taken **per sample** over all non-batch
/// dimensions (never over the whole batch), optionally ‖g‖ = √(Σg² + ε) and one-sided
/// (max(0, ‖g‖ − k)²). The points are constants; the penalty is differentiable with respect to
/// the discriminator's parameters through the double backward (the input gradient is built
/// with `createGraph: true`).
///
/// The per-sample input gradient is taken as ∇_x Σ_i h(x̂_i), which equals each sample's own
/// gradient when the discriminator treats samples independently (no batch statistics, e.g.
/// no BatchNorm in training mode), as every penalised discriminator in the spec does.
public struct GradientPenalty: Sendable, Hashable, Codable {
    public var sampler: PenaltySampler
    /// k, the target norm.
    public var target: Double
    /// λ, the weight.
    public var weight: Double
    public var output: PenaltyOutput
    /// ε inside the square root (0: the exact norm, whose gradient at 0 is defined as 0).
    public var epsilon: Double
    /// Penalise only norms above the target.
    public var oneSided: Bool

    public init(sampler: PenaltySampler = .authors, target: Double = 1, weight: Double = 10,
                output: PenaltyOutput = .logit, epsilon: Double = 0, oneSided: Bool = false) {
        precondition(weight >= 0, "GradientPenalty: weight λ must be non-negative, got \(weight)")
        precondition(epsilon >= 0, "GradientPenalty: ε must be non-negative, got \(epsilon)")
        self.sampler = sampler
        self.target = target
        self.weight = weight
        self.output = output
        self.epsilon = epsilon
        self.oneSided = oneSided
    }

    /// `dragan` preset: the authors' sampler, logit, λ = 10, k = 1.
    public static func dragan(weight: Double = 10, target: Double = 1) -> GradientPenalty {
        GradientPenalty(sampler: .authors, target: target, weight: weight)
    }

    /// `draganSymmetric` preset: the authors' sampler with U[−1, 1) noise.
    public static func draganSymmetric(weight: Double = 10, target: Double = 1) -> GradientPenalty {
        GradientPenalty(sampler: .symmetric, target: target, weight: weight)
    }

    /// `draganGaussian(σ)` preset: the paper's Gaussian perturbation; σ must be chosen.
    public static func draganGaussian(σ: NoiseScale, weight: Double = 10, target: Double = 1) -> GradientPenalty {
        GradientPenalty(sampler: .gaussian(σ: σ), target: target, weight: weight)
    }

    /// WGAN-GP / GAN-GP: per-sample real–fake interpolation, λ = 10, k = 1, logit.
    public static func interpolation(weight: Double = 10, target: Double = 1) -> GradientPenalty {
        GradientPenalty(sampler: .interpolation, target: target, weight: weight)
    }

    /// The penalty at points drawn from the sampler.
    public func value(discriminator: some Layer, real: Tensor, fake: Tensor, key: RandomKey) -> Tensor {
        value(discriminator: discriminator, at: sampler.draw(real: real, fake: fake, key: key).points)
    }

    /// The penalty at given points (the sampler is not used).
    public func value(discriminator: some Layer, at points: Tensor) -> Tensor {
        let norms = perSampleInputGradientNorms(discriminator: discriminator, at: points, output: output, epsilon: epsilon)
        let deviation = norms - target
        let excess = oneSided ? deviation.relu() : deviation
        return excess.squared().mean() * weight
    }
}

/// ∇_x h(x_i) for every sample at once: the gradient of Σ_i h(x_i) with respect to a leaf
/// holding the points, built with a graph so that it can be differentiated again.
func inputGradient(discriminator: some Layer, at points: Tensor, output: PenaltyOutput, createGraph: Bool) -> Tensor {
    let leaf = points.detached().requiringGrad()
    var h = discriminator(leaf)
    if output == .probability { h = h.sigmoid() }
    return gradient(of: h.sum(), wrt: leaf, createGraph: createGraph)
}

/// ‖∇_x h(x_i)‖₂ per sample, shape [B]: the gradient is flattened per sample first, so the
/// norm runs over all non-batch dimensions of one example.
func perSampleInputGradientNorms(discriminator: some Layer, at points: Tensor, output: PenaltyOutput,
                                 epsilon: Double) -> Tensor {
    let g = inputGradient(discriminator: discriminator, at: points, output: output, createGraph: true)
        .reshaped([points.shape[0], -1])
    if epsilon > 0 { return (g.squared().sum(axes: [1]) + epsilon).sqrt() }
    return g.norm(axes: [1])
}
