import ArgumentParser
import Equilibrium
import Foundation

/// Runs one particle system and writes its files: config.json, metrics.csv, particles.csv,
/// summary.json, and for 2-D targets particles.png and metrics.png.
struct ParticleRunOutput {
    let config: ParticleModelConfig
    let directory: String

    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    /// Particle positions and the discriminator's logit field at one evaluation (2-D only).
    struct Frame {
        var step: Int
        var particles: [Double]
        var logits: [[Double]]
    }

    func run() throws {
        let system: ParticleSystem
        system = try config.makeSystem()   // a ParticleModelError prints as "Error: particle model: …", exit 1
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        try encoder.encode(config).write(to: URL(fileURLWithPath: path("config.json")), options: .atomic)

        let target = system.target
        print("particles: \(system.count) × \(target.dimension)-D against \(target.name) (\(target.centres.count) targets), kernel \(system.kernel.description), η_G \(config.particleLR), D \(config.discriminator.widths) \(config.discriminator.activation) \(config.discriminator.optimizer.name) η_D \(config.discriminator.optimizer.lr), objective \(config.objective), penalties \(config.penalties.isEmpty ? "none" : config.penalties.joined(separator: ",")), \(config.schedule), \(config.steps) steps, seed \(config.seed)")
        let view = target.dimension == 2 ? Self.viewBox(target) : nil
        let frameSteps = Set([0, config.steps / 3, 2 * config.steps / 3, config.steps].map { ($0 / config.evalEvery) * config.evalEvery })
        var frames: [Frame] = []
        let progress = ProgressLine(label: "particles", unit: "steps")
        let result = system.run(steps: config.steps, evaluateEvery: config.evalEvery, criterion: config.convergence) { record in
            let s = record.snapshot
            if let view, frameSteps.contains(s.step) || s.step == config.steps {
                frames.removeAll { $0.step == s.step }
                frames.append(Frame(step: s.step, particles: system.particles, logits: Self.logitField(system, view: view)))
            }
            let detail = String(format: "diversity %.3f  modes %d/%d  HQ %.1f%%  max dist %.3g", s.diversity, s.modesCovered,
                                target.centres.count, 100 * s.highQualityFraction, s.maxDistanceToNearestCentre)
            progress.update(done: s.step, total: config.steps, detail: detail, force: s.step % max(config.evalEvery, config.steps / 10) == 0)
        }
        progress.finish()
        if let view, let last = result.records.last?.snapshot.step, !frames.contains(where: { $0.step == last }) {
            frames.append(Frame(step: last, particles: system.particles, logits: Self.logitField(system, view: view)))
        }
        try writeMetrics(result)
        try writeParticles(result.finalParticles, dimension: target.dimension)
        try writeSummary(result, system: system)
        if let view {
            try writeFrames(frames.sorted { $0.step < $1.step }.suffix(4), view: view, target: target)
            try writeMetricPlot(result, target: target)
        }
        let f = result.final
        print(String(format: "step %d: diversity %.4f (0 = even, %.3f = one target), modes %d/%d, HQ %.1f%%, mean min cosine distance %.4f, mode hops %d, %@, %.2f s",
                     result.steps, f.diversity, log(Double(target.centres.count)), f.modesCovered, target.centres.count,
                     100 * f.highQualityFraction, f.meanMinimumCosineDistance, result.modeHops,
                     result.convergenceStep.map { "converged at step \($0)" } ?? "not converged", result.wallSeconds))
        if let divergence = result.divergence {
            print("stopped: \(divergence)")
            print("wrote \(directory)/summary.json")
            throw ExitCode(2)
        }
        print("wrote \(directory)/summary.json")
    }

    static func viewBox(_ target: ParticleTarget) -> (ClosedRange<Double>, ClosedRange<Double>) {
        let xs = target.centres.map { $0[0] }, ys = target.centres.map { $0[1] }
        let span = max((xs.max()! - xs.min()!), (ys.max()! - ys.min()!), 1)
        let margin = 0.3 * span
        return ((xs.min()! - margin)...(xs.max()! + margin), (ys.min()! - margin)...(ys.max()! + margin))
    }

    static let fieldResolution = 90

