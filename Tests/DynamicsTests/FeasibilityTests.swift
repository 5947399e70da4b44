import Testing
@testable import Dynamics

/// Spec §8.14: the projection onto ℓ₁ ≤ r₁ ≤ ℓ₂ ≤ r₂.
@Suite struct FeasibilityTests {
    @Test func poolAdjacentViolators() {
        #expect(Feasibility.pav.apply([0, 2, 1, 3]) == [0, 1.5, 1.5, 3])
        #expect(Feasibility.pav.apply([1, 0, 2, 3]) == [0.5, 0.5, 2, 3])
        #expect(Feasibility.pav.apply([-1, 0.5, 0.7, 2]) == [-1, 0.5, 0.7, 2])
        #expect(Feasibility.pav.apply([4, 3, 2, 1]) == [2.5, 2.5, 2.5, 2.5])
        #expect(Feasibility.pav.apply([0, 3, 1, 2]) == [0, 2, 2, 2])
    }

    @Test func pavIsTheEuclideanProjection() {
        // Against brute force over a fine family of ordered candidates: no closer point exists.
        var draws = Draws(seed: 8)
        for _ in 0..<200 {
            let v = SIMD4(draws.uniform(-2, 2), draws.uniform(-2, 2), draws.uniform(-2, 2), draws.uniform(-2, 2))
            let p = Feasibility.pav.apply(v)
            #expect(p[0] <= p[1] && p[1] <= p[2] && p[2] <= p[3])
            let best = ((p - v) * (p - v)).sum()
            for _ in 0..<50 {
                var unused = (SIMD4<Double>(), SIMD4<Double>())
                let q = Feasibility.sort.applyTracking(p + SIMD4(draws.uniform(-0.1, 0.1), draws.uniform(-0.1, 0.1),
                                                                 draws.uniform(-0.1, 0.1), draws.uniform(-0.1, 0.1)),
                                                       derivatives: &unused)
                #expect(((q - v) * (q - v)).sum() >= best - 1e-12)
            }
        }
    }

    @Test func sortAndNone() {
        #expect(Feasibility.sort.apply([1, 0, 3, 2]) == [0, 1, 2, 3])
        #expect(Feasibility.none.apply([1, 0, 3, 2]) == [1, 0, 3, 2])
        // `.none` keeps an inverted interval, which then counts negatively.
        let model = LiModel()
        let inverted = IntervalPair(1, 0, 5, 5)
        let upright = IntervalPair(0, 1, 5, 5)
        #expect(abs(model.objective(means: [3, 3], discriminator: inverted) - 1
                    + (model.objective(means: [3, 3], discriminator: upright) - 1)) < 1e-15)
    }

    @Test func pavJacobianAveragesPooledBlocks() {
        var derivatives = (SIMD4<Double>(1, 2, 3, 4), SIMD4<Double>(0, 1, 0, 1))
        let out = Feasibility.pav.applyTracking([0, 2, 1, 3], derivatives: &derivatives)
        #expect(out == [0, 1.5, 1.5, 3])
        #expect(derivatives.0 == [1, 2.5, 2.5, 4])
        #expect(derivatives.1 == [0, 0.5, 0.5, 1])
    }
}
