import Testing
@testable import Dynamics

/// Spec §8.1, §8.2, §8.7: the closed form, its gradients and its symmetries.
@Suite struct LiClosedFormTests {
    @Test func objectiveMatchesQuadrature() {
        var draws = Draws(seed: 1)
        for _ in 0..<1000 {
            let model = LiModel(trueMeans: draws.means())
            let mu = draws.means()
            let d = draws.intervals(infinities: true)
            var integral = 1.0
            for (l, r) in [(d.l1, d.r1), (d.l2, d.r2)] {
                let a = max(l, -15), b = min(r, 15)
                if b > a {
                    integral += Quadrature.simpson(a, b, panels: 4000) { model.densityDifference(at: $0, means: mu) }
                }
            }
            #expect(abs(model.objective(means: mu, discriminator: d) - integral) < 1e-9)
        }
    }

    @Test func gradientsMatchCentralDifferences() {
        var draws = Draws(seed: 2)
        let h = 1e-6
        func close(_ analytic: Double, _ numeric: Double) -> Bool {
            abs(analytic - numeric) <= 1e-6 * max(abs(analytic), 1e-2)
        }
        for _ in 0..<1000 {
            let model = LiModel(trueMeans: draws.means())
            let mu = draws.means()
            let d = draws.intervals(infinities: true)
            let g = model.gradient(means: mu, discriminator: d)
            for j in 0..<2 {
                var plus = mu, minus = mu
                plus[j] += h; minus[j] -= h
                let numeric = (model.objective(means: plus, discriminator: d)
                               - model.objective(means: minus, discriminator: d)) / (2 * h)
                #expect(close(g.means[j], numeric))
            }
            for i in 0..<4 where d.endpoints[i].isFinite {
                var plus = d, minus = d
                plus.endpoints[i] += h; minus.endpoints[i] -= h
                let numeric = (model.objective(means: mu, discriminator: plus)
                               - model.objective(means: mu, discriminator: minus)) / (2 * h)
                #expect(close(g.endpoints[i], numeric))
            }
            // F′ and ∂F/∂μ, which the unrolled dynamics need.
            let x = draws.uniform(-4, 4)
            let slope = (model.densityDifference(at: x + h, means: mu) - model.densityDifference(at: x - h, means: mu)) / (2 * h)
            #expect(close(model.densityDifferenceSlope(at: x, means: mu), slope))
            let sensitivity = model.densityDifferenceMeanSensitivity(at: x, means: mu)
            for j in 0..<2 {
                var plus = mu, minus = mu
                plus[j] += h; minus[j] -= h
                let numeric = (model.densityDifference(at: x, means: plus) - model.densityDifference(at: x, means: minus)) / (2 * h)
                #expect(close(sensitivity[j], numeric))
            }
        }
    }

    @Test func gradientSignMovesMeansIntoTheInterval() {
        // An interval right of μ_j: ∂L/∂μ_j < 0, so descent moves μ_j into it (spec §3.2).
        let model = LiModel()
        let g = model.gradient(means: [0, 0], discriminator: IntervalPair(1, 2, 2, 2))
        #expect(g.means[0] < 0 && g.means[1] < 0)
    }

    @Test func labelSymmetry() {
        var draws = Draws(seed: 3)
        for _ in 0..<200 {
            let model = LiModel(trueMeans: draws.means())
            let mu = draws.means()
            let d = draws.intervals(infinities: false)
            let l = model.objective(means: mu, discriminator: d)
            #expect(abs(model.objective(means: SIMD2(mu[1], mu[0]), discriminator: d) - l) < 1e-15)
            #expect(abs(model.objective(means: mu, discriminator: d.swapped) - l) < 1e-15)
        }
    }

    @Test func tailDifferencesKeepPrecision() {
        // Φ(41) − Φ(40) is ~1e-350 (underflow); Φ(9) − Φ(8) ≈ 6.2198e-16 must not cancel to 0.
        let m = StandardNormal.mass(from: 8, to: 9)
        #expect(abs(m - 6.219831985865866e-16) < 1e-28)
        #expect(StandardNormal.mass(from: -9, to: -8) == m)
        #expect(StandardNormal.mass(from: -.infinity, to: .infinity) == 1)
        #expect(StandardNormal.density(.infinity) == 0)
    }
}
