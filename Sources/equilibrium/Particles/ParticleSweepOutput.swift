import Equilibrium
import Foundation

/// Files of a phase-diagram sweep: phase.csv, heat maps of diversity, modes and hops, summary.json.
struct ParticlePhaseOutput {
    let result: ParticlePhaseResult
    let directory: String
    let wallSeconds: Double
    let threads: Int

    var diagram: ParticlePhaseDiagram { result.diagram }
    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    func write() throws {
        var lines = ["phi,lr_d,seed,late_diversity,final_diversity,modes_covered,hq_fraction,mode_hops,steps,diverged,wall_seconds"]
        for r in result.runs {
            lines.append([fmt(r.phi), fmt(r.discriminatorLR), "\(r.seed)", fmt(r.lateDiversity), fmt(r.finalDiversity), "\(r.modesCovered)",
                          fmt(r.highQualityFraction), "\(r.modeHops)", "\(r.stepsRun)", r.divergence == nil ? "0" : "1", fmt(r.wallSeconds)]
                .joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("phase.csv"), atomically: true, encoding: .utf8)
        let m = log(Double(result.targetCount))
        try PNGEncoder.write(heatMap(result.meanDiversity, title: "late diversity (0 even, \(String(format: "%.2f", m)) collapsed)",
                                     range: 0...m, format: "%.2f").render(width: 900, height: 640), to: path("phase-diversity.png"))
        try PNGEncoder.write(heatMap(result.meanModesCovered, title: "modes covered (of \(result.targetCount))",
                                     range: 0...Double(result.targetCount), format: "%.1f").render(width: 900, height: 640), to: path("phase-modes.png"))
        try PNGEncoder.write(heatMap(result.meanModeHops, title: "mode hops (changes of the most-populated target)",
                                     range: nil, format: "%.0f").render(width: 900, height: 640), to: path("phase-hops.png"))
        let base = diagram.base
        let summary: [String: Any] = [
            "experiment": "particles-phase-diagram",
            "target": result.targetName,
            "targets": result.targetCount,
            "particles": base.particles,
            "phis": diagram.phis,
            "lr_ds": diagram.discriminatorLRs,
            "seeds": diagram.seeds.map { Int($0) },
            "steps": base.steps,
            "eval_every": base.evalEvery,
            "lr_g": base.particleLR,
            "coupling": base.coupling,
            "discriminator": "\(base.discriminator.widths) \(base.discriminator.activation), \(base.discriminator.optimizer.name), weight decay \(base.discriminator.optimizer.weightDecay)",
            "objective": base.objective,
            "penalties": base.penalties,
            "schedule": base.schedule,
            "init": "N(\(base.initMean), \(base.initStd)²I)",
            "mean_late_diversity": result.meanDiversity,
            "mean_modes_covered": result.meanModesCovered,
            "mean_mode_hops": result.meanModeHops,
            "random_cloud_diversity": result.randomCloudBaseline,
            "collapse_threshold": result.collapseThreshold,
            "boundary_phi": result.boundary.map { $0.map { $0 as Any } ?? NSNull() },
            "rows_collapsing_by_1_nat": result.collapseRows().map { diagram.discriminatorLRs[$0] },
            "diverged_runs": result.runs.filter { $0.divergence != nil }.count,
            "wall_seconds": wallSeconds,
            "threads": threads,
            "protocol": "late diversity = mean of log M + Σ p log p over the last 20% of evaluations (every \(base.evalEvery) steps), \(base.assignment) assignment, averaged over \(diagram.seeds.count) seed(s); boundary φ_c(η_D) = smallest grid φ from which the mean late diversity stays above the collapse threshold (halfway between the random-cloud baseline and log M); code=\(CodeVersion.current)",
        ]
        try writeJSON(summary, to: path("summary.json"))
    }

    func heatMap(_ values: [[Double]], title: String, range: ClosedRange<Double>?, format: String) -> HeatMap {
        let phis = diagram.phis.map(axisLabel).joined(separator: " ")
        let lrs = diagram.discriminatorLRs.map(axisLabel).joined(separator: " ")
        return HeatMap(
            axes: Axes(title: "\(title), N=\(diagram.base.particles), T=\(diagram.base.steps)",
                       xLabel: "phi column: \(phis)", yLabel: "lrD row: \(lrs)"),
            values: values, xRange: -0.5...(Double(diagram.phis.count) - 0.5),
            yRange: -0.5...(Double(diagram.discriminatorLRs.count) - 0.5), valueRange: range, colormap: .viridis,
            colorBarLabel: title.components(separatedBy: " (").first ?? title, annotate: true, annotationFormat: format)
    }
}

/// Files of a damping sweep: damping.csv, linearised.csv, damping.png, summary.json.
struct ParticleDampingOutput {
    let result: ParticleDampingResult
    /// γ_crit / √Θ_ψ and Θ_ψ of the initial discriminator (see `discriminatorSlopeKernel`).
    let slopeCorrected: (gamma: Double, slopeKernel: Double)
    let directory: String
    let wallSeconds: Double
    let threads: Int

