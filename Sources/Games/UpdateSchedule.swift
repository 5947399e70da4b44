/// How one training step moves the two players (TF-GAN's simultaneous/alternating switch and
/// the game-dynamics schemes of the literature). Each player's update uses its own optimiser
/// and learning rate; "gradient" below means that player's gradient of its own loss.
public enum UpdateSchedule: Sendable, Hashable, Codable {
    /// Both gradients at the same point (φ_t, θ_t), then both updates. One generator forward
    /// serves both players.
    case simultaneous
    /// One player steps, then the other against the updated opponent, each with a fresh latent
    /// batch. D-first is the DRAGAN notebook's order.
    case alternating(dFirst: Bool)
    /// `dSteps` discriminator steps (each with its own real batch and latent batch), then
    /// `gSteps` generator steps (WGAN's n_critic = 5 is `ratio(dSteps: 5, gSteps: 1)`).
    case ratio(dSteps: Int, gSteps: Int)
    /// Unrolled GAN (Metz et al. 2017): the generator's gradient flows through `steps`
    /// differentiable updates of the discriminator, θ_{j+1} = θ_j − η_D ∇_θ L_D(φ, θ_j), all on
    /// this step's real and latent batches, with η_D the discriminator optimiser's current
    /// learning rate. Metz et al. unroll the discriminator's own optimiser (Adam); plain SGD
    /// is this toolkit's documented simplification. The inner loss is the discriminator's full
    /// loss (objective and penalty terms, penalty points held constant); weight clipping is
    /// not applied inside the unroll. The discriminator itself takes its ordinary step from
    /// θ_t, so `steps: 0` is exactly `simultaneous`.
    case unrolled(steps: Int)
    /// Extragradient (Korpelevich; Gidel et al. 2019): extrapolate both players by one plain
    /// gradient step with their optimisers' learning rates (φ' = φ − η_G g_G, θ' = θ − η_D g_D;
    /// weight clipping projects θ'), take both gradients at (φ', θ') on the same batches, then
    /// update the original (φ, θ) with them through the optimisers.
    case extragradient
    /// Optimistic gradients (Daskalakis et al. 2018): simultaneous gradients g_t corrected to
    /// 2g_t − g_{t−1} (g_0 = 0) before each optimiser; with SGD this is exactly
    /// `OptimisticSGD`. (Alternatively use `simultaneous` with `OptimisticAdam`.)
    case optimistic

    /// Real batches one step consumes.
    public var realBatchesPerStep: Int {
        if case .ratio(let d, _) = self { return d }
        return 1
    }

    func validate() {
        switch self {
        case .ratio(let d, let g):
            precondition(d >= 1 && g >= 1, "UpdateSchedule.ratio: both step counts must be at least 1, got \(d):\(g)")
        case .unrolled(let k):
            precondition(k >= 0, "UpdateSchedule.unrolled: steps must be non-negative, got \(k)")
        default:
            break
        }
    }
}
