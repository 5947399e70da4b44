import ArgumentParser
import Equilibrium
import Foundation

/// Runs DO-GAN and writes its files.
struct OracleRun {
    let config: GANConfig
    let settings: DoubleOracleSettings
    let directory: String

    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    /// What the CLI adds to each checkpoint: its iterations.csv rows and coverage curve so far,
    /// and the wall time already spent, so a resumed run writes complete files.
    struct Progress: Codable {
        struct Point: Codable {
            var iteration: Int
            var value: Double
            var modes: Int?
            var hq: Double?
        }
        var rows: [String] = [Self.header]
        var curve: [Point] = []
        var wallSeconds = 0.0
        static let header = "iteration,value,gain_g,gain_d,exploitability,stored_g,stored_d,support_g,support_d,generator_ids,generator_weights,discriminator_weights,removals,seconds,modes_covered,hq_fraction,reverse_kl"
    }

    static func checkpointDirectory(in directory: String) -> String { (directory as NSString).appendingPathComponent("checkpoint") }
    var checkpointDirectory: String { Self.checkpointDirectory(in: directory) }

    /// A fresh run: config.json, the warm start, then the iterations.
    func run() throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // An older run's checkpoint in the same directory must not be resumed by mistake.
        if FileManager.default.fileExists(atPath: checkpointDirectory) { try FileManager.default.removeItem(atPath: checkpointDirectory) }
        try writeConfig()
        let started = ContinuousClock.now
        print("DO-GAN on \(config.preset): warm start \(settings.warmStartSteps) steps, up to \(settings.iterations) iterations × \(settings.oracleSteps) \(settings.oracle.rawValue) oracle steps, solver \(settings.solver), cap \(settings.cap), seed \(config.seed)")
        let oracle = try GANDoubleOracle(config: config, settings: settings)
        var progress = Progress()
        progress.wallSeconds = (ContinuousClock.now - started).seconds
        try drive(oracle, progress: progress)
    }

    /// config.json: the GAN config and the double-oracle settings (rewritten on resume, which may
    /// raise the iteration cap).
    func writeConfig() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(["gan": AnyEncodable(config), "double_oracle": AnyEncodable(settings)])
            .write(to: URL(fileURLWithPath: path("config.json")), options: .atomic)
    }

    /// Continues the run in `directory` from its checkpoint (written after every iteration).
    static func resume(directory: String, iterations: Int?) throws {
        let checkpointDirectory = checkpointDirectory(in: directory)
        let checkpoint = try Checkpoint.read(from: checkpointDirectory)
        let oracle = try GANDoubleOracle(resuming: checkpoint, iterations: iterations)
        guard let extra = try GANDoubleOracle.state(of: checkpoint).extra, let progress = try? extra.decode(Progress.self),
              progress.curve.count == oracle.log.count else {
            throw MetaGameError.invalidParameter("\(checkpointDirectory): the checkpoint carries no readable CLI progress for its \(oracle.log.count) iterations")
        }
        print("resuming DO-GAN in \(directory) after iteration \(oracle.log.count) of \(oracle.settings.iterations) (\(oracle.generatorSteps) generator steps so far)")
        let run = OracleRun(config: oracle.config, settings: oracle.settings, directory: directory)
        try run.writeConfig()
        try run.drive(oracle, progress: progress)
    }

    /// Runs the remaining iterations (checkpointing after each), then writes the outputs.
    func drive(_ oracle: GANDoubleOracle, progress saved: Progress) throws {
        var progressLog = saved
        let resumedAt = ContinuousClock.now
        let progress = ProgressLine(label: "oracle", unit: "iterations")
        let evalKey = RandomKey(seed: config.seed).folded(in: 0xE7A1)
        let modal = try? config.resolvedData().1
        let context = MetricContext(dataset: config.preset, modified: true, seeds: [config.seed], key: evalKey, runs: 1,
                                    batchNormMode: "eval", codeVersion: CodeVersion.current)
        let converged = try oracle.run { r in
            let supportG = r.generatorWeights.filter { $0 > 0 }.count, supportD = r.discriminatorWeights.filter { $0 > 0 }.count
            // The mixed generator after this iteration's additions, on the final evaluation's protocol.
            var coverage: ModeCoverageResult?
            if let modal, let mixed = try? oracle.mixedGenerator() {
                coverage = try? ModeCoverage(modal).evaluate(mixed.sample(config.evalSamples, key: evalKey.folded(in: UInt64(r.iteration))).samples,
                                                           context: context)
            }
            progressLog.curve.append(.init(iteration: r.iteration, value: r.value, modes: coverage?.modesCovered, hq: coverage?.highQualityFraction))
            let meta: [String] = [
                "\(r.iteration)", fmt(r.value), fmt(r.generatorGain), fmt(r.discriminatorGain), fmt(r.exploitability),
                "\(r.generatorWeights.count)", "\(r.discriminatorWeights.count)", "\(supportG)", "\(supportD)",
            ]
            let population: [String] = [
                r.generatorIDs.map(String.init).joined(separator: ";"), r.generatorWeights.map(fmt).joined(separator: ";"),
                r.discriminatorWeights.map(fmt).joined(separator: ";"), "\"\(r.removals.joined(separator: "; "))\"", fmt(r.seconds),
            ]
            var quality: [String] = ["", "", ""]
            if let coverage {
                quality = ["\(coverage.modesCovered)", fmt(coverage.highQualityFraction), coverage.isUndefined ? "nan" : fmt(coverage.reverseKL)]
            }
            progressLog.rows.append((meta + population + quality).joined(separator: ","))
            // Checkpoint after every iteration (atomic writes), and the CSV beside it.
            var snapshot = progressLog
            snapshot.wallSeconds += (ContinuousClock.now - resumedAt).seconds
            try oracle.checkpoint(extra: JSONValue(encoding: snapshot)).write(to: checkpointDirectory)
            try (progressLog.rows.joined(separator: "\n") + "\n").write(toFile: path("iterations.csv"), atomically: true, encoding: .utf8)
            var detail = String(format: "value %.4f  gains %.2e / %.2e  support %d×%d", r.value, r.generatorGain, r.discriminatorGain, supportG, supportD)
            if let coverage {
                detail += String(format: "  mixture: modes %d/%d, HQ %.1f%%", coverage.modesCovered, coverage.modeCount, 100 * coverage.highQualityFraction)
            }
            progress.update(done: r.iteration + 1, total: settings.iterations, detail: detail, force: true)
        }
        progress.finish()
        let lines = progressLog.rows
        let curve = progressLog.curve
        let wall = progressLog.wallSeconds + (ContinuousClock.now - resumedAt).seconds
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("iterations.csv"), atomically: true, encoding: .utf8)
        let solution = try oracle.solve()
        var payoffLines = ["generator," + oracle.discriminatorIDs.map { "d\($0)" }.joined(separator: ",")]
        for (i, row) in oracle.payoffs.enumerated() { payoffLines.append("g\(oracle.generatorIDs[i])," + row.map(fmt).joined(separator: ",")) }
        try (payoffLines.joined(separator: "\n") + "\n").write(toFile: path("payoff.csv"), atomically: true, encoding: .utf8)

        // Final metrics on the mixed generator (per-sample draws, §9).
        let mixed = try oracle.mixedGenerator(solution)
        let (samples, components) = mixed.sample(config.evalSamples, key: evalKey)
        var summary: [String: Any] = [
            "experiment": "do-gan",
            "preset": config.preset,
            "seed": config.seed,
            "steps": oracle.generatorSteps,
            "generator_steps": oracle.generatorSteps,
            "discriminator_steps": oracle.discriminatorSteps,
            "iterations": oracle.log.count,
            "converged": converged,
            "support_sizes": [solution.rowSupport.count, solution.columnSupport.count],
            "stored": [oracle.generators.count, oracle.discriminators.count],
            "game_value": solution.value,
            // The oracles' estimate of the mixed strategy's exploitability: gain_g + gain_d of
            // the last iteration (fresh best responses against the mixtures); the restricted
            // game's certified gap is separate (≈ 0 for the LP by construction).
            "exploitability": oracle.log.last.map { ($0.generatorGain + $0.discriminatorGain) as Any } ?? NSNull(),
            "restricted_gap": solution.exploitability,
            "generator_weights": solution.rowMixture,
            "generator_ids": oracle.generatorIDs,
            "discriminator_weights": solution.columnMixture,
            "solver": solution.solver,
            "oracle": settings.oracle.rawValue,
            "wall_seconds": wall,
            "code": CodeVersion.current,
        ]
        if let modal {
            let coverage = try ModeCoverage(modal).evaluate(samples, context: context)
            summary["modes_covered"] = coverage.modesCovered
            summary["modes_total"] = coverage.modeCount
            summary["high_quality_fraction"] = coverage.highQualityFraction
            summary["reverse_kl"] = coverage.isUndefined ? Double.nan : coverage.reverseKL
            summary["protocol"] = coverage.metricProtocol.line + "; samples from the mixed generator, one generator drawn per sample from σ_g"
            let gains = oracle.log.last.map { $0.generatorGain + $0.discriminatorGain } ?? .nan
            print(String(format: "mixed generator (%d components, support %d): modes %d/%d, HQ %.1f%%, reverse KL %.3f; value %.4f, oracle exploitability %.3g (restricted gap %.1e); %d generator steps, %.1f s",
                         oracle.generators.count, solution.rowSupport.count, coverage.modesCovered, coverage.modeCount,
                         100 * coverage.highQualityFraction, coverage.reverseKL, solution.value, gains, solution.exploitability,
                         oracle.generatorSteps, wall))
        }
        try writeJSON(summary, to: path("summary.json"))
        try writePlots(oracle: oracle, samples: samples, components: components, solution: solution)
        try writeCurve(curve, modesTotal: modal?.modes.count)
        print("wrote \(directory)/summary.json")
    }

    /// Meta-game value and the mixed generator's coverage over iterations (curves.png).
    func writeCurve(_ curve: [Progress.Point], modesTotal: Int?) throws {
        guard !curve.isEmpty else { return }
        let xs = curve.map { Double($0.iteration) }
        let xRange = 0...Double(max(curve.count - 1, 1))
        let value = LinePlot(axes: Axes(title: "meta-game value V(sigma_g, sigma_d)", xLabel: "iteration", yLabel: "V"),
                             series: [LineSeries(label: "value", x: xs, y: curve.map(\.value))], xRange: xRange)
        var canvas = Canvas(width: 720, height: modesTotal == nil ? 320 : 640)
        value.draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: 720, height: 320))
        if let modesTotal {
            let coverage = LinePlot(axes: Axes(title: "mixed generator after each iteration (\(config.evalSamples) samples)", xLabel: "iteration", yLabel: "fraction"),
                                    series: [LineSeries(label: "modes covered / \(modesTotal)", x: xs, y: curve.map { Double($0.modes ?? -1) / Double(modesTotal) }),
                                             LineSeries(label: "HQ fraction", x: xs, y: curve.map { $0.hq ?? .nan })],
                                    xRange: xRange, yRange: 0...1.05)
            coverage.draw(on: &canvas, in: PixelRect(x: 0, y: 320, width: 720, height: 320))
        }
        try PNGEncoder.write(canvas, to: path("curves.png"))
    }

    func writePlots(oracle: GANDoubleOracle, samples: Tensor, components: [Int], solution: MetaSolution) throws {
        // Meta-strategy weights of every generator ever stored, over iterations.
        let ids = Set(oracle.log.flatMap(\.generatorIDs)).sorted()
        var series: [LineSeries] = []
        for (k, id) in ids.enumerated() {
            var xs: [Double] = [], ys: [Double] = []
            for r in oracle.log {
                xs.append(Double(r.iteration))
                ys.append(r.generatorIDs.firstIndex(of: id).map { r.generatorWeights[$0] } ?? 0)
            }
            series.append(LineSeries(label: k < 10 ? "g\(id)" : "", x: xs, y: ys, color: RGB.series(k)))
        }
        let weights = LinePlot(axes: Axes(title: "generator meta-strategy weights (\(solution.solver))", xLabel: "iteration", yLabel: "sigma_g"),
                               series: series, xRange: 0...Double(max(oracle.log.count - 1, 1)), yRange: 0...1.05)
        try PNGEncoder.write(weights.render(), to: path("weights.png"))
        let heat = HeatMap(axes: Axes(title: "payoff U = V(g_i, d_j)", xLabel: "discriminator (stored order)", yLabel: "generator (stored order)"),
                           values: oracle.payoffs, xRange: -0.5...(Double(oracle.discriminators.count) - 0.5),
                           yRange: -0.5...(Double(oracle.generators.count) - 0.5), colormap: .viridis, colorBarLabel: "V",
                           annotate: oracle.generators.count <= 12, annotationFormat: "%.2f")
        try PNGEncoder.write(heat.render(width: 700, height: 620), to: path("payoff.png"))
        let labels = oracle.generatorIDs.indices.map { "g\(oracle.generatorIDs[$0]) (\(String(format: "%.2f", solution.rowMixture[$0])))" }
        guard let scatter = componentScatter(samples, components: components, labels: labels, title: "mixed generator samples by component") else { return }
        try PNGEncoder.write(scatter.render(), to: path("samples.png"))
    }
}

/// Type-erased Encodable for writing several configs into one JSON object.
struct AnyEncodable: Encodable {
    let encodeValue: (Encoder) throws -> Void
    init(_ value: some Encodable) { encodeValue = value.encode }
    func encode(to encoder: Encoder) throws { try encodeValue(encoder) }
}
