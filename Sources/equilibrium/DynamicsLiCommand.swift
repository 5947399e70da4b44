import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium dynamics li`: the Li–Mądry–Peebles–Schmidt model (spec li-dynamics.md).
struct DynamicsLiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "li",
        abstract: "Li et al. 1-D GAN: success-probability heat maps, trajectories, traces.",
        discussion: """
        Runs the success-probability experiment of Li et al. Figure 2 for each selected dynamics \
        and writes heatmap-<dynamics>.png, grid-<dynamics>.csv, summary-<dynamics>.json, \
        trajectory-<dynamics>-<k>.png/.csv and summary.json into --out.
        Dynamics: optimal, first-order (simultaneous), alternating, k-step[-K], unrolled[-K].
        Use --trace to print one trajectory step by step, --bench to time single trajectories.
        """)

    @Option(help: "Comma-separated dynamics: optimal, first-order, alternating, k-step[-K], unrolled[-K].")
    var dynamics = "optimal,first-order"

    @Option(parsing: .unconditional, help: "Grid points per axis over [grid-min, grid-max] (cells with μ1 ≤ μ2 are run).")
    var grid = 20

    @Option(name: .customLong("grid-min"), parsing: .unconditional, help: "Smallest initial mean.")
    var gridMin = -1.0

    @Option(name: .customLong("grid-max"), parsing: .unconditional, help: "Largest initial mean.")
    var gridMax = 1.0

    @Option(parsing: .unconditional, help: "Random discriminator initialisations per cell (the optimal dynamics need one).")
    var inits = 100

    @Option(parsing: .unconditional, help: "Generator steps per run (default: 1000 for optimal, 3000 otherwise).")
    var steps: Int?

    @Option(parsing: .unconditional, help: "Step size of both players.")
    var eta = 0.1

    @Option(name: .customLong("eta-g"), parsing: .unconditional, help: "Generator step size (overrides --eta).")
    var etaG: Double?

    @Option(name: .customLong("eta-d"), parsing: .unconditional, help: "Discriminator step size (overrides --eta).")
    var etaD: Double?

    @Option(help: "Seed; each (cell, run) derives its own random stream from it.")
    var seed: UInt64 = 0

    @Option(help: "Feasibility after a discriminator step: pav, sort or none.")
    var projection: Feasibility = .pav

    @Option(parsing: .unconditional, help: "Success: sorted means within this distance of μ*, component-wise.")
    var threshold = 0.1

    @Option(name: .customLong("true-means"), parsing: .unconditional, help: "True means μ*1,μ*2.")
    var trueMeans = "-0.5,0.5"

    @Option(name: .customLong("init-half-width"), parsing: .unconditional, help: "Interval endpoints start from Uniform(-w, w).")
    var initHalfWidth = 2.0

    @Option(parsing: .unconditional, help: "K for 'unrolled' and 'k-step' given without a suffix.")
    var unroll = 5

    @Option(parsing: .unconditional, help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Output directory.")
    var out = "li-dynamics-out"

    @Option(parsing: .unconditional, help: "Trajectory plot starts, 'a,b;c,d;…'.")
    var starts = "-1,1;0,0.8;-0.9,-0.6"

    @Flag(help: "Print one trajectory step by step (first dynamics, from --start) and exit.")
    var trace = false

    @Option(parsing: .unconditional, help: "Start μ1,μ2 for --trace.")
    var start = "-1,1"

    @Option(name: .customLong("trace-every"), parsing: .unconditional, help: "Print every n-th step in --trace.")
    var traceEvery = 100

    @Option(name: .customLong("init-index"), parsing: .unconditional, help: "Which random discriminator start --trace and the trajectory plots use.")
    var initIndex = 0

    @Flag(help: "Time single trajectories (steps/s) for each dynamics and exit.")
    var bench = false

    @Option(name: .customLong("bench-steps"), parsing: .unconditional, help: "Steps per --bench trajectory (default: 1,000,000; 20,000 for optimal).")
    var benchSteps: Int?

    mutating func validate() throws {
        guard grid >= 1 else { throw ValidationError("--grid must be at least 1 (got \(grid)).") }
        guard inits >= 1 else { throw ValidationError("--inits must be at least 1 (got \(inits)).") }
        if let steps, steps < 0 { throw ValidationError("--steps must be non-negative (got \(steps)).") }
        for (name, value) in [("--eta", eta), ("--eta-g", etaG ?? eta), ("--eta-d", etaD ?? eta)] {
            guard value > 0, value.isFinite else { throw ValidationError("\(name) must be a positive number (got \(value)).") }
        }
        guard threshold > 0 else { throw ValidationError("--threshold must be positive (got \(threshold)).") }
        guard gridMax > gridMin || (grid == 1 && gridMax >= gridMin) else {
            throw ValidationError("--grid-max (\(gridMax)) must exceed --grid-min (\(gridMin)).")
        }
        guard initHalfWidth > 0 else { throw ValidationError("--init-half-width must be positive.") }
        guard unroll >= 1 else { throw ValidationError("--unroll must be at least 1.") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1 (got \(threads)).") }
        guard traceEvery >= 1 else { throw ValidationError("--trace-every must be at least 1.") }
        guard initIndex >= 0 else { throw ValidationError("--init-index must be non-negative.") }
        if let benchSteps, benchSteps < 1 { throw ValidationError("--bench-steps must be at least 1.") }
        _ = try schedules()
        _ = try parsePair(trueMeans, option: "--true-means")
        _ = try parsePair(start, option: "--start")
        _ = try trajectoryStarts()
    }

    func schedules() throws -> [LiSchedule] {
        let names = dynamics.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard !names.isEmpty else { throw ValidationError("--dynamics is empty.") }
        return try names.map { name in
            guard let schedule = LiSchedule(name: name, defaultK: unroll) else {
                throw ValidationError("Unknown dynamics '\(name)'. Use optimal, first-order, alternating, k-step[-K] or unrolled[-K].")
            }
            return schedule
        }
    }

    func parsePair(_ text: String, option: String) throws -> SIMD2<Double> {
        let parts = text.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, let a = parts[0], let b = parts[1], a.isFinite, b.isFinite else {
            throw ValidationError("\(option) expects two numbers 'a,b' (got '\(text)').")
        }
        return SIMD2(a, b)
    }

    func trajectoryStarts() throws -> [SIMD2<Double>] {
        try starts.split(separator: ";").filter { !$0.isEmpty }.map { try parsePair(String($0), option: "--starts") }
    }

    func trainer(_ schedule: LiSchedule) throws -> LiTrainer {
        LiTrainer(model: LiModel(trueMeans: try parsePair(trueMeans, option: "--true-means")), schedule: schedule,
                  generatorStepSize: etaG ?? eta, discriminatorStepSize: etaD ?? eta, feasibility: projection)
    }

    func experiment(_ schedule: LiSchedule) throws -> LiSuccessExperiment {
        LiSuccessExperiment(trainer: try trainer(schedule), steps: steps, gridSize: grid, gridLow: gridMin,
                            gridHigh: gridMax, initsPerCell: inits, initHalfWidth: initHalfWidth,
                            tolerance: threshold, seed: seed)
    }

    /// The start of a single (trace or plotted) trajectory: its discriminator comes from a
    /// stream reserved for single runs, keyed by the seed and --init-index.
    func singleStart(means: SIMD2<Double>) -> LiState {
        var generator = SplitMix64(seed: seed, stream: [UInt64.max, UInt64(initIndex)])
        return LiState(means: means, discriminator: .random(halfWidth: initHalfWidth, using: &generator))
    }

    mutating func run() throws {
        let schedules = try schedules()
        if trace { return try runTrace(schedules[0]) }
        if bench { return try runBench(schedules) }
        try runExperiments(schedules)
    }
}

extension Feasibility: ExpressibleByArgument {}
