import Testing
@testable import Dynamics

/// Spec §8.8, §8.9, §8.12 and the unrolled total derivative.
@Suite struct LiDynamicsTests {
    static let schedules: [LiSchedule] = [.optimal, .simultaneous, .alternating, .kStep(3), .unrolled(5)]

    @Test(arguments: schedules)
    func diagonalIsInvariant(schedule: LiSchedule) {
        let trainer = LiTrainer(schedule: schedule)
        var generator = SplitMix64(seed: 9)
        for start in [-0.8, 0.0, 0.3] {
            var state = LiState(means: [start, start], discriminator: .random(using: &generator))
            for _ in 0..<300 {
                trainer.step(&state)
                #expect(abs(state.means[0] - state.means[1]) <= 1e-15)
            }
        }
    }

    @Test func optimalDynamicsConverge() {
        // Spec §8.9: from (−1, 1), η = 0.1, T = 1000; the reference ended at (−0.507, 0.493).
        var state = LiState(means: [-1, 1], discriminator: .empty())
        LiTrainer(schedule: .optimal).run(&state, steps: 1000)
        #expect(LiModel().isConverged(state.means, tolerance: 0.1))
        #expect(abs(state.means[0] + 0.507) < 0.01 && abs(state.means[1] - 0.493) < 0.01)
    }

    @Test func optimalDynamicsRestAtTheOptimum() {
        var state = LiState(means: [-0.5, 0.5], discriminator: .empty())
        LiTrainer(schedule: .optimal).step(&state)
        #expect(state.means == [-0.5, 0.5])
    }

    @Test func firstOrderDynamicsLeaveTheOptimum() {
        // Spec §8.12: μ* is not stationary for a generic discriminator.
        let model = LiModel()
        let trainer = LiTrainer(schedule: .simultaneous)
        var moved = 0, escaped = 0
        let runs = 200
        for run in 0..<runs {
            var generator = SplitMix64(seed: 12, stream: [UInt64(run)])
            var state = LiState(means: model.trueMeans, discriminator: .random(using: &generator))
            trainer.step(&state)
            let delta = state.means - model.trueMeans
            if max(abs(delta[0]), abs(delta[1])) > 1e-12 { moved += 1 }
            trainer.run(&state, steps: 2999)
            if !model.isConverged(state.means, tolerance: 0.1) { escaped += 1 }
        }
        #expect(moved == runs)
        #expect(escaped > runs / 2)
    }

    @Test func alternatingIsOneStepKStep() {
        var generator = SplitMix64(seed: 10)
        let start = LiState(means: [-0.9, 0.4], discriminator: .random(using: &generator))
        var a = start, b = start
        LiTrainer(schedule: .alternating).run(&a, steps: 500)
        LiTrainer(schedule: .kStep(1)).run(&b, steps: 500)
        #expect(a == b)
    }

    @Test func unrolledZeroIsSimultaneous() {
        var generator = SplitMix64(seed: 11)
        let start = LiState(means: [-0.9, 0.4], discriminator: .random(using: &generator))
        var a = start, b = start
        LiTrainer(schedule: .simultaneous).run(&a, steps: 500)
        LiTrainer(schedule: .unrolled(0)).run(&b, steps: 500)
        #expect(a == b)
    }

    @Test(arguments: [Feasibility.pav, .sort, .none])
    func unrolledGradientIsTheTotalDerivative(feasibility: Feasibility) {
        // Against central differences of μ ↦ L(μ, e⁽ᵏ⁾(μ)); starts chosen so that each
        // projection is either inactive or strictly active along the whole difference.
        let model = LiModel()
        let trainer = LiTrainer(schedule: .unrolled(5), discriminatorStepSize: 0.5, feasibility: feasibility)
        let h = 1e-6
        let starts: [(SIMD2<Double>, IntervalPair)] = [
            ([-1.0, 0.8], IntervalPair(-1.5, -0.2, 0.3, 1.9)),
            ([-0.2, 1.3], IntervalPair(-2.0, 0.1, 0.1, 0.6)),  // touching intervals: PAV pools them
            ([0.4, 0.9], IntervalPair(-0.3, 0.2, 1.2, 2.4)),
        ]
        for (mu, d) in starts {
            let analytic = trainer.unrolledGradient(means: mu, endpoints: d.endpoints, unroll: 5).gradient
            for j in 0..<2 {
                var plus = mu, minus = mu
                plus[j] += h; minus[j] -= h
                let lPlus = model.objective(means: plus, discriminator: IntervalPair(endpoints: trainer.ascend(d.endpoints, means: plus, steps: 5)))
                let lMinus = model.objective(means: minus, discriminator: IntervalPair(endpoints: trainer.ascend(d.endpoints, means: minus, steps: 5)))
                let numeric = (lPlus - lMinus) / (2 * h)
                #expect(abs(analytic[j] - numeric) <= 1e-6 * max(abs(analytic[j]), 1e-2))
            }
        }
    }

    @Test func scheduleNames() {
        #expect(LiSchedule(name: "first-order") == .simultaneous)
        #expect(LiSchedule(name: "unrolled") == .unrolled(5))
        #expect(LiSchedule(name: "unrolled-3") == .unrolled(3))
        #expect(LiSchedule(name: "k-step-2") == .kStep(2))
        #expect(LiSchedule(name: "k-step-0") == nil)
        #expect(LiSchedule(name: "newton") == nil)
        for schedule in Self.schedules { #expect(LiSchedule(name: schedule.description) == schedule) }
    }

    @Test func trajectoryRecordsAndDetectsCollapse() {
        var generator = SplitMix64(seed: 0, stream: [0, 9, 0])
        let start = LiState(means: [-1, 1], discriminator: .random(using: &generator))
        let optimal = LiTrajectory(trainer: LiTrainer(schedule: .optimal), initial: start, steps: 1000, every: 10)
        #expect(optimal.records.count == 101)
        #expect(optimal.converged && !optimal.collapse.discriminatorCollapse && !optimal.collapse.modeCollapse)
        #expect(optimal.final.totalVariation < 0.01)
        // On the diagonal the generator can only ever cover one mode.
        let diagonal = LiTrajectory(trainer: LiTrainer(schedule: .optimal),
                                    initial: LiState(means: [0.2, 0.2], discriminator: .empty()), steps: 1000, every: 100)
        #expect(diagonal.collapse.modeCollapse && !diagonal.converged)
    }
}
