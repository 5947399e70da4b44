/// The success-probability heat map of Li et al. Figure 2 (spec §6).
///
/// A square grid of initial means over [low, high]²; by the label symmetry only cells with
/// μ₁⁽⁰⁾ ≤ μ₂⁽⁰⁾ are run (a 10-grid has 55 cells: 45 off the diagonal, 10 on it). Each cell runs
/// `initsPerCell` random discriminator initialisations, each from its own random stream keyed
/// by (seed, row, column, run), so results are identical for any thread count.
public struct LiSuccessExperiment: Sendable, Hashable {
    public var trainer: LiTrainer
    public var steps: Int
    public var gridSize: Int
    public var gridLow: Double
    public var gridHigh: Double
    public var initsPerCell: Int
    /// Discriminator endpoints are drawn from Uniform(−initHalfWidth, initHalfWidth).
    public var initHalfWidth: Double
    /// Success: sorted means within this distance of μ*, component-wise.
    public var tolerance: Double
    public var seed: UInt64

    public init(trainer: LiTrainer, steps: Int? = nil, gridSize: Int = 10,
                gridLow: Double = -1, gridHigh: Double = 1, initsPerCell: Int = 100,
                initHalfWidth: Double = 2, tolerance: Double = 0.1, seed: UInt64 = 0) {
        self.trainer = trainer
        self.steps = steps ?? trainer.schedule.referenceSteps
        self.gridSize = gridSize
        self.gridLow = gridLow
        self.gridHigh = gridHigh
        self.initsPerCell = initsPerCell
        self.initHalfWidth = initHalfWidth
        self.tolerance = tolerance
        self.seed = seed
    }

    /// Grid coordinate k: linspace(low, high, gridSize).
    public func gridValue(_ k: Int) -> Double {
        gridSize == 1 ? gridLow : gridLow + (gridHigh - gridLow) * Double(k) / Double(gridSize - 1)
    }

    /// The cells with row ≤ column, row-major.
    public var cells: [(row: Int, column: Int)] {
        (0..<gridSize).flatMap { i in (i..<gridSize).map { j in (row: i, column: j) } }
    }

    /// Runs per cell: one for the optimal dynamics, which ignore the initialisation.
    public var runsPerCell: Int {
        trainer.schedule.dependsOnDiscriminatorInitialisation ? initsPerCell : 1
    }

    /// The starting state of run `run` in cell (row, column).
    public func initialState(row: Int, column: Int, run: Int) -> LiState {
        var generator = SplitMix64(seed: seed, stream: [UInt64(row), UInt64(column), UInt64(run)])
        return LiState(means: SIMD2(gridValue(row), gridValue(column)),
                       discriminator: .random(halfWidth: initHalfWidth, using: &generator))
    }

    /// Runs one cell.
    public func runCell(row: Int, column: Int) -> LiCellResult {
        var successes = 0, discriminatorCollapses = 0, modeCollapses = 0
        var totalVariation = 0.0
        let detector = LiCollapseDetector()
        let model = trainer.model
        for run in 0..<runsPerCell {
            var state = initialState(row: row, column: column, run: run)
            trainer.run(&state, steps: steps)
            if trainer.schedule == .optimal {
                state.discriminator = model.optimalDiscriminator(means: state.means).discriminator
            }
            let record = model.record(step: steps, state: state)
            let collapse = detector.assess(record, model: model)
            if model.isConverged(state.means, tolerance: tolerance) { successes += 1 }
            if collapse.discriminatorCollapse { discriminatorCollapses += 1 }
            if collapse.modeCollapse { modeCollapses += 1 }
            totalVariation += record.totalVariation
        }
        let runs = runsPerCell
        return LiCellResult(row: row, column: column,
                            initialMeans: SIMD2(gridValue(row), gridValue(column)),
                            runs: runs, successes: successes,
                            meanFinalTotalVariation: totalVariation / Double(runs),
                            discriminatorCollapses: discriminatorCollapses, modeCollapses: modeCollapses)
    }

    /// The default worker count: every hardware thread.
    public static var defaultThreadCount: Int { availableThreads }

    /// Runs every cell on `threads` workers; `progress` is called after each cell.
    public func run(threads: Int = LiSuccessExperiment.defaultThreadCount,
                    progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil) -> LiSuccessResult {
        let cells = self.cells
        let results = parallelMap(count: cells.count, threads: threads, progress: progress) { k in
            runCell(row: cells[k].row, column: cells[k].column)
        }
        return LiSuccessResult(experiment: self, cells: results)
    }
}

/// The outcome of one grid cell.
public struct LiCellResult: Sendable, Hashable {
    public var row: Int
    public var column: Int
    public var initialMeans: SIMD2<Double>
    public var runs: Int
    public var successes: Int
    public var meanFinalTotalVariation: Double
    public var discriminatorCollapses: Int
    public var modeCollapses: Int

    public var successRate: Double { Double(successes) / Double(runs) }
    public var isDiagonal: Bool { row == column }
}

/// All cells of an experiment and their aggregates.
public struct LiSuccessResult: Sendable, Hashable {
    public var experiment: LiSuccessExperiment
    public var cells: [LiCellResult]

    /// Mean success rate over the cells run (row ≤ column), each cell weighted equally.
    public var successRate: Double { Self.meanRate(cells) }
    public var offDiagonalSuccessRate: Double { Self.meanRate(cells.filter { !$0.isDiagonal }) }
    public var diagonalSuccessRate: Double { Self.meanRate(cells.filter(\.isDiagonal)) }
    public var meanFinalTotalVariation: Double {
        cells.map(\.meanFinalTotalVariation).reduce(0, +) / Double(max(cells.count, 1))
    }
    public var totalRuns: Int { cells.map(\.runs).reduce(0, +) }
    public var successfulRuns: Int { cells.map(\.successes).reduce(0, +) }

    /// The full gridSize × gridSize matrix of success rates, mirrored across the diagonal;
    /// entry [i][j] has μ₁⁽⁰⁾ = grid[j] (columns) and μ₂⁽⁰⁾ = grid[i] (rows).
    public var rateMatrix: [[Double]] {
        let n = experiment.gridSize
        var matrix = Array(repeating: Array(repeating: 0.0, count: n), count: n)
        for cell in cells {
            matrix[cell.row][cell.column] = cell.successRate
            matrix[cell.column][cell.row] = cell.successRate
        }
        return matrix
    }

    private static func meanRate(_ cells: [LiCellResult]) -> Double {
        cells.isEmpty ? .nan : cells.map(\.successRate).reduce(0, +) / Double(cells.count)
    }
}
