/// The joint state of the game: generator means and discriminator intervals.
public struct LiState: Sendable, Hashable {
    public var means: SIMD2<Double>
    public var discriminator: IntervalPair

    public init(means: SIMD2<Double>, discriminator: IntervalPair) {
        self.means = means
        self.discriminator = discriminator
    }
}

/// Runs one of the dynamics of spec §4 on the Li model.
///
/// After every generator step μ is sorted (μ₁ ≤ μ₂), which the label symmetry makes harmless.
/// The diagonal μ₁ = μ₂ is invariant under every schedule here: ∂L/∂μ_j depends on j only
/// through μ_j, so equal means receive equal updates (spec §6.3). Starts on it stay on it.
public struct LiTrainer: Sendable, Hashable {
    public var model: LiModel
    public var schedule: LiSchedule
    /// η_g, the generator's step size.
    public var generatorStepSize: Double
    /// η_d, the discriminator's step size.
    public var discriminatorStepSize: Double
    public var feasibility: Feasibility

    public init(model: LiModel = LiModel(), schedule: LiSchedule,
                generatorStepSize: Double = 0.1, discriminatorStepSize: Double = 0.1,
                feasibility: Feasibility = .pav) {
        self.model = model
        self.schedule = schedule
        self.generatorStepSize = generatorStepSize
        self.discriminatorStepSize = discriminatorStepSize
        self.feasibility = feasibility
    }

    /// One generator update with the discriminator work its schedule prescribes. For
    /// `.optimal`, `state.discriminator` becomes the best response the step used.
    @inlinable
    public func step(_ state: inout LiState) {
        switch schedule {
        case .optimal:
            let best = model.optimalDiscriminator(means: state.means).discriminator
            let q = model.stepQuantities(means: state.means, endpoints: best.endpoints)
            state.discriminator = best
            state.means = generatorStep(state.means, gradient: q.meanGradient)
        case .simultaneous:
            let q = model.stepQuantities(means: state.means, endpoints: state.discriminator.endpoints)
            state.discriminator.endpoints = discriminatorStep(state.discriminator.endpoints, difference: q.differenceAtEndpoints)
            state.means = generatorStep(state.means, gradient: q.meanGradient)
        case .alternating:
            alternate(&state, discriminatorSteps: 1)
        case .kStep(let k):
            alternate(&state, discriminatorSteps: k)
        case .unrolled(let k):
            unrolledStep(&state, unroll: k)
        }
    }

    /// Runs `steps` updates in place.
    @inlinable
    public func run(_ state: inout LiState, steps: Int) {
        for _ in 0..<steps { step(&state) }
    }

    @inlinable
    func generatorStep(_ means: SIMD2<Double>, gradient: SIMD2<Double>) -> SIMD2<Double> {
        let next = means - generatorStepSize * gradient
        return next[0] <= next[1] ? next : SIMD2(next[1], next[0])
    }

    /// Gradient ascent e ← e + η_d·∂L/∂e with ∂L/∂e = ±F(e), then the feasibility rule.
    @inlinable
    func discriminatorStep(_ e: SIMD4<Double>, difference: SIMD4<Double>) -> SIMD4<Double> {
        feasibility.apply(e + discriminatorStepSize * IntervalPair.orientation * difference)
    }

    @inlinable
    func alternate(_ state: inout LiState, discriminatorSteps: Int) {
        var e = state.discriminator.endpoints
        for _ in 0..<discriminatorSteps {
            let q = model.stepQuantities(means: state.means, endpoints: e)
            e = discriminatorStep(e, difference: q.differenceAtEndpoints)
        }
        state.discriminator.endpoints = e
        state.means = generatorStep(state.means, gradient: model.stepQuantities(means: state.means, endpoints: e).meanGradient)
    }

    /// Unrolled step: the generator follows the total derivative through k simulated
    /// discriminator steps; the real discriminator keeps only the first (ordinary) step.
    @inlinable
    func unrolledStep(_ state: inout LiState, unroll k: Int) {
        let unrolled = unrolledGradient(means: state.means, endpoints: state.discriminator.endpoints, unroll: k)
        state.discriminator.endpoints = unrolled.firstStep
        state.means = generatorStep(state.means, gradient: unrolled.gradient)
    }

    /// d/dμ L(μ, e⁽ᵏ⁾(μ)) where e⁽ᵏ⁾ is k ascent steps from `endpoints` at fixed μ, propagated
    /// in forward mode: de′/dμ = de/dμ ± η_d [F′(e)·de/dμ + ∂F/∂μ(e)], then the projection's
    /// Jacobian. Also returns the discriminator after one ordinary step.
    @inlinable
    func unrolledGradient(means mu: SIMD2<Double>, endpoints start: SIMD4<Double>, unroll k: Int)
        -> (gradient: SIMD2<Double>, firstStep: SIMD4<Double>)
    {
        let orientation = IntervalPair.orientation
        var e = start
        var derivatives = (SIMD4<Double>(), SIMD4<Double>())  // de/dμ₁, de/dμ₂
        var firstStep = discriminatorStep(e, difference: model.stepQuantities(means: mu, endpoints: e).differenceAtEndpoints)
        for s in 0..<k {
            var difference = SIMD4<Double>(), slope = SIMD4<Double>()
            var sensitivity1 = SIMD4<Double>(), sensitivity2 = SIMD4<Double>()
            for i in 0..<4 {
                difference[i] = model.densityDifference(at: e[i], means: mu)
                slope[i] = model.densityDifferenceSlope(at: e[i], means: mu)
                let sensitivity = model.densityDifferenceMeanSensitivity(at: e[i], means: mu)
                sensitivity1[i] = sensitivity[0]
                sensitivity2[i] = sensitivity[1]
            }
            let scale = discriminatorStepSize * orientation
            derivatives.0 += scale * (slope * derivatives.0 + sensitivity1)
            derivatives.1 += scale * (slope * derivatives.1 + sensitivity2)
            e = feasibility.applyTracking(e + scale * difference, derivatives: &derivatives)
            if s == 0 { firstStep = e }
        }
        // d/dμ_j L = ∂L/∂μ_j + Σ_i ∂L/∂e_i · de_i/dμ_j, with ∂L/∂e_i = ±F(e_i).
        let q = model.stepQuantities(means: mu, endpoints: e)
        let endpointGradient = orientation * q.differenceAtEndpoints
        let total = q.meanGradient + SIMD2((endpointGradient * derivatives.0).sum(),
                                           (endpointGradient * derivatives.1).sum())
        return (total, firstStep)
    }

    /// k discriminator ascent steps against fixed means.
    public func ascend(_ endpoints: SIMD4<Double>, means: SIMD2<Double>, steps k: Int) -> SIMD4<Double> {
        var e = endpoints
        for _ in 0..<k { e = discriminatorStep(e, difference: model.stepQuantities(means: means, endpoints: e).differenceAtEndpoints) }
        return e
    }
}
