import Foundation

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
    /// How the best responses are trained (spec §3, §8.1).
    public var oracle: OracleMode = .bestResponse
    /// Where a new best response starts (spec §3: the newest network of its player by default).
    public var initialization: OracleInitialization = .newest

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
        if initialization == .scratch && ewcLambda > 0 {
            throw .invalidParameter("ewc_lambda needs best responses that start from the newest network (oracle init 'newest'): from scratch, θ* would be a random initialisation")
        }
        if oracle == .authorsJoint && ewcLambda > 0 {
            throw .invalidParameter("ewc_lambda applies to the best-response and sample-opponent oracles; the authors' joint oracle has no continual-learning term")
        }
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

/// How a double-oracle iteration trains its two new strategies.
public enum OracleMode: String, Codable, Sendable, CaseIterable {
    /// Spec §3 (default): the new generator takes `oracleSteps` steps on the σ_d-weighted sum
    /// of its losses against the stored discriminators; the new discriminator takes
    /// `oracleSteps` steps against fake batches drawn per sample from the σ_g-mixture. The
    /// two are trained one after the other, each against the *fixed* opponent mixture.
    case bestResponse = "best-response"
    /// As `bestResponse`, but each generator step faces one discriminator drawn from σ_d
    /// (spec §3 `.sampleOpponent`): one discriminator forward per step instead of |supp σ_d|.
    case sampleOpponent = "sample-opponent"
    /// The authors' prototype schedule (spec §8.1, `randgan_gen_dis_DO.py`): the new generator
    /// and the new discriminator are trained *together*. For each of `oracleSteps` minibatches
    /// the new generator takes one step against every stored discriminator and one against
    /// the new one, then the new discriminator one step against every stored generator and
    /// one against the new one. Steps are unweighted (whether the prototype weights them by σ
    /// could not be confirmed), so one minibatch costs (stored + 1) steps per player.
    case authorsJoint = "authors-joint"

    /// Parses a CLI/config spelling.
    public static func parse(_ text: String) throws(MetaGameError) -> OracleMode {
        guard let mode = OracleMode(rawValue: text.lowercased()) else {
            throw .invalidParameter("unknown oracle '\(text)'; use \(allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return mode
    }
}

/// The starting point of a new best response.
public enum OracleInitialization: String, Codable, Sendable, CaseIterable {
    /// A copy of the most recently added network of the same player (spec §3 default; what
    /// makes continual learning meaningful).
    case newest
    /// A freshly initialised network (spec `.fromScratch`), seeded per iteration.
    case scratch

    public static func parse(_ text: String) throws(MetaGameError) -> OracleInitialization {
        guard let value = OracleInitialization(rawValue: text.lowercased()) else {
            throw .invalidParameter("unknown oracle initialisation '\(text)'; use newest or scratch")
        }
        return value
    }
}