    static func logitField(_ system: ParticleSystem, view: (ClosedRange<Double>, ClosedRange<Double>)) -> [[Double]] {
        let n = fieldResolution
        var points = [Double]()
        points.reserveCapacity(n * n * 2)
        for r in 0..<n {
            for c in 0..<n {
                points.append(view.0.lowerBound + (Double(c) + 0.5) / Double(n) * (view.0.upperBound - view.0.lowerBound))
                points.append(view.1.lowerBound + (Double(r) + 0.5) / Double(n) * (view.1.upperBound - view.1.lowerBound))
            }
        }
        let logits = system.logits(at: points)
        return (0..<n).map { Array(logits[($0 * n)..<(($0 + 1) * n)]) }
    }

    func writeMetrics(_ result: ParticleRunResult) throws {
        var lines = ["step,diversity,modes_covered,hq_fraction,mean_min_cosine_distance,max_distance_to_target,dominant_target,centre_of_mass_speed,d_loss,particle_loss,d_grad_norm,particle_grad_norm,penalty"]
        for r in result.records {
            let s = r.snapshot, p = r.report
            lines.append([
                "\(s.step)", fmt(s.diversity), "\(s.modesCovered)", fmt(s.highQualityFraction), fmt(s.meanMinimumCosineDistance),
                fmt(s.maxDistanceToNearestCentre), "\(s.dominantCentre)", fmt(r.centreOfMassSpeed), fmt(p.discriminatorLoss),
                fmt(p.particleLoss), fmt(p.discriminatorGradientNorm), fmt(p.particleGradientNorm),
                fmt(p.penalties.reduce(0, +)),
            ].joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("metrics.csv"), atomically: true, encoding: .utf8)
    }

    func writeParticles(_ particles: [Double], dimension d: Int) throws {
        var lines = [(0..<d).map { "x\($0 + 1)" }.joined(separator: ",")]
        for i in 0..<(particles.count / d) { lines.append((0..<d).map { fmt(particles[i * d + $0]) }.joined(separator: ",")) }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("particles.csv"), atomically: true, encoding: .utf8)
    }

    func writeSummary(_ result: ParticleRunResult, system: ParticleSystem) throws {
        let f = result.final
        let m = Double(system.target.centres.count)
        let baseline = ParticleDiversity.randomCloudBaseline(particles: system.count, targets: system.target.centres.count)
        let summary: [String: Any] = [
            "experiment": "particles",
            "target": system.target.name,
            "targets": system.target.centres.count,
            "dimension": system.target.dimension,
            "particles": system.count,
            "kernel": system.kernel.description,
            "phi": system.kernel.phi,
            "collective_rate": system.kernel.collectiveRate(particles: system.count),
            "steps": result.steps,
            "seed": config.seed,
            "diversity": f.diversity,
            "diversity_max": log(m),
            "diversity_random_cloud": baseline.mean,
            "diversity_random_cloud_std": baseline.std,
            "late_diversity": result.meanDiversity(),
            "modes_covered": f.modesCovered,
            "modes_total": system.target.centres.count,
            "high_quality_fraction": f.highQualityFraction,
            "mean_min_cosine_distance": f.meanMinimumCosineDistance,
            "max_distance_to_target": f.maxDistanceToNearestCentre,
            "mode_hops": result.modeHops,
            "convergence_step": result.convergenceStep.map { $0 as Any } ?? NSNull(),
            "oscillation_amplitude": result.oscillationAmplitude(),
            "linearised_critical_gamma": LinearisedDamping.criticalGamma(particleLR: config.particleLR, discriminatorLR: config.discriminator.optimizer.lr,
                                                                         coupling: system.kernel.collectiveRate(particles: system.count)),
            "wall_seconds": result.wallSeconds,
            "divergence": result.divergence.map { $0 as Any } ?? NSNull(),
            "counts": f.counts,
            "protocol": "diversity = log M + Σ p log p over \(system.target.centres.count) targets (\(system.target.assignment.rawValue) assignment), N = \(system.count) particles, evaluated every \(config.evalEvery) steps; late_diversity = mean over the last 20% of evaluations; HQ = within 3σ of the nearest target (σ = \(system.target.centreStandardDeviations[0])); convergence = diversity ≤ \(config.convergence.diversity) and every particle within \(config.convergence.distance) of a target from that evaluation on; random-cloud baseline = Monte Carlo of 20,000 uniform assignments (seed 0); code=\(CodeVersion.current)",
        ]
        try writeJSON(summary, to: path("summary.json"))
    }

