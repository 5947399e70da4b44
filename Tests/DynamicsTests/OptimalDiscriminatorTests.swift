import Testing
@testable import Dynamics

/// Spec §8.3–§8.6 and the crossing finder's hard cases.
@Suite struct OptimalDiscriminatorTests {
    /// ½∫|F| = ∫max(F, 0) by quadrature, over a range that holds all the mass.
    func quadratureTotalVariation(_ model: LiModel, _ mu: SIMD2<Double>) -> Double {
        let all = [model.trueMeans[0], model.trueMeans[1], mu[0], mu[1]]
        return Quadrature.positivePart(all.min()! - 15, all.max()! + 15) { model.densityDifference(at: $0, means: mu) }
    }

    @Test func maxObjectiveIsTotalVariation() {
        var draws = Draws(seed: 4)
        for _ in 0..<300 {
            let model = LiModel(trueMeans: draws.means())
            let mu = draws.means()
            let best = model.optimalDiscriminator(means: mu)
            let tv = model.objective(means: mu, discriminator: best.discriminator) - 1
            #expect(abs(tv - quadratureTotalVariation(model, mu)) < 1e-8)
            #expect(best.discriminator.isOrdered)
        }
    }

    @Test func noDiscriminatorBeatsTheOptimalOne() {
        var draws = Draws(seed: 5)
        for _ in 0..<300 {
            let model = LiModel(trueMeans: draws.means())
            let mu = draws.means()
            let best = model.objective(means: mu, discriminator: model.optimalDiscriminator(means: mu).discriminator)
            let other = model.objective(means: mu, discriminator: draws.intervals(infinities: true))
            #expect(other <= best + 1e-12)
        }
    }

    @Test func singleCrossingCase() {
        // μ* = (0, 0), μ = (1, 1): one crossing at ½, set (−∞, ½), d_TV = 2Φ(½) − 1.
        let model = LiModel(trueMeans: [0, 0])
        let best = model.optimalDiscriminator(means: [1, 1])
        #expect(best.crossings.count == 1)
        #expect(abs(best.crossings[0] - 0.5) < 1e-12)
        #expect(best.positiveIntervals.count == 1)
        #expect(best.positiveIntervals[0].lowerBound == -.infinity)
        #expect(abs(model.totalVariation(means: [1, 1]) - 0.38292492254802624) < 1e-12)
    }

    @Test func rootCountAndSigns() {
        var draws = Draws(seed: 6)
        for _ in 0..<10_000 {
            let model = LiModel(trueMeans: draws.means())
            let mu = draws.means()
            let best = model.optimalDiscriminator(means: mu)
            let sign = DensityDifferenceSign(trueMeans: model.trueMeans, means: mu)
            #expect(best.crossings.count <= 3)
            #expect(best.crossings.count <= sign.rootBound)
            for x in best.crossings {
                let delta = 1e-7 * max(1, abs(x))
                #expect(sign.sign(at: x - delta) == -sign.sign(at: x + delta))
            }
            // The set reaches −∞ (+∞) exactly when F > 0 there.
            let reachesLeft = best.positiveIntervals.first?.lowerBound == -.infinity
            let reachesRight = best.positiveIntervals.last?.upperBound == .infinity
            #expect(reachesLeft == (sign.signAtMinusInfinity > 0))
            #expect(reachesRight == (sign.signAtPlusInfinity > 0))
            // Between crossings F has the sign the set claims.
            for interval in best.positiveIntervals where interval.lowerBound.isFinite && interval.upperBound.isFinite {
                #expect(sign.sign(at: 0.5 * (interval.lowerBound + interval.upperBound)) > 0)
            }
        }
    }

    @Test func equalityCase() {
        let model = LiModel()
        let best = model.optimalDiscriminator(means: model.trueMeans)
        #expect(best.crossings.isEmpty && best.positiveIntervals.isEmpty)
        #expect(model.gradient(means: model.trueMeans, discriminator: best.discriminator).means == .zero)
        var draws = Draws(seed: 7)
        for _ in 0..<100 {
            #expect(abs(model.objective(means: model.trueMeans, discriminator: draws.intervals(infinities: true)) - 1) < 1e-15)
        }
        // Label order does not matter: μ = (μ*₂, μ*₁) is the same multiset.
        #expect(model.optimalDiscriminator(means: SIMD2(0.5, -0.5)).positiveIntervals.isEmpty)
    }

    @Test func nearlyEqualMeans() {
        let model = LiModel()
        for epsilon in [1e-3, 1e-5, 1e-7] {
            let mu = SIMD2(-0.5 + epsilon, 0.5 - 0.5 * epsilon)
            let tv = model.totalVariation(means: mu)
            #expect(tv > 0)
            #expect(abs(tv - quadratureTotalVariation(model, mu)) < 1e-10)
        }
    }

    @Test func farApartMeansBeyondUnderflow() {
        // F underflows near the crossings (≈ e^{−1260}); h̃ still finds them at ±50.25.
        let model = LiModel()
        let best = model.optimalDiscriminator(means: [-100, 100])
        #expect(best.crossings.count == 2)
        #expect(abs(best.crossings[0] + 50.25) < 1e-9 && abs(best.crossings[1] - 50.25) < 1e-9)
        #expect(abs(model.totalVariation(means: [-100, 100]) - 1) < 1e-12)
    }

    @Test func coincidentGeneratorMeans() {
        let model = LiModel()
        // μ₁ = μ₂ = 0: the generator is narrower than the target, F > 0 in both tails.
        let centre = model.optimalDiscriminator(means: [0, 0])
        #expect(centre.positiveIntervals.count == 2)
        #expect(centre.positiveIntervals[0].lowerBound == -.infinity && centre.positiveIntervals[1].upperBound == .infinity)
        #expect(abs(centre.crossings[0] + centre.crossings[1]) < 1e-12)
        // μ₁ = μ₂ = μ*₁: merged weights (−1, +1) leave one crossing, at 0 exactly by symmetry.
        let onMode = model.optimalDiscriminator(means: [-0.5, -0.5])
        #expect(onMode.crossings.count == 1 && abs(onMode.crossings[0]) < 1e-12)
        #expect(abs(model.totalVariation(means: [-0.5, -0.5]) - 0.5 * 0.38292492254802624) < 1e-12)
        // Near a true mean a crossing runs far out (spec §5 step 5); L is unaffected by it.
        for m in [-0.49, -0.499, -0.4999] {
            let mu = SIMD2(m, m)
            let best = model.optimalDiscriminator(means: mu)
            #expect(best.crossings.count >= 1 && best.crossings.count <= 2)
            #expect(abs(model.totalVariation(means: mu) - quadratureTotalVariation(model, mu)) < 1e-9)
        }
    }
}
