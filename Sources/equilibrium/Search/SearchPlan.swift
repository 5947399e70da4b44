import Equilibrium
import Foundation

/// The runs of a random search: every model × every drawn configuration, one `train` child
/// each, in DIR/<model>/config-<k>. Every run's config is resolved and validated before any
/// child starts.
struct SearchPlan {
    let preset: String
    let configPath: String?
    let models: [SearchModel]
    let draws: [SearchDraw]
    let space: SearchSpace
    let sampleSeed: UInt64
    let steps: Int?
    let directory: String
    /// `cellIndex` is the model's index, `seed` the configuration index (= its training seed).
    let runs: [SweepRun]
    /// Generator steps of every run (`steps`, else the preset's); draws never change it.
    let stepsPerRun: Int

    init(preset: String?, configPath: String?, models: [SearchModel], configurations: Int, space: SearchSpace,
         sampleSeed: UInt64, steps: Int?, directory: String) throws {
        var base = try SweepPlan.resolve(preset: preset, configPath: configPath)
        if let steps { base.steps = steps }
        let names = models.map { SweepCell.sanitized($0.label) }
        if let clash = names.indices.first(where: { names[..<$0].contains(names[$0]) }) {
            throw SweepError("model '\(models[clash].label)' is given twice (or shares its directory name with another)")
        }
        self.preset = base.preset
        self.configPath = configPath
        self.models = models
        self.space = space
        self.sampleSeed = sampleSeed
        self.steps = steps
        stepsPerRun = base.steps
        self.directory = directory
        draws = (0..<configurations).map { space.draw(index: $0, seed: sampleSeed) }
        var runs: [SweepRun] = []
        for (m, model) in models.enumerated() {
            for draw in draws {
                do {
                    let config = try draw.applied(to: base, model: model, space: space)
                    if draw.index == 0 {
                        try config.validate()
                    } else {
                        // The draws change only these fields; a full validate() would also
                        // draw the preset's finite data set again (~0.1 s a run).
                        try config.generator.validate(player: "generator")
                        try config.discriminator.validate(player: "discriminator")
                        _ = try config.parsedSchedule()
                        _ = try config.parsedPenalties()
                    }
                } catch {
                    throw SweepError("model \(model.label), configuration \(draw.index): \(error)")
                }
                let runDirectory = ((directory as NSString).appendingPathComponent(names[m]) as NSString)
                    .appendingPathComponent("config-\(draw.index)")
                runs.append(SweepRun(cellIndex: m, seed: draw.trainingSeed, directory: runDirectory,
                                     arguments: Self.trainArguments(preset: base.preset, configPath: configPath, model: model,
                                                                    draw: draw, space: space, steps: steps, out: runDirectory)))
            }
        }
        self.runs = runs
    }

    /// The draw of a run.
    func draw(of run: SweepRun) -> SearchDraw { draws[Int(run.seed)] }

    /// `train` flags that give exactly `draw.applied(to:model:space:)` on the preset and base
    /// file: objective, penalties, both learning rates and betas, the schedule, λ for
    /// penalised models, and the seed. Numbers print in Swift's shortest round-trip form, so
    /// the child parses back the same doubles.
    static func trainArguments(preset: String, configPath: String?, model: SearchModel, draw: SearchDraw, space: SearchSpace,
                               steps: Int?, out: String) -> [String] {
        var arguments = ["train", "--preset", preset]
        if let configPath { arguments += ["--config", configPath] }
        arguments += ["--objective", model.objective]
        for penalty in model.penalties.isEmpty ? ["none"] : model.penalties { arguments += ["--penalty", penalty] }
        arguments += ["--lr-g", "\(draw.learningRate)", "--lr-d", "\(draw.learningRate)",
                      "--beta1", "\(draw.beta1)", "--beta2", "\(draw.beta2(for: model, in: space))",
                      "--schedule", draw.schedule]
        if model.usesPenaltyWeight { arguments += ["--penalty-weight", "\(draw.penaltyWeight)"] }
        if let steps { arguments += ["--steps", String(steps)] }
        arguments += ["--seed", String(draw.trainingSeed), "--out", out]
        return arguments
    }
}
