import NN
import Tensor

/// A regulariser of the discriminator, composable with any objective: a game holds a list of
/// them. Loss terms are added to the discriminator's minimised loss (never the generator's);
/// weight clipping is a constraint the trainer applies after every discriminator update.
public enum Penalty: Sendable, Hashable, Codable {
    /// DRAGAN, WGAN-GP, GAN-GP and their variants (see `GradientPenalty`).
    case gradient(GradientPenalty)
    /// R1 (Mescheder et al. 2018): γ/2 · mean_i ‖∇_x f(x_i)‖² at the real points.
    case r1(gamma: Double)
    /// R2: γ/2 · mean_i ‖∇_x f(G(z_i))‖² at the fake points.
    case r2(gamma: Double)
    /// The original WGAN's constraint: after each discriminator update every parameter is
    /// clamped to [−c, c]. Not a loss term.
    case weightClipping(Double)

    /// `dragan` preset (authors' sampler, λ = 10, k = 1, logit).
    public static var dragan: Penalty { .gradient(.dragan()) }
    /// `draganSymmetric` preset.
    public static var draganSymmetric: Penalty { .gradient(.draganSymmetric()) }
    /// `draganGaussian(σ)` preset.
    public static func draganGaussian(σ: NoiseScale) -> Penalty { .gradient(.draganGaussian(σ: σ)) }
    /// WGAN-GP / GAN-GP real–fake interpolation penalty (λ = 10 unless given).
    public static func gradientPenaltyInterpolation(weight: Double = 10) -> Penalty { .gradient(.interpolation(weight: weight)) }

    /// A short name for reports ("dragan", "interpolation", "r1", …).
    public var name: String {
        switch self {
        case .gradient(let p):
            switch p.sampler {
            case .interpolation: return "gp-interpolation"
            case .real: return "gp-real"
            case .fake: return "gp-fake"
            case .perturbation:
                if p.sampler == .authors { return "dragan" }
                if p.sampler == .symmetric { return "dragan-symmetric" }
                return "dragan-perturbation"
            }
        case .r1: return "r1"
        case .r2: return "r2"
        case .weightClipping: return "weight-clipping"
        }
    }

    /// Whether the penalty adds a term to the discriminator's loss.
    public var isLossTerm: Bool {
        if case .weightClipping = self { return false }
        return true
    }

    /// The loss term (nil for weight clipping), differentiable with respect to the
    /// discriminator's parameters. `fake` is treated as a constant.
    public func value(discriminator: some Layer, real: Tensor, fake: Tensor, key: RandomKey) -> Tensor? {
        switch self {
        case .gradient(let penalty):
            return penalty.value(discriminator: discriminator, real: real, fake: fake, key: key)
        case .r1(let gamma):
            return Self.squaredGradientNorm(discriminator: discriminator, at: real) * (gamma / 2)
        case .r2(let gamma):
            return Self.squaredGradientNorm(discriminator: discriminator, at: fake) * (gamma / 2)
        case .weightClipping:
            return nil
        }
    }

    /// mean_i ‖∇_x f(x_i)‖², per sample.
    private static func squaredGradientNorm(discriminator: some Layer, at points: Tensor) -> Tensor {
        inputGradient(discriminator: discriminator, at: points, output: .logit, createGraph: true)
            .reshaped([points.shape[0], -1]).squared().sum(axes: [1]).mean()
    }

    /// Clamps every parameter of `module` to [−c, c] when this is weight clipping.
    public func project(_ module: some Module) throws {
        guard case .weightClipping(let c) = self else { return }
        var parameters = module.parameters
        for name in parameters.keys {
            switch parameters[name]!.dtype {
            case .float32: Self.clamp(&parameters[name]!, Float(c), as: Float.self)
            case .float64: Self.clamp(&parameters[name]!, c, as: Double.self)
            }
        }
        try module.setParameters(parameters)
    }

    private static func clamp<T: TensorScalar>(_ tensor: inout Tensor, _ c: T, as: T.Type) {
        tensor.withUnsafeMutableBufferPointer(as: T.self) { values in
            for i in values.indices { values[i] = Swift.min(Swift.max(values[i], -c), c) }
        }
    }
}
