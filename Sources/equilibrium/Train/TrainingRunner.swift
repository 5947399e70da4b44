import ArgumentParser
import Equilibrium
import Foundation

/// Runs one configured GAN training: steps with a progress line, evaluations every
/// `evalEvery` steps (metrics.jsonl, each line with its protocol), plots, checkpoints
/// (atomic; never overwritten by a diverged state) and summary.json.
final class TrainingRunner {
    struct Diverged: Error, CustomStringConvertible {
        let description: String
    }

    let config: GANConfig
    let setup: GANSetup
    let directory: RunDirectory
    let startStep: Int
    /// Latent batch and reference samples of every evaluation: fixed, so evaluations are
    /// comparable across steps and runs of the same seed.
    let evalKey: RandomKey
    /// Classifier-based image metrics, when the config names a classifier.
    let imageEvaluator: ImageEvaluator?
    private var history: [[String: Any]] = []
    private var losses: [(step: Int, d: Double, g: Double)] = []

    init(config: GANConfig, directory path: String, resumeFrom checkpoint: Checkpoint?) throws {
        self.config = config
        setup = try config.makeSetup()
        if let checkpoint { try setup.trainer.restore(from: checkpoint) }
        startStep = checkpoint?.step ?? 0
        directory = try RunDirectory(path: path, append: checkpoint != nil)
        if checkpoint != nil {
            try directory.keepMetrics(before: startStep)
            history = Self.readHistory(directory.file("metrics.jsonl"))
        }
        evalKey = RandomKey(seed: config.seed).folded(in: 0xE7A1)
        if let classifier = config.classifier, let images = try config.resolvedImages() {
            if images.stackedFrom != nil {
                imageEvaluator = try ImageEvaluator(stackedClassifierDirectory: classifier)
            } else {
                guard let test = images.test else {
                    throw ValidationError("\(config.data.images!) has no test split for the classifier metrics' reference")
                }
                imageEvaluator = try ImageEvaluator(classifierDirectory: classifier, reference: test,
                                                    referenceName: "\(config.data.images!) test split", referenceCount: 10_000)
            }
        } else {
            imageEvaluator = nil
        }
        try directory.write("config.json", data: try ConfigLoader.encoder().encode(config))
    }

