import Foundation
import NN
import Optim
import Tensor
import Testing
@testable import Games

/// A small ring setup: tiny players so each oracle step is cheap.
private func tinyConfig(seed: UInt64 = 0) throws -> GANConfig {
    var c = try TrainingPresets.named("pacgan-ring")
    c.generator.widths = [16]
    c.generator.batchNorm = false
    c.discriminator.widths = [16]
    c.batchSize = 32
    c.seed = seed
    return c
}

private func tinySettings(iterations: Int = 3, cap: Int = 10) -> DoubleOracleSettings {
    var s = DoubleOracleSettings()
    s.iterations = iterations
    s.oracleSteps = 10
    s.warmStartSteps = 20
    s.cap = cap
    s.epsilon = 0
    return s
}

@Suite struct GANDoubleOracleTests {
    @Test func incrementalPayoffsMatchAFullEvaluation() throws {
        let oracle = try GANDoubleOracle(config: try tinyConfig(), settings: tinySettings())
        try oracle.run()
        #expect(oracle.log.count == 3)
        #expect(oracle.generators.count == 4 && oracle.discriminators.count == 4)
        #expect(oracle.generatorSteps == 20 + 3 * 10)
        for (i, g) in oracle.generators.enumerated() {
            for (j, d) in oracle.discriminators.enumerated() {
                #expect(oracle.payoffs[i][j] == oracle.payoff(generator: g, discriminator: d))
            }
        }
        // V = E log D + E log(1 − D) ≤ 0, and the solution is certified.
        #expect(oracle.payoffs.allSatisfy { $0.allSatisfy { $0 < 0 } })
        let s = try oracle.solve()
        #expect(s.exploitability < 1e-9)
        // Gains are measured against the mixture solved at the start of each iteration.
        for r in oracle.log {
            #expect(abs(r.generatorWeights.reduce(0, +) - 1) < 1e-12 && abs(r.discriminatorWeights.reduce(0, +) - 1) < 1e-12)
            #expect(r.generatorGain.isFinite && r.discriminatorGain.isFinite)
        }
    }

    @Test func sameSeedSameRun() throws {
        let a = try GANDoubleOracle(config: try tinyConfig(seed: 5), settings: tinySettings(iterations: 2))
        let b = try GANDoubleOracle(config: try tinyConfig(seed: 5), settings: tinySettings(iterations: 2))
        try a.run()
        try b.run()
        #expect(a.payoffs == b.payoffs)
        let c = try GANDoubleOracle(config: try tinyConfig(seed: 6), settings: tinySettings(iterations: 2))
        try c.run()
        #expect(a.payoffs != c.payoffs)
    }

    @Test func theCapBoundsThePopulation() throws {
        let oracle = try GANDoubleOracle(config: try tinyConfig(), settings: tinySettings(iterations: 5, cap: 2))
        try oracle.run()
        #expect(oracle.generators.count <= 2 && oracle.discriminators.count <= 2)
        #expect(oracle.log.contains { !$0.removals.isEmpty })
        #expect(oracle.payoffs.count == oracle.generators.count && oracle.payoffs.allSatisfy { $0.count == oracle.discriminators.count })
        // Stored ids name the surviving networks, in creation order, among the 6 ever made.
        #expect(oracle.generatorIDs == oracle.generatorIDs.sorted() && oracle.generatorIDs.allSatisfy { (0...5).contains($0) })
    }

    @Test func mixedGeneratorSamplesFromTheSolution() throws {
        let oracle = try GANDoubleOracle(config: try tinyConfig(), settings: tinySettings(iterations: 2))
        try oracle.run()
        let s = try oracle.solve()
        let (samples, components) = try oracle.mixedGenerator().sample(500, key: RandomKey(seed: 3))
        #expect(samples.shape == [500, 2])
        #expect(Set(components).isSubset(of: Set(s.rowSupport)))
    }

    @Test func badSettingsAreRejected() throws {
        var s = DoubleOracleSettings()
        s.solver = "simplex"
        #expect(throws: MetaGameError.self) { try s.validate() }
        s = DoubleOracleSettings()
        s.cap = 0
        #expect(throws: MetaGameError.self) { try s.validate() }
        s = DoubleOracleSettings()
        s.solver = "fictitious-play:100"
        #expect(try s.metaSolver().name == "fictitious-play(100)")
    }

    @Test func elasticWeightConsolidationPenaltyByHand() throws {
        var s = tinySettings(iterations: 0)
        s.ewcLambda = 4
        s.fisherBatches = 3
        s.oracleSteps = 5
        let oracle = try GANDoubleOracle(config: try tinyConfig(), settings: s)
        let network = oracle.generators[0]
        let start = network.parameters.mapValues { $0.detached() }
        // Loss ½·Σ_k θ_k: every gradient entry is ½, so the diagonal Fisher is ¼ everywhere.
        func halfSum() -> Tensor { network.parameters.values.reduce(Tensor(scalar: 0)) { $0 + $1.sum() * 0.5 } }
        let anchor = try #require(try oracle.elasticAnchor(network) { _ in halfSum() })
        for (name, f) in anchor.fisher {
            #expect(f.doubles.allSatisfy { abs($0 - 0.25) < 1e-7 }, "\(name)")
            #expect(anchor.center[name]!.doubles == start[name]!.doubles)
        }
        // From θ = θ* + 1 with no other loss, plain GD contracts θ − θ* by (1 − η·λ·F) per step.
        try network.setParameters(start.mapValues { $0 + 1 })
        var optimizer: any Optimizer = SGD(learningRate: 0.1)
        try oracle.train(network, optimizer: &optimizer, anchor: anchor) { _ in Tensor(scalar: 0) }
        let expected = pow(1 - 0.1 * 4 * 0.25, 5.0)
        for (name, value) in network.parameters {
            for (v, c) in zip(value.doubles, start[name]!.doubles) { #expect(abs((v - c) - expected) < 1e-5, "\(name)") }
        }
        // λ = 0: no anchor at all.
        let off = try GANDoubleOracle(config: try tinyConfig(), settings: tinySettings(iterations: 0))
        #expect(try off.elasticAnchor(off.generators[0]) { _ in halfSum() } == nil)
    }
}