    var sweep: ParticleDampingSweep { result.sweep }
    func path(_ file: String) -> String { (directory as NSString).appendingPathComponent(file) }

    /// The linearised system of §4 for the sweep's rates, at γ.
    func linearised(_ gamma: Double) -> LinearisedDamping {
        let base = sweep.base
        return LinearisedDamping(particleLR: base.particleLR, discriminatorLR: base.discriminator.optimizer.lr,
                                 coupling: sweep.collectiveRate, gamma: gamma)
    }

    func write() throws {
        var lines = ["gamma,seed,convergence_step,converged,steps_run,late_diversity,final_diversity,modes_covered,oscillation_amplitude,mode_hops,diverged,wall_seconds"]
        for r in result.runs {
            lines.append([fmt(r.gamma ?? .nan), "\(r.seed)", r.convergenceStep.map { "\($0)" } ?? "", r.convergenceStep == nil ? "0" : "1",
                          "\(r.stepsRun)", fmt(r.lateDiversity), fmt(r.finalDiversity), "\(r.modesCovered)", fmt(r.oscillationAmplitude),
                          "\(r.modeHops)", r.divergence == nil ? "0" : "1", fmt(r.wallSeconds)].joined(separator: ","))
        }
        try (lines.joined(separator: "\n") + "\n").write(toFile: path("damping.csv"), atomically: true, encoding: .utf8)

        // The linearised eigenvalues on a fine grid spanning the sweep.
        let lo = sweep.gammas.min()!, hi = sweep.gammas.max()!
        let fine = logSpaced(lo, hi, count: 400)
        var linear = ["gamma,re_lambda1,re_lambda2,abs_im_lambda,regime,decay_time_steps,linearised_convergence_steps"]
        for g in fine {
            let l = linearised(g)
            let e = l.eigenvalues
            linear.append([fmt(g), fmt(e[0].re), fmt(e[1].re), fmt(Swift.abs(e[0].im)), l.regime.rawValue, fmt(-1 / l.spectralAbscissa),
                           fmt(linearisedConvergence(g))].joined(separator: ","))
        }
        try (linear.joined(separator: "\n") + "\n").write(toFile: path("linearised.csv"), atomically: true, encoding: .utf8)
        try writePlot(fine: fine)

        let critical = sweep.linearisedCriticalGamma
        let summary: [String: Any] = [
            "experiment": "particles-damping",
            "target": sweep.base.target,
            "particles": sweep.base.particles,
            "phi": sweep.base.phi,
            "lr_g": sweep.base.particleLR,
            "lr_d": sweep.base.discriminator.optimizer.lr,
            "penalty": sweep.penalty,
            "gammas": sweep.gammas,
            "seeds": sweep.seeds.map { Int($0) },
            "steps": sweep.base.steps,
            "hold_steps": sweep.base.convergence.holdSteps.map { $0 as Any } ?? NSNull(),
            "mean_convergence_steps": result.convergence.map(\.meanSteps),
            "converged_seeds": result.convergence.map(\.converged),
            "fastest_gamma": result.fastestGamma.map { $0 as Any } ?? NSNull(),
            "linearised_critical_gamma": critical,
            "fastest_over_critical": result.fastestGamma.map { $0 / critical as Any } ?? NSNull(),
            "slope_kernel_theta_psi": slopeCorrected.slopeKernel,
            "slope_corrected_critical_gamma": slopeCorrected.gamma,
            "fastest_over_slope_corrected_critical": result.fastestGamma.map { $0 / slopeCorrected.gamma as Any } ?? NSNull(),
            "linearised_convergence_steps": sweep.gammas.map(linearisedConvergence),
            "linearised_start": linearisedStart,
            "wall_seconds": wallSeconds,
            "threads": threads,
            "protocol": "convergence step = first evaluation (every \(sweep.base.evalEvery) steps) from which diversity ≤ \(sweep.base.convergence.diversity) and every particle is within \(sweep.base.convergence.distance) of a target; a run that never converges counts as \(sweep.base.steps) steps (a lower bound); linearised γ_crit = √(η_G(1 + (N − 1)φ)/η_D) of spec §4; slope-corrected γ_crit = γ_crit/√Θ_ψ with Θ_ψ = mean ‖∇_θ ∂f(y_a)/∂x_k‖² of the initial discriminator (seed \(sweep.seeds[0])) at the target centres; code=\(CodeVersion.current)",
        ]
        try writeJSON(summary, to: path("summary.json"))
    }

