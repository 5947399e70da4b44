import Foundation
import NN
import Tensor
import Testing
@testable import Games

private func settings(k: Int = 3, beta: Double = 0.5, balanceEvery: Int = 0) -> GeneratorMixtureSettings {
    var s = GeneratorMixtureSettings()
    s.generators = k
    s.classifierWeight = beta
    s.balanceEvery = balanceEvery
    return s
}

private func same(_ a: MLP, _ b: MLP) -> Bool { a.parameters.allSatisfy { $0.value.doubles == b.parameters[$0.key]!.doubles } }

@Suite struct GeneratorMixtureTests {
    @Test func largestRemainderAllocation() {
        #expect(GeneratorMixture.allocation(10, weights: [0.25, 0.25, 0.25, 0.25]) == [3, 3, 2, 2])
        #expect(GeneratorMixture.allocation(10, weights: [0.5, 0.3, 0.2]) == [5, 3, 2])
        #expect(GeneratorMixture.allocation(7, weights: [0.1, 0.6, 0.3]) == [1, 4, 2])
        #expect(GeneratorMixture.allocation(512, weights: [1.0 / 3, 1.0 / 3, 1.0 / 3]).reduce(0, +) == 512)
    }

    @Test func generatorsStartDifferentAndTheSeedFixesTheRun() throws {
        let a = try GeneratorMixture(config: try tinyRingConfig(seed: 4), settings: settings())
        #expect(a.generators.count == 3 && a.classifier != nil)
        #expect(!same(a.generators[0], a.generators[1]) && !same(a.generators[1], a.generators[2]))
        let b = try GeneratorMixture(config: try tinyRingConfig(seed: 4), settings: settings())
        for _ in 0..<5 {
            let (la, lb) = (try a.step(), try b.step())
            #expect(la.discriminator == lb.discriminator && la.generators == lb.generators && la.classifier == lb.classifier)
        }
        #expect(a.steps == 5 && zip(a.generators, b.generators).allSatisfy { same($0, $1) })
    }

    @Test func theClassifierTermReachesOnlyTheGenerators() throws {
        // β changes nothing before the generators' update: D sees the same batch either way.
        let with = try GeneratorMixture(config: try tinyRingConfig(), settings: settings(beta: 1))
        let without = try GeneratorMixture(config: try tinyRingConfig(), settings: settings(beta: 0))
        #expect(without.classifier == nil)
        let (lw, lo) = (try with.step(), try without.step())
        #expect(lw.discriminator == lo.discriminator && same(with.discriminator, without.discriminator))
        #expect(lw.generatorCrossEntropy?.count == 3 && lo.generatorCrossEntropy == nil)
        // The classifier starts near chance: CE ≈ log 3.
        #expect(abs(lw.classifier! - log(3)) < 0.5)
        #expect(!same(with.generators[1], without.generators[1]))
    }

    @Test func balanceFavoursTheGeneratorThatFallsBehind() throws {
        var s = settings(k: 4, beta: 0, balanceEvery: 1)
        s.balanceRate = 5
        let m = try GeneratorMixture(config: try tinyRingConfig(), settings: s)
        #expect(m.weights == [0.25, 0.25, 0.25, 0.25])
        let losses = try m.step().generators
        #expect(abs(m.weights.reduce(0, +) - 1) < 1e-12 && m.weights.allSatisfy { $0 >= 0.5 / 4 })
        #expect(m.weights.indices.max { m.weights[$0] < m.weights[$1] } == losses.indices.max { losses[$0] < losses[$1] })
        // Uniform π without balancing.
        let u = try GeneratorMixture(config: try tinyRingConfig(), settings: settings(k: 4))
        try u.step()
        #expect(u.weights == [0.25, 0.25, 0.25, 0.25])
    }

    @Test func oneGeneratorNeedsNoClassifierAndBadSettingsAreRejected() throws {
        let single = try GeneratorMixture(config: try tinyRingConfig(), settings: settings(k: 1))
        #expect(single.classifier == nil && single.generators.count == 1)
        try single.step()
        for bad in [settings(k: 0), settings(beta: -1), settings(balanceEvery: -2)] {
            #expect(throws: GANConfigError.self) { try bad.validate() }
        }
        // Batch 32 leaves every one of 9 generators fewer than two rows at the balance floor.
        #expect(throws: GANConfigError.self) { try GeneratorMixture(config: try tinyRingConfig(), settings: settings(k: 9)) }
    }

    @Test func theMixtureSamplesEveryGenerator() throws {
        let m = try GeneratorMixture(config: try tinyRingConfig(), settings: settings())
        let (samples, components) = try m.mixedGenerator().sample(300, key: RandomKey(seed: 1))
        #expect(samples.shape == [300, 2] && Set(components) == [0, 1, 2])
    }
}