    static func readHistory(_ path: String) -> [[String: Any]] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return [] }
        return text.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Foundation.Data($0.utf8)) as? [String: Any]
        }
    }

    var protocolContext: MetricContext {
        // Naming an evaluation classifier changes what is measured, not the training: it does
        // not make a run "modified" (the classifier is in every metric's protocol anyway).
        var training = config
        training.classifier = nil
        let preset = (try? TrainingPresets.named(config.preset)).map { $0 == training } ?? false
        return MetricContext(dataset: setup.dataName, modified: !preset, seeds: [config.seed], key: evalKey,
                             batchNormMode: config.generator.batchNorm ? "eval (running statistics)" : "n/a",
                             codeVersion: CodeVersion.current)
    }

    func run() throws {
        let trainer = setup.trainer
        let progress = ProgressLine(label: "train \(config.preset)", unit: "steps")
        print("training \(config.preset): objective \(config.objective), penalties \(config.penalties.isEmpty ? "none" : config.penalties.joined(separator: ", ")), schedule \(config.schedule), \(config.steps) steps (paper: \(config.paperSteps)), batch \(config.batchSize), seed \(config.seed) → \(directory.path)")
        if startStep > 0 { print("resuming at step \(startStep)") }
        fflush(nil)  // flush stdout before the progress line, which goes to stderr
        let clock = ContinuousClock.now
        var latest = ""
        var lastGood = startStep
        while trainer.step < config.steps {
            try setup.applyLearningRateSchedule()
            let report: StepReport
            do {
                report = try trainer.step(from: setup.data)
            } catch {
                progress.finish()
                try writeSummary(wallSeconds: (ContinuousClock.now - clock).seconds, diverged: "\(error)")
                throw Diverged(description: "\(error). Parameters are those of step \(trainer.step); the last checkpoint (step \(lastGood)) in \(directory.file("checkpoint")) is intact.")
            }
            losses.append((trainer.step, report.discriminatorLoss, report.generatorLoss))
            let step = trainer.step
            let evaluate = step % config.evalEvery == 0 || step == config.steps
            if evaluate {
                // One batch of generated samples serves the metrics and the plots.
                let generated = samples(setup.game.generator)
                let record = try evaluation(step: step, report: report, generated: generated)
                history.append(record)
                try directory.appendMetrics(record)
                latest = Self.short(record)
                try writePlots(step: step, generated: generated)
            }
            if step == config.steps || (config.checkpointEvery > 0 && step % config.checkpointEvery == 0) {
                try trainer.checkpoint(config: try JSONValue(encoding: config)).write(to: directory.file("checkpoint"))
                lastGood = step
            }
            progress.update(done: step, total: config.steps, detail: latest, force: evaluate)
        }
        progress.finish()
        let wall = (ContinuousClock.now - clock).seconds
        let summary = try writeSummary(wallSeconds: wall, diverged: nil)
        print(Self.describe(summary))
        print("wrote \(directory.path)/{summary.json,metrics.jsonl,samples.png,curves.png,checkpoint/}")
    }

    // MARK: Evaluation

    /// Measures `generated` (the generator's samples, BatchNorm in eval mode); also the EMA
    /// generator when one is kept.
    func evaluation(step: Int, report: StepReport, generated: Tensor) throws -> [String: Any] {
        var record: [String: Any] = [
            "step": step, "d_loss": report.discriminatorLoss, "g_loss": report.generatorLoss,
            "d_grad_norm": report.discriminatorGradientNorm, "g_grad_norm": report.generatorGradientNorm,
        ]
        for p in report.penalties { record["penalty_\(p.name)"] = p.value }
        if let g = report.inputGradients {
            record["grad_x_real_mean"] = g.realMean
            record["grad_x_real_max"] = g.realMax
            record["grad_x_fake_mean"] = g.fakeMean
            record["grad_x_fake_max"] = g.fakeMax
        }
        // The evaluation's data sample, drawn once for the live and the EMA generator alike.
        let reference = setup.data.sample(config.evalSamples, key: evalKey.folded(in: 1), dtype: generated.dtype)
        for (key, value) in try metrics(of: generated, generator: setup.game.generator, reference: reference) { record[key] = value }
        if setup.trainer.generatorEMA != nil {
            let ema = try setup.trainer.withAveragedGenerator(.exponential) {
                try metrics(of: samples($0), generator: $0, reference: reference)
            }
            for (key, value) in ema { record["ema_" + key] = value }
        }
        return record
    }

    func samples(_ generator: any Layer) -> Tensor {
        let wasTraining = generator.isTraining
        generator.isTraining = false
        defer { generator.isTraining = wasTraining }
        return generator(setup.game.sampleLatent(config.evalSamples, key: evalKey)).detached()
    }

    /// The generator's support as a segment, when it has one: an affine generator (no hidden
    /// layer, identity output) of a 1-D uniform latent maps U[−1, 1) onto b + a·[−1, 1).
    func affineSegment(of generator: any Layer) -> LineSegment? {
        guard let mlp = generator as? MLP, mlp.widths.count == 2, mlp.widths[0] == 1,
              config.latent.lowercased() == "uniform", config.generator.outputActivation.lowercased() == "identity",
              let weight = mlp.parameters["0.weight"], let bias = mlp.parameters["0.bias"] else { return nil }
        let direction = weight.doubles
        guard direction.contains(where: { $0 != 0 }) else { return nil }
        return LineSegment(origin: bias.doubles, direction: direction, lower: -1, upper: 1)
    }

    func metrics(of samples: Tensor, generator: any Layer, reference: Tensor) throws -> [String: Any] {
        var result: [String: Any] = [:]
        if let segment = setup.data as? LineSegment {
            // Fedus et al.'s S1 trackers: distance to the data's segment, coverage along it,
            // and (affine generators) the exact JS, log 2 while the supports stay disjoint.
            let coverage = try SegmentCoverage(segment: segment)
                .evaluate(samples, generatorSegment: affineSegment(of: generator), context: protocolContext)
            result["off_manifold_distance"] = coverage.offManifoldDistance
            result["coverage_w1"] = coverage.coverageW1
            result["segment_success"] = coverage.success
            if let js = coverage.analyticJS { result["js_analytic"] = js }
            result["protocol"] = coverage.metricProtocol.line
        }
        if let modal = setup.modal {
            let coverage = try ModeCoverage(modal).evaluate(samples, context: protocolContext)
            result["modes_covered"] = coverage.modesCovered
            result["modes_total"] = coverage.modeCount
            result["high_quality_fraction"] = coverage.highQualityFraction
            result["reverse_kl"] = coverage.isUndefined ? "nan" : coverage.reverseKL
            result["jsd_modes"] = coverage.isUndefined ? "nan" : coverage.jensenShannon
            result["protocol"] = coverage.metricProtocol.line
        }
        let sliced = try SlicedWasserstein().evaluate(samples.rank > 2 ? samples.flattened(from: 1) : samples,
                                                      reference: reference.rank > 2 ? reference.flattened(from: 1) : reference,
                                                      context: protocolContext)
        result["sliced_w1"] = sliced.value
        result["sliced_w1_protocol"] = sliced.metricProtocol.line
        if let imageEvaluator, samples.rank == 4 {
            for (key, value) in try imageEvaluator.metrics(of: samples, context: protocolContext) { result[key] = value }
        }
        if samples.rank == 2 && samples.shape[1] <= 2 {
            let histogram = try HistogramDivergence(bins: 50).evaluate(samples, reference: reference, context: protocolContext)
            result["hist_js"] = histogram.jensenShannon
            result["hist_tv"] = histogram.totalVariation
            if result["protocol"] == nil { result["protocol"] = histogram.metricProtocol.line }
            result["hist_protocol"] = histogram.metricProtocol.line
        }
        return result
    }

    static func short(_ record: [String: Any]) -> String {
        var parts: [String] = []
        if let m = record["modes_covered"] as? Int, let t = record["modes_total"] as? Int { parts.append("modes \(m)/\(t)") }
        if let hq = record["high_quality_fraction"] as? Double { parts.append(String(format: "HQ %.1f%%", 100 * hq)) }
        if let kl = record["reverse_kl"] as? Double { parts.append(String(format: "KL %.3f", kl)) }
        if let distance = record["off_manifold_distance"] as? Double { parts.append(String(format: "off-segment %.3f", distance)) }
        if let w1 = record["coverage_w1"] as? Double { parts.append(String(format: "W1 %.3f", w1)) }
        if let js = record["js_analytic"] as? Double { parts.append(String(format: "JS %.3f", js)) }
        if let js = record["hist_js"] as? Double { parts.append(String(format: "JS(hist) %.3f", js)) }
        if let score = record["classifier_score"] as? Double { parts.append(String(format: "IS %.2f", score)) }
        if let fcd = record["fcd"] as? Double { parts.append(String(format: "FCD %.2f", fcd)) }
        if let modes = record["stacked_modes"] as? Int, let kl = record["stacked_kl"] as? Double {
            parts.append(String(format: "modes %d/1000 KL %.3f", modes, kl))
        }
        if let p = record["precision"] as? Double, let r = record["recall"] as? Double { parts.append(String(format: "P %.2f R %.2f", p, r)) }
        if record["modes_covered"] == nil, let sw = record["sliced_w1"] as? Double { parts.append(String(format: "SW1 %.3f", sw)) }
        if let d = record["d_loss"] as? Double, let g = record["g_loss"] as? Double { parts.append(String(format: "L_D %.3f L_G %.3f", d, g)) }
        return parts.joined(separator: "  ")
    }

    // MARK: Outputs

    @discardableResult
    func writeSummary(wallSeconds: Double, diverged: String?) throws -> [String: Any] {
        let last = history.last ?? [:]
        var summary: [String: Any] = [
            "preset": config.preset, "steps": setup.trainer.step, "steps_requested": config.steps,
            "seed": config.seed, "wall_seconds": wallSeconds, "objective": config.objective,
            "penalties": config.penalties, "schedule": config.schedule, "paper_steps": config.paperSteps,
            "steps_per_second": Double(setup.trainer.step - startStep) / max(wallSeconds, 1e-9),
        ]
        for key in ["modes_covered", "modes_total", "high_quality_fraction", "reverse_kl", "jsd_modes", "hist_js", "hist_tv",
                    "protocol", "ema_modes_covered", "ema_high_quality_fraction", "ema_reverse_kl", "sliced_w1",
                    "classifier_score", "classifier_score_std", "classifier_score_protocol", "fcd", "fcd_protocol",
                    "precision", "recall", "precision_recall_protocol", "ema_classifier_score", "ema_fcd",
                    "stacked_modes", "stacked_kl", "stacked_protocol", "ema_stacked_modes", "ema_stacked_kl"] {
            summary[key] = last[key] ?? NSNull()
        }
        if setup.data is LineSegment {
            for key in ["off_manifold_distance", "coverage_w1", "segment_success", "js_analytic"] { summary[key] = last[key] ?? NSNull() }
            // How long JS said nothing: the fraction of evaluations at which it was exactly log 2.
            let js = history.compactMap { $0["js_analytic"] as? Double }
            if !js.isEmpty { summary["js_analytic_flat_fraction"] = Double(js.filter { abs($0 - log(2.0)) < 1e-12 }.count) / Double(js.count) }
        }
        // Many Paths' S2 question: how often a divergence estimate went up between consecutive
        // evaluations (a run that converges need not decrease it at every step).
        for key in ["hist_js", "sliced_w1"] {
            let values = history.compactMap { $0[key] as? Double }
            if values.count >= 2 {
                summary[key + "_increase_fraction"] = Double(zip(values, values.dropFirst()).filter { $1 > $0 }.count) / Double(values.count - 1)
            }
        }
        if let diverged { summary["diverged"] = diverged }
        try directory.writeJSON("summary.json", summary)
        return summary
    }

    static func describe(_ s: [String: Any]) -> String {
        var lines = ["summary (\(s["preset"]!), seed \(s["seed"]!), \(s["steps"]!) steps, \(String(format: "%.1f", s["wall_seconds"] as? Double ?? 0)) s):"]
        if let m = s["modes_covered"] as? Int, let t = s["modes_total"] as? Int {
            lines.append("  modes covered        \(m) / \(t)")
        }
        if let hq = s["high_quality_fraction"] as? Double { lines.append(String(format: "  high-quality samples %.1f%%", 100 * hq)) }
        if let kl = s["reverse_kl"] as? Double { lines.append(String(format: "  reverse KL (modes)   %.4f", kl)) }
        if let d = s["off_manifold_distance"] as? Double { lines.append(String(format: "  off-segment distance %.4f", d)) }
        if let w1 = s["coverage_w1"] as? Double { lines.append(String(format: "  coverage W1          %.4f", w1)) }
        if let ok = s["segment_success"] as? Bool { lines.append("  S1 success           \(ok ? "yes" : "no") (distance and W1 < 0.05)") }
        if let js = s["js_analytic"] as? Double { lines.append(String(format: "  JS (exact)           %.4f", js)) }
        if let js = s["hist_js"] as? Double { lines.append(String(format: "  JS (histogram)       %.4f", js)) }
        if let sw = s["sliced_w1"] as? Double { lines.append(String(format: "  sliced W1            %.4f", sw)) }
        if let score = s["classifier_score"] as? Double, let std = s["classifier_score_std"] as? Double {
            lines.append(String(format: "  classifier score     %.3f ± %.3f (std over splits)", score, std))
        }
        if let fcd = s["fcd"] as? Double { lines.append(String(format: "  FCD                  %.4f", fcd)) }
        if let p = s["precision"] as? Double, let r = s["recall"] as? Double {
            lines.append(String(format: "  precision / recall   %.3f / %.3f", p, r))
        }
        if let modes = s["stacked_modes"] as? Int, let kl = s["stacked_kl"] as? Double {
            lines.append(String(format: "  stacked modes / KL   %d / 1000, KL %.4f", modes, kl))
        }
        for key in ["classifier_score_protocol", "fcd_protocol", "precision_recall_protocol", "stacked_protocol"] {
            if let line = s[key] as? String { lines.append("  " + line) }
        }
        if let p = s["protocol"] as? String { lines.append("  " + p) }
        return lines.joined(separator: "\n")
    }

    func writePlots(step: Int, generated: Tensor) throws {
        let plots = TrainingPlots(config: config, setup: setup, evalKey: evalKey)
        if generated.rank == 4 {
            // Images: the latest grid, one per evaluation under grids/ (same noise every time),
            // the EMA generator's beside it, and the data once for comparison.
            let title = "\(config.preset) step \(step)"
            try plots.writeImageGrid(to: directory.file("samples.png"), images: generated, title: title)
            try directory.makeSubdirectory("grids")
            try plots.writeImageGrid(to: directory.file(String(format: "grids/step-%07d.png", step)), images: generated, title: title)
            if setup.trainer.generatorEMA != nil {
                let ema = try setup.trainer.withAveragedGenerator(.exponential) { samples($0) }
                try plots.writeImageGrid(to: directory.file("samples-ema.png"), images: ema, title: title + " (EMA)")
            }
            if !FileManager.default.fileExists(atPath: directory.file("real.png")) {
                let real = setup.data.sample(64, key: evalKey.folded(in: 2), dtype: .float32)
                try plots.writeImageGrid(to: directory.file("real.png"), images: real, title: "\(setup.dataName): data")
            }
        } else {
            try plots.writeSamples(to: directory.file("samples.png"), step: step, samples: generated)
        }
        try plots.writeCurves(to: directory.file("curves.png"), history: history, losses: losses)
    }
}