    func writeFrames(_ frames: ArraySlice<Frame>, view: (ClosedRange<Double>, ClosedRange<Double>), target: ParticleTarget) throws {
        let panelWidth = 560, panelHeight = 500
        var canvas = Canvas(width: panelWidth * max(frames.count, 1), height: panelHeight + 20)
        let allLogits = frames.flatMap { $0.logits.flatMap { $0 } }.filter(\.isFinite)
        let bound = max(allLogits.map(Swift.abs).max() ?? 1, 1e-6)
        for (k, frame) in frames.enumerated() {
            let heat = HeatMap(axes: Axes(title: "step \(frame.step)", xLabel: "x1", yLabel: "x2"), values: frame.logits,
                               xRange: view.0, yRange: view.1, valueRange: -bound...bound, colormap: .viridis,
                               colorBarLabel: "logit f(x)")
            let rect = PixelRect(x: k * panelWidth, y: 0, width: panelWidth, height: panelHeight)
            heat.draw(on: &canvas, in: rect)
            let m = Axes.margins
            let plotFrame = PlotFrame(area: PixelRect(x: rect.x + m.left, y: m.top, width: panelWidth - m.left - m.right - 90,
                                                      height: panelHeight - m.top - m.bottom), xRange: view.0, yRange: view.1)
            func dot(_ x: Double, _ y: Double, _ radius: Double, _ color: RGB) {
                let px = plotFrame.pixelX(x), py = plotFrame.pixelY(y)
                guard px >= Double(plotFrame.area.x), px < Double(plotFrame.area.x + plotFrame.area.width),
                      py >= Double(plotFrame.area.y), py < Double(plotFrame.area.y + plotFrame.area.height) else { return }
                canvas.fillCircle(x: px, y: py, radius: radius, color)
            }
            for centre in target.centres { dot(centre[0], centre[1], 5, .white) }
            for i in stride(from: 0, to: frame.particles.count - 1, by: 2) { dot(frame.particles[i], frame.particles[i + 1], 2.2, RGB(230, 40, 40)) }
        }
        canvas.drawText("white: targets  red: particles  (phi \(config.phi), lrD \(config.discriminator.optimizer.lr), \(config.penalties.isEmpty ? "no penalty" : config.penalties.joined(separator: ",")))",
                        x: 10, y: panelHeight + 4, .black)
        try PNGEncoder.write(canvas, to: path("particles.png"))
    }

    func writeMetricPlot(_ result: ParticleRunResult, target: ParticleTarget) throws {
        let steps = result.records.map { Double($0.snapshot.step) }
        let xRange = 0...max(steps.last ?? 1, 1)
        let m = log(Double(target.centres.count))
        let top = LinePlot(
            axes: Axes(title: "coverage of \(target.centres.count) targets (N = \(result.finalParticles.count / target.dimension))", xLabel: "step", yLabel: "nats / count"),
            series: [LineSeries(label: "diversity", x: steps, y: result.records.map(\.snapshot.diversity)),
                     LineSeries(label: "log M", x: steps, y: steps.map { _ in m }, color: .gray, thickness: 1, dashed: true),
                     LineSeries(label: "modes covered / M", x: steps, y: result.records.map { Double($0.snapshot.modesCovered) / Double(target.centres.count) })],
            xRange: xRange, yRange: 0...(m * 1.05))
        let bottom = LinePlot(
            axes: Axes(title: "dynamics", xLabel: "step", yLabel: "value"),
            series: [LineSeries(label: "max distance to a target", x: steps, y: result.records.map(\.snapshot.maxDistanceToNearestCentre)),
                     LineSeries(label: "centre-of-mass speed x100", x: steps, y: result.records.map { 100 * $0.centreOfMassSpeed })],
            xRange: xRange)
        var canvas = Canvas(width: 760, height: 640)
        top.draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: 760, height: 320))
        bottom.draw(on: &canvas, in: PixelRect(x: 0, y: 320, width: 760, height: 320))
        try PNGEncoder.write(canvas, to: path("metrics.png"))
    }
}
