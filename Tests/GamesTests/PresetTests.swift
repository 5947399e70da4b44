import Datasets
import Foundation
@testable import Games
import NN
import Optim
import Tensor
import Testing

/// The named training presets and the config layer: every preset builds, its frozen values
/// match benchmarks.md §2, overrides are validated with messages that name the field, and a
/// seed fixes every number of a run.
@Suite struct PresetTests {
    /// The synthetic presets (the image presets need image files: ImagePresetTests).
    @Test(arguments: SyntheticData.names)
    func everyPresetValidatesAndBuilds(_ name: String) throws {
        var config = try TrainingPresets.named(name)
        config.evalSamples = 10
        let setup = try config.makeSetup()
        let z = setup.game.sampleLatent(3, key: RandomKey(seed: 1))
        #expect(setup.game.generator(z).shape == [3, setup.data.dimension])
        #expect(setup.game.discriminator(setup.data.sample(3, key: RandomKey(seed: 2))).shape == [3, 1])
    }

    @Test func pacganRingIsThePaperSetting() throws {
        let c = try TrainingPresets.named("pacgan-ring")
        #expect(c.generator.widths == [400, 400, 400, 400] && c.generator.batchNorm && c.generator.activation == "relu")
        #expect(c.discriminator.widths == [200, 200, 200] && c.discriminator.activation == "maxout:5")
        #expect(c.generator.optimizer == OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.8, beta2: 0.999))
        #expect(c.batchSize == 100 && c.latentDim == 2 && c.paperSteps == 400_000)
        #expect(c.evalSamples == 2500)
        let setup = try c.makeSetup()
        // Maxout pieces multiply the affine width: 2 → 1000.
        #expect(setup.game.discriminator.parameters["0.weight"]?.shape == [1000, 2])
        // N(0, 0.02) weights: the sample std of the 400×400 layer is close to 0.02.
        let w = setup.game.generator.parameters["3.weight"]!.doubles  // 0 Linear, 1 BatchNorm, 2 ReLU, 3 Linear
        let std = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.001)
    }

    @Test func wganGPPresetUsesTheToyScriptSettings() throws {
        let c = try TrainingPresets.named("wgangp-25gaussians")
        #expect(try c.parsedObjective() == .wasserstein)
        #expect(try c.parsedSchedule() == .ratio(dSteps: 5, gSteps: 1))
        #expect(try c.parsedPenalties() == [.gradient(.interpolation(weight: 0.1))])
    }

    @Test func unknownPresetListsTheValidOnes() {
        #expect {
            try TrainingPresets.named("ring")
        } throws: { error in
            "\(error)".contains("unknown preset 'ring'") && "\(error)".contains("pacgan-ring")
        }
    }

    @Test func badValuesNameTheirField() throws {
        func message(_ change: (inout GANConfig) -> Void) -> String {
            var c = try! TrainingPresets.named("pacgan-ring")
            change(&c)
            do { try c.validate(); return "" } catch { return "\(error)" }
        }
        #expect(message { $0.steps = 0 }.contains("steps"))
        #expect(message { $0.batchSize = -1 }.contains("batch_size"))
        #expect(message { $0.objective = "nss" }.contains("unknown objective 'nss'"))
        #expect(message { $0.penalties = ["dragon"] }.contains("unknown penalty 'dragon'"))
        #expect(message { $0.schedule = "ratio:0:1" }.contains("schedule"))
        #expect(message { $0.generator.activation = "swish" }.contains("generator.activation"))
        #expect(message { $0.discriminator.optimizer.lr = -1 }.contains("discriminator.optimizer.lr"))
        #expect(message { $0.discriminator.optimizer.name = "adagrad" }.contains("unknown optimiser 'adagrad'"))
        #expect(message { $0.data = DataSpec(means: [[0, 0], [1]], std: 0.1) }.contains("data.means"))
        #expect(message { $0.emaDecay = 1 }.contains("ema_decay"))
        #expect(message { $0.lrDecay = "cosine" }.contains("lr_decay"))
        #expect(message { $0.lrDecay = "linear:1.5" }.contains("lr_decay"))
        #expect(message { $0.generator.outputBias = [.nan] }.contains("generator.output_bias"))
        #expect(message { $0.generator.widths = [0] }.contains("generator.widths"))
    }

    @Test func linearDecayHoldsThenFallsToZeroAtTheLastStep() throws {
        var c = try TrainingPresets.named("two-gaussians-1d")
        c.steps = 100
        #expect(try c.learningRateFactor(step: 0) == 1)  // "none"
        c.lrDecay = "linear:0.5"
        #expect(try c.learningRateFactor(step: 0) == 1)
        #expect(try c.learningRateFactor(step: 50) == 1)
        #expect(try c.learningRateFactor(step: 75) == 0.5)
        #expect(try c.learningRateFactor(step: 99) == 0.02)
        c.lrDecay = "linear"
        #expect(try c.learningRateFactor(step: 25) == 0.75)
    }

    /// The schedule is a function of the step, so checkpoint → restore → continue gives the
    /// parameters of an uninterrupted run bit for bit.
    @Test func decayedRunResumesExactly() throws {
        var c = try TrainingPresets.named("two-gaussians-1d")
        c.batchSize = 16
        c.generator.widths = [8]
        c.discriminator.widths = [8]
        c.steps = 8
        c.lrDecay = "linear:0.75"
        func train(_ setup: GANSetup, until step: Int) throws {
            while setup.trainer.step < step {
                try setup.applyLearningRateSchedule()
                try setup.trainer.step(from: setup.data)
            }
        }
        let straight = try c.makeSetup()
        try train(straight, until: 8)
        #expect(straight.trainer.generatorOptimizer.learningRate < c.generator.optimizer.lr * 0.2)

        let first = try c.makeSetup()
        try train(first, until: 3)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("decay-resume-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try first.trainer.checkpoint(config: .object([:])).write(to: directory)
        var other = c
        other.seed = 99  // different initialisation, replaced by the checkpoint
        let resumed = try other.makeSetup()
        try resumed.trainer.restore(from: Checkpoint.read(from: directory))
        try train(resumed, until: 8)
        #expect(resumed.game.generator.parameters.mapValues(\.doubles) == straight.game.generator.parameters.mapValues(\.doubles))
        #expect(resumed.game.discriminator.parameters.mapValues(\.doubles) == straight.game.discriminator.parameters.mapValues(\.doubles))
    }

    /// A config saved before `lr_decay` existed still decodes (resuming old run directories).
    @Test func configWithoutNewerFieldsDecodes() throws {
        let c = try TrainingPresets.named("pacgan-ring")
        var json = try JSONSerialization.jsonObject(with: GANConfig.jsonEncoder().encode(c)) as! [String: Any]
        json["lr_decay"] = nil
        let decoded = try GANConfig.jsonDecoder().decode(GANConfig.self, from: JSONSerialization.data(withJSONObject: json))
        #expect(decoded == c)
    }

    /// S1 of `many-paths.md` §3.4: the linear generator starts as z ↦ (z, Δ, 0, …) with Δ = 2,
    /// a segment parallel to the data's, off its support.
    @Test(arguments: ["segment-d2", "segment-d10", "segment-d100"])
    func segmentPresetsStartTheLinearGeneratorOffTheSupport(_ name: String) throws {
        let c = try TrainingPresets.named(name)
        #expect(c.generator.widths.isEmpty && c.latent == "uniform" && c.latentDim == 1 && c.steps == 20_000)
        let setup = try c.makeSetup()
        let d = setup.data.dimension
        let z = Tensor([-1.0, 0.0, 0.5], shape: [3, 1]).cast(to: .float32)
        let x = setup.game.generator(z).doubles
        for (i, t) in [-1.0, 0.0, 0.5].enumerated() {
            var expected = [Double](repeating: 0, count: d)
            expected[0] = t
            expected[1] = 2
            #expect(Array(x[i * d ..< (i + 1) * d]) == expected)
        }
    }

    @Test func outputBiasIsPaddedWithZerosAndMustFit() throws {
        var c = try TrainingPresets.named("segment-d10")
        c.generator.outputBias = [0, 5]
        let bias = try c.makeSetup().game.generator.parameters["0.bias"]!.doubles
        #expect(bias == [0, 5] + Array(repeating: 0, count: 8))
        // A config file may set it on a preset that leaves it unset (S2: the ring from (5, 5)).
        let ring = try TrainingPresets.named("pacgan-ring").overlaying(["generator": ["output_bias": [5.0, 5.0]]])
        #expect(ring.generator.outputBias == [5, 5])
        c.generator.outputBias = Array(repeating: 1, count: 11)
        #expect { try c.makeSetup() } throws: { "\($0)".contains("generator.output_bias") && "\($0)".contains("11 entries for 10 outputs") }
    }

    @Test func overlayChangesNamedFieldsAndRejectsUnknownKeys() throws {
        let base = try TrainingPresets.named("pacgan-ring")
        let changed = try base.overlaying(["steps": 123, "generator": ["optimizer": ["lr": 0.01]], "penalties": ["dragan"]])
        #expect(changed.steps == 123)
        #expect(changed.generator.optimizer.lr == 0.01)
        #expect(changed.generator.optimizer.beta1 == 0.8)  // untouched siblings keep the preset's values
        #expect(changed.penalties == ["dragan"])
        #expect(throws: GANConfigError.self) { try base.overlaying(["stpes": 5]) }
        do {
            _ = try base.overlaying(["generator": ["widht": [3]]])
            Issue.record("an unknown nested key was accepted")
        } catch {
            #expect("\(error)".contains("generator.widht") && "\(error)".contains("widths"))
        }
        #expect(throws: GANConfigError.self) { try base.overlaying(["steps": "many"]) }
    }

    @Test func userMixtureReplacesThePresetData() throws {
        let base = try TrainingPresets.named("pacgan-grid")
        let c = try base.overlaying(["data": ["means": [[-3.0, 0.0], [3.0, 0.0], [0.0, 3.0]], "std": 0.1]])
        #expect(c.data.preset == nil)
        let setup = try c.makeSetup()
        #expect(setup.modal?.modes.count == 3)
        #expect(setup.dataName.contains("user mixture"))
    }

    @Test func sameSeedSameRunDifferentSeedDifferentRun() throws {
        func firstSteps(seed: UInt64) throws -> [Double] {
            var c = try TrainingPresets.named("two-gaussians-1d")
            c.seed = seed
            c.batchSize = 32
            c.generator.widths = [16]
            c.discriminator.widths = [16]
            let setup = try c.makeSetup()
            return try (0..<3).flatMap { _ -> [Double] in
                let r = try setup.trainer.step(from: setup.data)
                return [r.discriminatorLoss, r.generatorLoss]
            }
        }
        #expect(try firstSteps(seed: 4) == firstSteps(seed: 4))
        #expect(try firstSteps(seed: 4) != firstSteps(seed: 5))
    }
}
