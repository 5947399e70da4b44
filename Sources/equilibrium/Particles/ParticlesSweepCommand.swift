import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium particles sweep phase|damping`.
struct ParticlesSweepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sweep",
        abstract: "Particle-model sweeps: the (φ, η_D) collapse phase diagram and the damping curve.",
        subcommands: [ParticlesPhaseCommand.self, ParticlesDampingCommand.self])
}

/// Options shared by both sweeps.
struct ParticleSweepOptions: ParsableArguments {
    @Option(help: "Seeds per cell, comma-separated or a range a-b.")
    var seeds = "0"

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Output directory.")
    var out = "particles-sweep-out"

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        _ = try parsedSeeds()
    }

    func parsedSeeds() throws -> [UInt64] {
        let parts = seeds.split(separator: "-")
        if parts.count == 2, let a = UInt64(parts[0]), let b = UInt64(parts[1]), a <= b { return Array(a...b) }
        return try seeds.split(separator: ",").map { text in
            guard let v = UInt64(text.trimmingCharacters(in: .whitespaces)) else { throw ValidationError("--seeds: '\(text)' is not a seed") }
            return v
        }
    }

    var workers: Int { threads ?? ProcessInfo.processInfo.activeProcessorCount }
}

/// Parses "a,b,c" or "log:lo:hi:n" (log-spaced) or "0+log:lo:hi:n" (0 prepended).
func parseGrid(_ text: String, option: String) throws -> [Double] {
    var prefix: [Double] = []
    var body = text
    if body.hasPrefix("0+") { prefix = [0]; body = String(body.dropFirst(2)) }
    if body.hasPrefix("log:") {
        let parts = body.dropFirst(4).split(separator: ":").map { Double($0) }
        guard parts.count == 3, let lo = parts[0], let hi = parts[1], let n = parts[2], lo > 0, hi > 0, n >= 1, n == n.rounded() else {
            throw ValidationError("\(option): 'log:lo:hi:n' needs positive bounds and a count, got '\(text)'")
        }
        return prefix + logSpaced(lo, hi, count: Int(n))
    }
    return try prefix + body.split(separator: ",").map { part in
        guard let v = Double(part.trimmingCharacters(in: .whitespaces)), v.isFinite else {
            throw ValidationError("\(option): '\(part)' is not a number")
        }
        return v
    }
}

func axisLabel(_ v: Double) -> String { v == 0 ? "0" : String(format: v < 0.01 || v >= 100 ? "%.0e" : "%.3g", v) }

/// `equilibrium particles sweep phase`.
struct ParticlesPhaseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "phase",
        abstract: "Mode-collapse phase diagram over the coupling φ and the discriminator's learning rate η_D.",
        discussion: """
        Defaults are spec particles.md P1: 8 targets on the unit circle, N = 64, φ ∈ {0} ∪ logspace(0.01, 0.977, 12), \
        η_D ∈ logspace(1e-3, 1e-1, 10), 5,000 steps. Writes phase.csv (one row per run), phase-diversity.png, \
        phase-modes.png, phase-hops.png and summary.json (grids, means, the collapse boundary per η_D).
        """)

    @OptionGroup var model: ParticleModelOptions
    @OptionGroup var sweep: ParticleSweepOptions

    @Option(help: "φ values: 'a,b,…', 'log:lo:hi:n' or '0+log:lo:hi:n'.")
    var phis = "0+log:0.01:0.977:12"

    @Option(name: .customLong("lr-ds"), help: "η_D values, same forms.")
    var lrDs = "log:0.001:0.1:10"

    mutating func validate() throws {   // the option groups validate themselves
        _ = try parseGrid(phis, option: "--phis")
        _ = try parseGrid(lrDs, option: "--lr-ds")
    }

    mutating func run() throws {
        let base = try model.config()
        let diagram = try ParticlePhaseDiagram(base: base, phis: try parseGrid(phis, option: "--phis"),
                                               discriminatorLRs: try parseGrid(lrDs, option: "--lr-ds"), seeds: try sweep.parsedSeeds())
        try FileManager.default.createDirectory(atPath: sweep.out, withIntermediateDirectories: true)
        print("phase diagram: \(diagram.phis.count) φ × \(diagram.discriminatorLRs.count) η_D × \(diagram.seeds.count) seeds = \(diagram.runCount) runs of \(base.steps) steps on \(sweep.workers) threads")
        let progress = ProgressLine(label: "phase", unit: "runs")
        let started = ContinuousClock.now
        let result = try diagram.run(threads: sweep.workers) { done, total in progress.update(done: done, total: total) }
        let seconds = (ContinuousClock.now - started).seconds
        progress.finish()
        try ParticlePhaseOutput(result: result, directory: sweep.out, wallSeconds: seconds, threads: sweep.workers).write()
        let boundary = result.boundary
        for (i, lr) in diagram.discriminatorLRs.enumerated() {
            let row = result.meanDiversity[i]
            print(String(format: "η_D %-8@ diversity φ=%@: %.3f → φ=%@: %.3f   boundary φ_c %@", axisLabel(lr), axisLabel(diagram.phis.first!), row.first!,
                         axisLabel(diagram.phis.last!), row.last!, boundary[i].map(axisLabel) ?? "none"))
        }
        print(String(format: "random-cloud baseline %.3f, log M %.3f, collapse threshold %.3f; %.1f s", result.randomCloudBaseline,
                     log(Double(result.targetCount)), result.collapseThreshold, seconds))
        print("wrote \(sweep.out)/summary.json")
    }
}

/// `equilibrium particles sweep damping`.
struct ParticlesDampingCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "damping",
        abstract: "Convergence time against the regulariser weight γ, beside the linearised system's eigenvalues.",
        discussion: """
        Defaults are spec particles.md P3 on P1's targets: φ = 0.1, γ ∈ logspace(1e-3, 1e2, 16) for an R1 penalty at \
        the data points. Convergence: diversity ≤ 0.05 and every particle within 0.05 of a target, from that evaluation \
        on (--hold-steps stops a run once it has held that long). Writes damping.csv, linearised.csv, damping.png and summary.json.
        """)

    @OptionGroup var model: ParticleModelOptions
    @OptionGroup var sweep: ParticleSweepOptions

    @Option(help: "γ values: 'a,b,…' or 'log:lo:hi:n'.")
    var gammas = "log:0.001:100:16"

    @Option(name: .customLong("swept-penalty"), help: "The regulariser whose weight is γ: r1 (default), r2, dragan or gan-gp.")
    var sweptPenalty = "r1"

    mutating func validate() throws {   // the option groups validate themselves
        _ = try parseGrid(gammas, option: "--gammas")
        guard ["r1", "r2", "dragan", "gan-gp"].contains(sweptPenalty) else {
            throw ValidationError("--swept-penalty must be r1, r2, dragan or gan-gp (got '\(sweptPenalty)').")
        }
    }

    mutating func run() throws {
        let base = try model.config()
        let damping = try ParticleDampingSweep(base: base, gammas: try parseGrid(gammas, option: "--gammas"), seeds: try sweep.parsedSeeds(),
                                               penalty: sweptPenalty)
        try FileManager.default.createDirectory(atPath: sweep.out, withIntermediateDirectories: true)
        print("damping sweep: \(damping.gammas.count) γ × \(damping.seeds.count) seeds, φ \(base.phi), η_G \(base.particleLR), η_D \(base.discriminator.optimizer.lr), up to \(base.steps) steps on \(sweep.workers) threads; linearised γ_crit = \(axisLabel(damping.linearisedCriticalGamma))")
        let progress = ProgressLine(label: "damping", unit: "runs")
        let started = ContinuousClock.now
        let result = damping.run(threads: sweep.workers) { done, total in progress.update(done: done, total: total) }
        let seconds = (ContinuousClock.now - started).seconds
        progress.finish()
        let corrected: (gamma: Double, slopeKernel: Double)
        corrected = try damping.slopeCorrectedCriticalGamma()
        try ParticleDampingOutput(result: result, slopeCorrected: corrected, directory: sweep.out, wallSeconds: seconds, threads: sweep.workers).write()
        for row in result.convergence {
            print(String(format: "γ %-8@ convergence %@ (%d/%d converged)", axisLabel(row.gamma),
                         row.converged == damping.seeds.count ? String(format: "%.0f steps", row.meanSteps) : String(format: "≥ %.0f steps", row.meanSteps),
                         row.converged, damping.seeds.count))
        }
        print(String(format: "fastest γ %@, linearised γ_crit %@, slope-corrected γ_crit %@ (Θ_ψ = %.4g); %.1f s",
                     result.fastestGamma.map(axisLabel) ?? "none (no γ converged on every seed)",
                     axisLabel(damping.linearisedCriticalGamma), axisLabel(corrected.gamma), corrected.slopeKernel, seconds))
        print("wrote \(sweep.out)/summary.json")
    }
}