    /// Start of the linearised prediction: the particles' initial distance from the nearest
    /// target (|m₀| per coordinate times √d for one-point targets; 1 otherwise, spec §4's start).
    var linearisedStart: Double {
        let base = sweep.base
        guard base.target.hasPrefix("one-point") else { return 1 }
        let d = Int(base.target.split(separator: ":").dropFirst().first ?? "1") ?? 1
        let m = base.initMean.count == 1 ? Array(repeating: base.initMean[0], count: d) : base.initMean
        return m.reduce(0) { $0 + $1 * $1 }.squareRoot()
    }

    /// The linearised system's time (in steps) for |x| to stay within the convergence distance.
    func linearisedConvergence(_ gamma: Double) -> Double {
        let l = linearised(gamma)
        return l.timeToTolerance(sweep.base.convergence.distance, from: (linearisedStart, 0), positionOnly: true,
                                 resolution: max(0.05, 1e-3 / max(-l.spectralAbscissa, 1e-12)))
    }

    func writePlot(fine: [Double]) throws {
        let rows = result.convergence
        let logGammas = rows.map { log10($0.gamma) }
        let steps = rows.map(\.meanSteps)
        let critical = log10(sweep.linearisedCriticalGamma)
        let xRange = (log10(fine.first!) - 0.1)...(log10(fine.last!) + 0.1)
        let maxSteps = Double(sweep.base.steps)
        let predicted = fine.map { min(linearisedConvergence($0), maxSteps * 1.05) }
        let top = LinePlot(axes: Axes(title: "particles: convergence time vs \(sweep.penalty) weight (phi \(sweep.base.phi), lrG \(sweep.base.particleLR), lrD \(sweep.base.discriminator.optimizer.lr))",
                                      xLabel: "log10 gamma", yLabel: "steps"),
                           series: [LineSeries(label: "simulated: mean convergence step (\(sweep.seeds.count) seed(s); at the budget = not converged)", x: logGammas, y: steps),
                                    LineSeries(label: "linearised system (spec 4): steps until |x| stays <= \(sweep.base.convergence.distance) from x0 = \(String(format: "%.3g", linearisedStart))",
                                               x: fine.map(log10), y: predicted, dashed: true),
                                    LineSeries(label: "linearised gamma_crit", x: [critical, critical], y: [0, maxSteps * 1.05], color: .gray, thickness: 1, dashed: true),
                                    LineSeries(label: "gamma_crit / sqrt(Theta_psi) = \(String(format: "%.3g", slopeCorrected.gamma)) (Theta_psi \(String(format: "%.3g", slopeCorrected.slopeKernel)))",
                                               x: [log10(slopeCorrected.gamma), log10(slopeCorrected.gamma)], y: [0, maxSteps * 1.05], color: .black, thickness: 1, dashed: true)],
                           xRange: xRange, yRange: 0...(maxSteps * 1.05))
        let eigen = fine.map { linearised($0).eigenvalues }
        let rates = eigen.map { -1e3 * $0[0].re }, frequencies = eigen.map { 1e3 * Swift.abs($0[0].im) }
        let peak = max(rates.max() ?? 1, frequencies.max() ?? 1)
        let bottom = LinePlot(axes: Axes(title: "linearised two-point system: decay rate and frequency (x 1e3 per step)", xLabel: "log10 gamma", yLabel: "1e3 / step"),
                              series: [LineSeries(label: "decay rate -max Re lambda (under-damped left, over-damped right)", x: fine.map(log10), y: rates),
                                       LineSeries(label: "|Im lambda| (oscillation)", x: fine.map(log10), y: frequencies),
                                       LineSeries(label: "gamma_crit", x: [critical, critical], y: [0, peak * 1.05], color: .gray, thickness: 1, dashed: true)],
                              xRange: xRange, yRange: 0...(peak * 1.1))
        var canvas = Canvas(width: 860, height: 760)
        top.draw(on: &canvas, in: PixelRect(x: 0, y: 0, width: 860, height: 380))
        bottom.draw(on: &canvas, in: PixelRect(x: 0, y: 380, width: 860, height: 380))
        try PNGEncoder.write(canvas, to: path("damping.png"))
    }
}
