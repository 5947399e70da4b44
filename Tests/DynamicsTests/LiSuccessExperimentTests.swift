import Testing
@testable import Dynamics

/// Spec §8.10, §8.11, §8.13 and project-wide determinism (README tests §3).
@Suite struct LiSuccessExperimentTests {
    @Test func identicalForAnyThreadCount() {
        let experiment = LiSuccessExperiment(trainer: LiTrainer(schedule: .simultaneous), steps: 400,
                                             gridSize: 4, initsPerCell: 8, seed: 42)
        let one = experiment.run(threads: 1)
        #expect(experiment.run(threads: 2) == one)
        #expect(experiment.run(threads: 4) == one)
        // One cell alone gives the same numbers as inside the grid.
        let cell = experiment.runCell(row: 1, column: 3)
        #expect(one.cells.first { $0.row == 1 && $0.column == 3 } == cell)
    }

    @Test func cellStreamsAreIndependentOfTheGridLayout() {
        let small = LiSuccessExperiment(trainer: LiTrainer(schedule: .simultaneous), gridSize: 4, seed: 3)
        #expect(small.initialState(row: 1, column: 2, run: 5).discriminator
                == LiSuccessExperiment(trainer: LiTrainer(schedule: .alternating), gridSize: 9, seed: 3)
                    .initialState(row: 1, column: 2, run: 5).discriminator)
        #expect(small.initialState(row: 1, column: 2, run: 5) != small.initialState(row: 1, column: 2, run: 6))
    }

    @Test func optimalHeatmap() {
        // Spec §8.10: 100 % in all 45 off-diagonal cells, 0 % on the 10 diagonal cells.
        let result = LiSuccessExperiment(trainer: LiTrainer(schedule: .optimal), gridSize: 10).run()
        #expect(result.cells.count == 55)
        #expect(result.cells.filter { !$0.isDiagonal }.allSatisfy { $0.successRate == 1 })
        #expect(result.cells.filter(\.isDiagonal).allSatisfy { $0.successRate == 0 })
        #expect(result.cells.allSatisfy { $0.runs == 1 })
    }

    @Test func firstOrderHeatmap() {
        // Spec §8.11: off-diagonal mean ≤ 25 %, no cell above 50 %, 100 inits per cell, and at
        // least 70 points below the optimal dynamics' 100 %.
        let result = LiSuccessExperiment(trainer: LiTrainer(schedule: .simultaneous), gridSize: 10, initsPerCell: 100).run()
        #expect(result.offDiagonalSuccessRate <= 0.25)
        #expect(result.offDiagonalSuccessRate > 0)  // a minority, not none
        #expect(result.cells.allSatisfy { $0.successRate <= 0.5 })
        #expect(result.diagonalSuccessRate == 0)
        #expect(1 - result.offDiagonalSuccessRate >= 0.7)
    }

    @Test func unrolledHelpsAtLeastAsMuch() {
        // Spec §8.13, on a coarser grid and fewer inits to stay fast; same seeds for both.
        func rate(_ schedule: LiSchedule) -> Double {
            LiSuccessExperiment(trainer: LiTrainer(schedule: schedule), steps: 3000, gridSize: 5,
                                initsPerCell: 20, seed: 1).run().offDiagonalSuccessRate
        }
        #expect(rate(.unrolled(5)) >= rate(.simultaneous))
    }
}
