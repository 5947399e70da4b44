/// Everything worth plotting about one state of the game (spec issue: diagnostics).
public struct LiStepRecord: Sendable, Hashable {
    public var step: Int
    public var state: LiState
    /// L(μ, ℓ, r) at the current discriminator.
    public var objective: Double
    /// d_TV(G_{μ*}, G_μ): what an optimal discriminator would score, minus 1.
    public var totalVariation: Double
    /// ‖∂L/∂μ‖ at the current discriminator: the signal the generator receives.
    public var generatorGradientNorm: Double
    /// Mass of I under ½(p* + p_μ): near 0 when the intervals have left the data.
    public var intervalMass: Double

    public var widths: SIMD2<Double> { state.discriminator.widths }
}

/// How a trajectory failed, if it did.
public struct LiCollapseReport: Sendable, Hashable {
    /// The generator's gradient vanished while the distributions still differ, because the
    /// intervals became empty or moved off the mass ("discriminator collapse").
    public var discriminatorCollapse: Bool
    /// Both generator means sit at one place: the mixture covers a single mode.
    public var modeCollapse: Bool
}

/// Thresholds for the collapse detectors; the defaults suit μ* = (−0.5, 0.5).
public struct LiCollapseDetector: Sendable, Hashable {
    /// d_TV above this counts as "not converged".
    public var totalVariationThreshold = 0.02
    /// ‖∂L/∂μ‖ below this counts as "no signal".
    public var gradientThreshold = 1e-3
    /// A width below this counts as an empty interval.
    public var widthThreshold = 1e-3
    /// Interval mass below this counts as "off the data".
    public var massThreshold = 1e-3
    /// |μ₁ − μ₂| below this fraction of |μ*₁ − μ*₂| counts as one mode.
    public var modeSeparationFraction = 0.25

    public init() {}

    public func assess(_ record: LiStepRecord, model: LiModel) -> LiCollapseReport {
        let widths = record.widths
        let intervalsDegenerate = widths[0] < widthThreshold && widths[1] < widthThreshold
        let intervalsOffMass = record.intervalMass < massThreshold
        let starved = record.generatorGradientNorm < gradientThreshold
            && record.totalVariation > totalVariationThreshold
        let separation = abs(record.state.means[1] - record.state.means[0])
        let trueSeparation = abs(model.trueMeans[1] - model.trueMeans[0])
        return LiCollapseReport(
            discriminatorCollapse: starved && (intervalsDegenerate || intervalsOffMass),
            modeCollapse: separation < modeSeparationFraction * trueSeparation
                && record.totalVariation > totalVariationThreshold)
    }
}

extension LiModel {
    /// The diagnostics of one state.
    public func record(step: Int, state: LiState) -> LiStepRecord {
        let d = state.discriminator
        let gradient = self.gradient(means: state.means, discriminator: d)
        var mass = 0.0
        for mean in [trueMeans[0], trueMeans[1], state.means[0], state.means[1]] {
            mass += 0.25 * (max(0, StandardNormal.mass(from: d.l1 - mean, to: d.r1 - mean))
                            + max(0, StandardNormal.mass(from: d.l2 - mean, to: d.r2 - mean)))
        }
        return LiStepRecord(
            step: step, state: state,
            objective: objective(means: state.means, discriminator: d),
            totalVariation: totalVariation(means: state.means),
            generatorGradientNorm: (gradient.means * gradient.means).sum().squareRoot(),
            intervalMass: mass)
    }

    /// Success criterion of spec §6.2: sorted means within `tolerance` of μ*, component-wise.
    public func isConverged(_ means: SIMD2<Double>, tolerance: Double) -> Bool {
        let sortedTruth = trueMeans[0] <= trueMeans[1] ? trueMeans : SIMD2(trueMeans[1], trueMeans[0])
        let sortedMeans = means[0] <= means[1] ? means : SIMD2(means[1], means[0])
        let gap = sortedMeans - sortedTruth
        return abs(gap[0]) < tolerance && abs(gap[1]) < tolerance
    }
}

/// A recorded trajectory: every `every`-th state, plus the last one.
public struct LiTrajectory: Sendable {
    public var records: [LiStepRecord]
    public var collapse: LiCollapseReport
    public var converged: Bool

    public var final: LiStepRecord { records[records.count - 1] }

    /// Runs `trainer` for `steps` from `initial`, recording every `every`-th state. For the
    /// optimal schedule the recorded discriminator at step t is the best response to μ^(t).
    public init(trainer: LiTrainer, initial: LiState, steps: Int, every: Int = 1,
                tolerance: Double = 0.1, detector: LiCollapseDetector = LiCollapseDetector()) {
        let model = trainer.model
        var state = initial
        if trainer.schedule == .optimal {
            state.discriminator = model.optimalDiscriminator(means: state.means).discriminator
        }
        var records = [model.record(step: 0, state: state)]
        let interval = max(1, every)
        for t in stride(from: 1, through: steps, by: 1) {
            trainer.step(&state)
            var shown = state
            if trainer.schedule == .optimal {
                shown.discriminator = model.optimalDiscriminator(means: state.means).discriminator
            }
            if t % interval == 0 || t == steps { records.append(model.record(step: t, state: shown)) }
        }
        self.records = records
        collapse = detector.assess(records[records.count - 1], model: model)
        converged = model.isConverged(state.means, tolerance: tolerance)
    }
}
