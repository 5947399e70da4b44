import ArgumentParser
import Equilibrium
import Foundation

/// The three modes of `equilibrium dynamics li`: heat-map experiments, trace, bench.
extension DynamicsLiCommand {
    func runExperiments(_ schedules: [LiSchedule]) throws {
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let workers = threads ?? LiSuccessExperiment.defaultThreadCount
        var results: [(LiSuccessResult, Double)] = []
        for schedule in schedules {
            let experiment = try experiment(schedule)
            let progress = ProgressLine(label: schedule.description)
            let clock = ContinuousClock.now
            let result = experiment.run(threads: workers) { done, total in progress.update(done: done, total: total) }
            let seconds = (ContinuousClock.now - clock).seconds
            progress.finish()
            results.append((result, seconds))
            let writer = LiOutputWriter(directory: out, result: result, wallSeconds: seconds, threads: workers)
            try writer.writeGrid()
            try writer.writeHeatMap()
            try writer.writeSummary()
            for (k, start) in try trajectoryStarts().enumerated() {
                let trajectory = LiTrajectory(trainer: experiment.trainer, initial: singleStart(means: start),
                                              steps: experiment.steps, every: max(1, experiment.steps / 600),
                                              tolerance: threshold)
                try writer.writeTrajectory(trajectory, index: k + 1)
            }
            print(String(format: "%@: success %.1f%% (off-diagonal %.1f%%, diagonal %.1f%%) over %d cells × %d runs, %d steps, %.2f s on %d threads",
                         schedule.description, 100 * result.successRate, 100 * result.offDiagonalSuccessRate,
                         100 * result.diagonalSuccessRate, result.cells.count, experiment.runsPerCell,
                         experiment.steps, seconds, workers))
        }
        try LiOutputWriter.writeCombined(directory: out, results: results, threads: workers)
        print("wrote \(out)/summary.json")
    }

    func runTrace(_ schedule: LiSchedule) throws {
        let trainer = try trainer(schedule)
        let totalSteps = steps ?? schedule.referenceSteps
        let initial = singleStart(means: try parsePair(start, option: "--start"))
        let trajectory = LiTrajectory(trainer: trainer, initial: initial, steps: totalSteps, every: traceEvery,
                                      tolerance: threshold)
        print("# \(schedule) from μ = (\(initial.means[0]), \(initial.means[1])), η_g = \(trainer.generatorStepSize), η_d = \(trainer.discriminatorStepSize), projection \(projection.rawValue), seed \(seed), init \(initIndex)")
        let header = ["mu1", "mu2", "l1", "r1", "l2", "r2", "L", "TV", "|dL/dmu|"]
        print(String(repeating: " ", count: 3) + "step" + header.map { " " + String(repeating: " ", count: max(0, 10 - $0.count)) + $0 }.joined())
        for r in trajectory.records {
            let e = r.state.discriminator
            print(String(format: "%7d %10.5f %10.5f %10.4f %10.4f %10.4f %10.4f %10.6f %10.6f %10.3e",
                         r.step, r.state.means[0], r.state.means[1], e.l1, e.r1, e.l2, e.r2,
                         r.objective, r.totalVariation, r.generatorGradientNorm))
        }
        print("converged: \(trajectory.converged)  discriminator collapse: \(trajectory.collapse.discriminatorCollapse)  mode collapse: \(trajectory.collapse.modeCollapse)")
    }

    func runBench(_ schedules: [LiSchedule]) throws {
        for schedule in schedules {
            let trainer = try trainer(schedule)
            let count = benchSteps ?? (schedule == .optimal ? 20_000 : 1_000_000)
            var state = singleStart(means: try parsePair(start, option: "--start"))
            trainer.run(&state, steps: min(count, 1000))  // warm-up
            state = singleStart(means: try parsePair(start, option: "--start"))
            let clock = ContinuousClock.now
            trainer.run(&state, steps: count)
            let seconds = (ContinuousClock.now - clock).seconds
            print(String(format: "%@: %d steps in %.3f s = %.0f steps/s (single trajectory, one thread); final μ = (%.4f, %.4f)",
                         schedule.description, count, seconds, Double(count) / seconds, state.means[0], state.means[1]))
        }
    }
}

extension Duration {
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) * 1e-18 }
}
