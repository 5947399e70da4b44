import Datasets
import Games
import Metrics
import Tensor
import Testing

/// The README's GAN library example, run as written but for 20 steps instead of 2,000.
struct ReadmeGANExampleTests {
    @Test func presetTrainingLoopRunsAndIsMeasured() throws {
        var config = try TrainingPresets.named("pacgan-ring")
        config.penalties = ["dragan"]
        config.steps = 20
        let setup = try config.makeSetup()
        for _ in 0..<config.steps { try setup.trainer.step(from: setup.data) }
        setup.game.generator.isTraining = false
        let samples = setup.game.generator(setup.game.sampleLatent(2500, key: RandomKey(seed: 1)))
        let coverage = try ModeCoverage(setup.modal!).evaluate(samples, context: MetricContext(dataset: "pacgan-ring", seeds: [0]))
        #expect(coverage.sampleCount == 2500 && coverage.modeCount == 8)
        #expect(coverage.report.contains("protocol:"))
        #expect(setup.trainer.step == 20)
    }
}
