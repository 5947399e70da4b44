import Foundation
import NN
import Optim
import Tensor
import Testing
@testable import Games

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
        let oracle = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings())
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
        let a = try GANDoubleOracle(config: try tinyRingConfig(seed: 5), settings: tinySettings(iterations: 2))
        let b = try GANDoubleOracle(config: try tinyRingConfig(seed: 5), settings: tinySettings(iterations: 2))
        try a.run()
        try b.run()
        #expect(a.payoffs == b.payoffs)
        let c = try GANDoubleOracle(config: try tinyRingConfig(seed: 6), settings: tinySettings(iterations: 2))
        try c.run()
        #expect(a.payoffs != c.payoffs)
    }

    @Test func theCapBoundsThePopulation() throws {
        let oracle = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings(iterations: 5, cap: 2))
        try oracle.run()
        #expect(oracle.generators.count <= 2 && oracle.discriminators.count <= 2)
        #expect(oracle.log.contains { !$0.removals.isEmpty })
        // Each record names the population its weights refer to, pruned iterations included.
        for r in oracle.log {
            #expect(r.generatorIDs.count == r.generatorWeights.count && r.discriminatorIDs.count == r.discriminatorWeights.count)
        }
        #expect(oracle.payoffs.count == oracle.generators.count && oracle.payoffs.allSatisfy { $0.count == oracle.discriminators.count })
        // Stored ids name the surviving networks, in creation order, among the 6 ever made.
        #expect(oracle.generatorIDs == oracle.generatorIDs.sorted() && oracle.generatorIDs.allSatisfy { (0...5).contains($0) })
    }

    @Test func mixedGeneratorSamplesFromTheSolution() throws {
        let oracle = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings(iterations: 2))
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
        let oracle = try GANDoubleOracle(config: try tinyRingConfig(), settings: s)
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
        for _ in 0..<5 { try oracle.step(network, optimizer: &optimizer, anchor: anchor, loss: Tensor(scalar: 0)) }
        let expected = pow(1 - 0.1 * 4 * 0.25, 5.0)
        for (name, value) in network.parameters {
            for (v, c) in zip(value.doubles, start[name]!.doubles) { #expect(abs((v - c) - expected) < 1e-5, "\(name)") }
        }
        // λ = 0: no anchor at all.
        let off = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings(iterations: 0))
        #expect(try off.elasticAnchor(off.generators[0]) { _ in halfSum() } == nil)
    }

    // MARK: Oracle modes

    @Test func authorsJointTrainsBothTogetherAndCountsEveryStep() throws {
        var s = tinySettings(iterations: 2)
        s.oracle = .authorsJoint
        let joint = try GANDoubleOracle(config: try tinyRingConfig(), settings: s)
        try joint.run()
        // Per minibatch: one step against every stored opponent and one against the new one
        // (1 stored at iteration 0, 2 at iteration 1).
        #expect(joint.generatorSteps == 20 + 10 * 2 + 10 * 3)
        #expect(joint.discriminatorSteps == 20 + 10 * 2 + 10 * 3)
        #expect(joint.generators.count == 3)
        let best = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings(iterations: 2))
        try best.run()
        #expect(best.generatorSteps == 20 + 2 * 10)
        // Same warm start (row 0, column 0), different oracles afterwards.
        #expect(joint.payoffs[0][0] == best.payoffs[0][0])
        #expect(joint.payoffs[2] != best.payoffs[2])
    }

    @Test func sampleOpponentDrawsOneDiscriminatorPerStep() throws {
        var s = tinySettings(iterations: 3)
        s.oracle = .sampleOpponent
        let a = try GANDoubleOracle(config: try tinyRingConfig(seed: 2), settings: s)
        try a.run()
        let b = try GANDoubleOracle(config: try tinyRingConfig(seed: 2), settings: s)
        try b.run()
        #expect(a.payoffs == b.payoffs)
        #expect(a.generatorSteps == 20 + 3 * 10)
        // With one stored discriminator the draw is forced, so iteration 0 equals the σ-weighted oracle.
        let best = try GANDoubleOracle(config: try tinyRingConfig(seed: 2), settings: tinySettings(iterations: 1))
        try best.run()
        #expect(a.payoffs[1][0] == best.payoffs[1][0])
    }

    @Test func scratchInitialisationStartsFromAFreshNetwork() throws {
        var s = tinySettings(iterations: 0)
        s.initialization = .scratch
        let oracle = try GANDoubleOracle(config: try tinyRingConfig(), settings: s)
        let fresh = try oracle.startingPoint(.generator, iteration: 0).parameters
        let newest = oracle.generators[0].parameters
        #expect(fresh.keys.sorted() == newest.keys.sorted())
        #expect(fresh.contains { name, value in value.doubles != newest[name]!.doubles })
        #expect(try oracle.startingPoint(.generator, iteration: 0).parameters.allSatisfy { $0.value.doubles == fresh[$0.key]!.doubles })
        let copy = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings(iterations: 0))
        #expect(try copy.startingPoint(.discriminator, iteration: 0).parameters.allSatisfy { $0.value.doubles == copy.discriminators[0].parameters[$0.key]!.doubles })
    }

    @Test func oracleSettingsAreParsedAndChecked() throws {
        #expect(try OracleMode.parse("Authors-Joint") == .authorsJoint)
        #expect(throws: MetaGameError.self) { try OracleMode.parse("unrolled") }
        #expect(try OracleInitialization.parse("scratch") == .scratch)
        #expect(throws: MetaGameError.self) { try OracleInitialization.parse("zeros") }
        var s = DoubleOracleSettings()
        s.oracle = .authorsJoint
        s.ewcLambda = 10
        #expect(throws: MetaGameError.self) { try s.validate() }
        // EWC anchors at the starting point, which from scratch would be noise.
        s.oracle = .bestResponse
        s.initialization = .scratch
        #expect(throws: MetaGameError.self) { try s.validate() }
    }

    // MARK: Checkpoints

    @Test func resumingReproducesTheUninterruptedRunExactly() throws {
        var s = tinySettings(iterations: 4, cap: 3)
        s.oracle = .sampleOpponent
        let straight = try GANDoubleOracle(config: try tinyRingConfig(seed: 9), settings: s)
        try straight.run()
        s.iterations = 2
        let first = try GANDoubleOracle(config: try tinyRingConfig(seed: 9), settings: s)
        try first.run()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("do-gan-resume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try first.checkpoint(extra: .string("cli")).write(to: directory)
        let checkpoint = try Checkpoint.read(from: directory)
        #expect(try GANDoubleOracle.state(of: checkpoint).extra == .string("cli"))
        let resumed = try GANDoubleOracle(resuming: checkpoint, iterations: 4)
        #expect(resumed.payoffs == first.payoffs && resumed.log == first.log)
        try resumed.run()
        #expect(resumed.payoffs == straight.payoffs)
        #expect(resumed.generatorIDs == straight.generatorIDs && resumed.discriminatorIDs == straight.discriminatorIDs)
        #expect(resumed.generatorSteps == straight.generatorSteps && resumed.discriminatorSteps == straight.discriminatorSteps)
        func withoutTimes(_ log: [GANDoubleOracle.Record]) -> [GANDoubleOracle.Record] { log.map { var r = $0; r.seconds = 0; return r } }
        #expect(withoutTimes(resumed.log) == withoutTimes(straight.log))
        #expect(resumed.log.contains { !$0.removals.isEmpty }, "the cap of 3 prunes during the resumed iterations")
        for (g, h) in zip(resumed.generators, straight.generators) {
            #expect(g.parameters.allSatisfy { $0.value.doubles == h.parameters[$0.key]!.doubles })
        }
    }

    @Test func aForeignOrInconsistentCheckpointIsRejected() throws {
        // A training checkpoint (its config is a GANConfig, not a DO-GAN state).
        let foreign = try Checkpoint(step: 0, key: RandomKey(seed: 1), config: try tinyRingConfig())
        #expect { try GANDoubleOracle(resuming: foreign) } throws: { "\($0)".contains("not a DO-GAN checkpoint") }
        // A DO-GAN checkpoint whose payoff matrix lost a column.
        let oracle = try GANDoubleOracle(config: try tinyRingConfig(), settings: tinySettings(iterations: 1))
        try oracle.run()
        var checkpoint = try oracle.checkpoint()
        var state = try GANDoubleOracle.state(of: checkpoint)
        state.payoffs = state.payoffs.map { Array($0.dropLast()) }
        checkpoint.config = try JSONValue(encoding: state)
        #expect { try GANDoubleOracle(resuming: checkpoint) } throws: { "\($0)".contains("inconsistent") }
        // A missing network.
        var missing = try oracle.checkpoint()
        state = try GANDoubleOracle.state(of: missing)
        state.generatorIDs[1] = 7
        state.nextID = 8
        missing.config = try JSONValue(encoding: state)
        #expect(throws: CheckpointError.self) { try GANDoubleOracle(resuming: missing) }
    }
}
