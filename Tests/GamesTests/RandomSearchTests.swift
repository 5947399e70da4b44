import Foundation
@testable import Games
import Optim
import Tensor
import Testing

/// The random hyper-parameter search of many-paths.md §4: the spec's search space, draws
/// that are seeded, paired across models and independent of the search's size, models parsed
/// with precise errors, and configurations applied exactly.
@Suite struct RandomSearchTests {
    @Test func defaultsAreTheSpecSearchSpace() throws {
        let space = try SearchSpace()
        #expect(space.learningRate == (try LogUniformRange(1e-5, 1e-2)))
        #expect(space.beta1 == [0, 0.5, 0.9] && space.beta2 == 0.999 && space.wassersteinBeta2 == 0.9)
        #expect(space.discriminatorSteps == [1, 2, 5])
        #expect(space.penaltyWeight == (try LogUniformRange(0.1, 100)))
        #expect(SearchModel.manyPaths.map(\.label) == ["mm", "ns", "wgan+wgan-gp", "ns+gan-gp", "ns+dragan"])
    }

    @Test func logUniformRangeMapsUniformsToLogSpace() throws {
        let r = try LogUniformRange(parsing: "1e-5:1e-2")
        #expect(r.value(at: 0) == 1e-5)
        #expect(abs(r.value(at: 0.5) - pow(10, -3.5)) < 1e-15)
        #expect(abs(r.value(at: 2.0 / 3) - 1e-3) < 1e-15)
        #expect(try LogUniformRange(parsing: "0.3").value(at: 0.7) == 0.3)
        for bad in ["", "1e-2:1e-5", "0:1", "a:b", "1:2:3", "-1:1"] {
            #expect(throws: GANConfigError.self, "\(bad)") { try LogUniformRange(parsing: bad) }
        }
    }

    @Test func drawsAreSeededAndIndependentOfTheSearchSize() throws {
        let space = try SearchSpace()
        let first = (0..<30).map { space.draw(index: $0, seed: 7) }
        let again = (0..<50).map { space.draw(index: $0, seed: 7) }
        #expect(Array(again.prefix(30)) == first)
        let other = (0..<30).map { space.draw(index: $0, seed: 8) }
        #expect(zip(first, other).filter { $0.learningRate == $1.learningRate }.isEmpty)
        #expect(first.map(\.trainingSeed) == (0..<30).map { UInt64($0) })
    }

    @Test func drawsCoverTheirRanges() throws {
        let space = try SearchSpace()
        let draws = (0..<3000).map { space.draw(index: $0, seed: 1) }
        #expect(draws.allSatisfy { (1e-5...1e-2).contains($0.learningRate) && (0.1...100).contains($0.penaltyWeight) })
        // log10(lr) is uniform on [−5, −2]: mean −3.5, standard error 0.87/√3000 ≈ 0.016.
        let meanLog = draws.map { log10($0.learningRate) }.reduce(0, +) / Double(draws.count)
        #expect(abs(meanLog + 3.5) < 0.08)
        let meanLogLambda = draws.map { log10($0.penaltyWeight) }.reduce(0, +) / Double(draws.count)
        #expect(abs(meanLogLambda - 0.5) < 0.08)
        // Each choice about a third of the time (standard error 0.0086).
        for beta1 in space.beta1 {
            let share = Double(draws.filter { $0.beta1 == beta1 }.count) / Double(draws.count)
            #expect(abs(share - 1.0 / 3) < 0.04, "β1 \(beta1): \(share)")
        }
        for steps in space.discriminatorSteps {
            let share = Double(draws.filter { $0.discriminatorSteps == steps }.count) / Double(draws.count)
            #expect(abs(share - 1.0 / 3) < 0.04, "n_D \(steps): \(share)")
        }
    }

    @Test func modelsParseWithPreciseErrors() throws {
        let dragan = try SearchModel(parsing: "ns+dragan")
        #expect(dragan.objective == "ns" && dragan.penalties == ["dragan"] && dragan.usesPenaltyWeight && !dragan.isWasserstein)
        #expect(try SearchModel(parsing: "wgan+wgan-gp").isWasserstein)
        #expect(try !SearchModel(parsing: "hinge+r1:10").usesPenaltyWeight)
        #expect(try !SearchModel(parsing: "ns").usesPenaltyWeight)
        let cases: [(String, String)] = [
            ("", "empty part"), ("ns+", "empty part"), ("foo", "unknown objective 'foo'"),
            ("ns+none", "leave out 'none'"), ("ns+bogus", "unknown penalty 'bogus'"),
        ]
        for (text, message) in cases {
            do {
                _ = try SearchModel(parsing: text)
                Issue.record("'\(text)' parsed")
            } catch {
                #expect(error.description.contains(message), "\(text): \(error.description)")
                #expect(error.description.contains("model"))
            }
        }
    }

    @Test func applyingADrawSetsExactlyTheDrawnFields() throws {
        let space = try SearchSpace()
        let base = try TrainingPresets.named("pacgan-ring")
        let draw = SearchDraw(index: 4, learningRate: 3e-4, beta1: 0.5, discriminatorSteps: 5, penaltyWeight: 2.5)
        let wgan = try draw.applied(to: base, model: try SearchModel(parsing: "wgan+wgan-gp"), space: space)
        #expect(wgan.objective == "wgan" && wgan.penalties == ["wgan-gp"] && wgan.penaltyWeight == 2.5)
        #expect(wgan.schedule == "ratio:5:1" && wgan.seed == 4)
        for optimizer in [wgan.generator.optimizer, wgan.discriminator.optimizer] {
            #expect(optimizer == OptimizerSpec(name: "adam", lr: 3e-4, beta1: 0.5, beta2: 0.9))
        }
        let ns = try draw.applied(to: base, model: try SearchModel(parsing: "ns"), space: space)
        #expect(ns.penalties.isEmpty && ns.penaltyWeight == base.penaltyWeight)
        #expect(ns.generator.optimizer.beta2 == 0.999 && ns.discriminator.optimizer.beta2 == 0.999)
        try ns.validate()
        // Everything else is the base's.
        var undone = ns
        undone.objective = base.objective; undone.schedule = base.schedule; undone.seed = base.seed
        undone.generator.optimizer = base.generator.optimizer; undone.discriminator.optimizer = base.discriminator.optimizer
        #expect(undone == base)

        var sgd = base
        sgd.discriminator.optimizer.name = "sgd"
        #expect(throws: GANConfigError.self) { try draw.applied(to: sgd, model: SearchModel.manyPaths[0], space: space) }
    }

    @Test func searchSpaceRejectsBadChoices() {
        #expect(throws: GANConfigError.self) { try SearchSpace(beta1: []) }
        #expect(throws: GANConfigError.self) { try SearchSpace(beta1: [1]) }
        #expect(throws: GANConfigError.self) { try SearchSpace(beta2: 1) }
        #expect(throws: GANConfigError.self) { try SearchSpace(discriminatorSteps: [0, 1]) }
    }

    @Test func successNeedsBothModesAndQuality() {
        let rule = SearchSuccess()
        #expect(rule.isSuccess(modesCovered: 7, highQualityFraction: 0.8))
        #expect(!rule.isSuccess(modesCovered: 6, highQualityFraction: 0.99))
        #expect(!rule.isSuccess(modesCovered: 8, highQualityFraction: 0.79))
        #expect(rule.description == "≥ 7 modes covered and ≥ 80 % high-quality samples at the end")
    }
}
