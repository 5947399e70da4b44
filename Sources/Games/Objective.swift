import Tensor

/// The two players' losses, written on the discriminator's logits f (D = σ(f)).
///
/// Every loss is a pure function of logit tensors (any shape, e.g. [B, 1]); expectations are
/// means over the elements. Both players *minimise* their loss. The log-probability forms use
/// softplus, log D = −softplus(−f) and log(1 − D) = −softplus(f), so no loss saturates to
/// log 0 or loses precision for confident logits (spec: many-paths.md §2).
public enum Objective: String, Sendable, Hashable, Codable, CaseIterable {
    /// The original minimax game V = E log D(x) + E log(1 − D(G(z))):
    /// L_D = mean softplus(−f_r) + mean softplus(f_f); L_G = −mean softplus(f_f) = E log(1 − D(G(z))).
    /// The generator's signal −σ(f_f) vanishes when D confidently rejects fakes.
    case minimax
    /// Non-saturating GAN: the same L_D; L_G = mean softplus(−f_f) = −E log D(G(z)), whose signal
    /// −σ(−f_f) tends to −1 for rejected fakes.
    case nonSaturating
    /// Wasserstein GAN (the critic needs a Lipschitz constraint: weight clipping or a gradient
    /// penalty): L_D = mean f_f − mean f_r; L_G = −mean f_f.
    case wasserstein
    /// Hinge loss (Lim & Ye; Miyato et al.): L_D = mean relu(1 − f_r) + mean relu(1 + f_f);
    /// L_G = −mean f_f.
    case hinge
    /// Least-squares GAN (Mao et al., targets a = 0, b = c = 1):
    /// L_D = ½ mean (f_r − 1)² + ½ mean f_f²; L_G = ½ mean (f_f − 1)². Here the raw output is
    /// regressed, so "logit" means the unsquashed discriminator output.
    case leastSquares

    /// The discriminator's loss (without penalties) from its outputs on a real and a fake batch.
    public func discriminatorLoss(realLogits fr: Tensor, fakeLogits ff: Tensor) -> Tensor {
        switch self {
        case .minimax, .nonSaturating:
            return (-fr).softplus().mean() + ff.softplus().mean()
        case .wasserstein:
            return ff.mean() - fr.mean()
        case .hinge:
            return (1 - fr).relu().mean() + (1 + ff).relu().mean()
        case .leastSquares:
            return (fr - 1).squared().mean() * 0.5 + ff.squared().mean() * 0.5
        }
    }

    /// The generator's loss from the discriminator's outputs on a fake batch.
    public func generatorLoss(fakeLogits ff: Tensor) -> Tensor {
        switch self {
        case .minimax:
            return -ff.softplus().mean()
        case .nonSaturating:
            return (-ff).softplus().mean()
        case .wasserstein, .hinge:
            return -ff.mean()
        case .leastSquares:
            return (ff - 1).squared().mean() * 0.5
        }
    }
}
