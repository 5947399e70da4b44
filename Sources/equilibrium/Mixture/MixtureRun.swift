import ArgumentParser
import Equilibrium
import Foundation

/// Trains a generator mixture and writes its files.
struct MixtureRun {
    let config: GANConfig
    let settings: GeneratorMixtureSettings
    let evalEvery: Int
    let directory: String

    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    struct Evaluation {
        var step: Int
        var coverage: ModeCoverageResult?
        var specialisation: GeneratorSpecialisation?
        var samples: Tensor
        var components: [Int]
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(["gan": AnyEncodable(config), "mixture": AnyEncodable(settings)])
            .write(to: URL(fileURLWithPath: path("config.json")), options: .atomic)
        print("generator mixture on \(config.preset): K = \(settings.generators), β = \(settings.classifierWeight), "
              + (settings.balanceEvery > 0 ? "balanced every \(settings.balanceEvery) steps (ρ = \(settings.balanceRate))" : "uniform π")
              + ", \(config.steps) steps, seed \(config.seed)" + (config.schedule == "alternating" ? "" : "; schedule alternating D-first 1:1 (the config's '\(config.schedule)' is not used)"))
        let started = ContinuousClock.now
        let mixture = try GeneratorMixture(config: config, settings: settings)
        let modal = try? config.resolvedData().1
        let evalKey = RandomKey(seed: config.seed).folded(in: 0xE7A1)
        let context = MetricContext(dataset: config.preset, modified: true, seeds: [config.seed], key: evalKey, runs: 1,
                                    batchNormMode: "eval", codeVersion: CodeVersion.current)
        func evaluate(_ step: Int) throws -> Evaluation {
            let (samples, components) = try mixture.mixedGenerator().sample(config.evalSamples, key: evalKey.folded(in: UInt64(step)))
            guard let modal else { return Evaluation(step: step, samples: samples, components: components) }
            let metric = try ModeCoverage(modal)
            return Evaluation(step: step, coverage: try metric.evaluate(samples, context: context),
                              specialisation: try metric.specialisation(samples, components: components, componentCount: settings.generators),
                              samples: samples, components: components)
        }
        var rows = ["step,d_loss,c_loss,g_loss_mean,g_cross_entropy_mean,modes_covered,hq_fraction,reverse_kl,mutual_information,weights,seconds"]
        var evaluations: [Evaluation] = []
        let progress = ProgressLine(label: "mixture", unit: "steps")
        var last: GeneratorMixture.StepLosses?
        for step in 1...config.steps {
            last = try mixture.step()
            guard step % evalEvery == 0 || step == config.steps, let losses = last else {
                progress.update(done: step, total: config.steps)
                continue
            }
            let e = try evaluate(step)
            evaluations.append(e)
            let mean = { (v: [Double]) in v.reduce(0, +) / Double(v.count) }
            let classifierLoss: String = losses.classifier.map(fmt) ?? ""
            let crossEntropy: String = losses.generatorCrossEntropy.map { fmt(mean($0)) } ?? ""
            var quality: [String] = ["", "", "", ""]
            if let c = e.coverage, let s = e.specialisation {
                quality = ["\(c.modesCovered)", fmt(c.highQualityFraction), c.isUndefined ? "nan" : fmt(c.reverseKL), fmt(s.mutualInformation)]
            }
            let head: [String] = ["\(step)", fmt(losses.discriminator), classifierLoss, fmt(mean(losses.generators)), crossEntropy]
            let tail: [String] = [mixture.weights.map(fmt).joined(separator: ";"), fmt((ContinuousClock.now - started).seconds)]
            rows.append((head + quality + tail).joined(separator: ","))
            var detail = String(format: "D %.3f  G %.3f", losses.discriminator, mean(losses.generators))
            if let c = e.coverage {
                detail += String(format: "  modes %d/%d  HQ %.1f%%  I(k;mode) %.2f", c.modesCovered, c.modeCount, 100 * c.highQualityFraction,
                                 e.specialisation?.mutualInformation ?? 0)
            }
            progress.update(done: step, total: config.steps, detail: detail, force: true)
        }
        progress.finish()
        try (rows.joined(separator: "\n") + "\n").write(toFile: path("metrics.csv"), atomically: true, encoding: .utf8)
        let final = evaluations.last!
        let wall = (ContinuousClock.now - started).seconds
        var summary: [String: Any] = [
            "experiment": "generator-mixture",
            "preset": config.preset,
            "seed": config.seed,
            "steps": config.steps,
            "generators": settings.generators,
            "generator_updates": config.steps * settings.generators,
            "classifier_weight": settings.classifierWeight,
            "balance_every": settings.balanceEvery,
            "weights": mixture.weights,
            "wall_seconds": wall,
            "code": CodeVersion.current,
        ]
        if let c = final.coverage, let s = final.specialisation {
            summary["modes_covered"] = c.modesCovered
            summary["modes_total"] = c.modeCount
            summary["high_quality_fraction"] = c.highQualityFraction
            summary["reverse_kl"] = c.isUndefined ? Double.nan : c.reverseKL
            summary["mutual_information"] = s.mutualInformation
            summary["component_entropy"] = s.componentEntropy
            summary["protocol"] = c.metricProtocol.line + "; samples from the mixture, one generator drawn per sample from π; "
                + "I(k; mode) from the joint histogram of source generator and nearest mode over the \(s.samples) HQ samples"
            print(String(format: "mixture of %d generators: modes %d/%d, HQ %.1f%%, reverse KL %.3f, I(k; mode) %.3f of H(k) %.3f nats; %d steps, %.1f s",
                         settings.generators, c.modesCovered, c.modeCount, 100 * c.highQualityFraction, c.reverseKL,
                         s.mutualInformation, s.componentEntropy, config.steps, wall))
        }
        try writeJSON(summary, to: path("summary.json"))
        try writePlots(evaluations)
        print("wrote \(directory)/summary.json")
    }

    func writePlots(_ evaluations: [Evaluation]) throws {
        let final = evaluations.last!
        let labels = (0..<settings.generators).map { "G\($0)" }
        if let scatter = componentScatter(final.samples, components: final.components, labels: labels,
                                          title: "mixture samples by generator (step \(final.step))") {
            try PNGEncoder.write(scatter.render(), to: path("samples.png"))
        }
        guard let total = final.coverage?.modeCount else { return }
        let xs = evaluations.map { Double($0.step) }
        let plot = LinePlot(axes: Axes(title: "mixture of \(settings.generators) generators (\(config.evalSamples) samples per point)",
                                       xLabel: "step", yLabel: "fraction"),
                            series: [LineSeries(label: "modes covered / \(total)", x: xs, y: evaluations.map { Double($0.coverage!.modesCovered) / Double(total) }),
                                     LineSeries(label: "HQ fraction", x: xs, y: evaluations.map { $0.coverage!.highQualityFraction }),
                                     LineSeries(label: "I(k; mode) / log K", x: xs,
                                                y: evaluations.map { settings.generators > 1 ? $0.specialisation!.mutualInformation / log(Double(settings.generators)) : 0 })],
                            xRange: 0...Double(max(final.step, 1)), yRange: 0...1.05)
        try PNGEncoder.write(plot.render(), to: path("curves.png"))
    }
}
