/// The double-oracle method (McMahan, Gordon, Blum 2003; spec do-gan.md §3, §5) on a known
/// matrix game with exact best-response oracles: argmin / argmax over all pure strategies.
/// It is the reference the network version is checked against (spec §11 items 10–11).
public struct MatrixDoubleOracle {
    public var game: MatrixGame
    public var solver: any MetaSolver
    /// Stop when max(gain_g, gain_d) ≤ ε.
    public var epsilon: Double
    public var maxIterations: Int
    /// Prune (iterated weak dominance, then the authors' rule) when a player holds more than
    /// this many strategies (nil: never).
    public var cap: Int?

    public init(game: MatrixGame, solver: any MetaSolver = LinearProgramSolver(), epsilon: Double = 0,
                maxIterations: Int = 1_000, cap: Int? = nil) throws(MetaGameError) {
        guard epsilon >= 0, maxIterations >= 1 else { throw .invalidParameter("double oracle: needs ε ≥ 0 and maxIterations ≥ 1") }
        if let cap, cap < 1 { throw .invalidParameter("double oracle: the support cap must be at least 1, got \(cap)") }
        self.game = game
        self.solver = solver
        self.epsilon = epsilon
        self.maxIterations = maxIterations
        self.cap = cap
    }

    /// One iteration's log line (spec §5).
    public struct Iteration: Sendable, Equatable {
        public var value: Double
        public var generatorGain: Double
        public var discriminatorGain: Double
        public var storedRows: Int
        public var storedColumns: Int
        public var rowSupport: Int
        public var columnSupport: Int
        /// The restricted solution's certified gap.
        public var exploitability: Double
        public var removals: [Pruning.Removal]
    }

    public struct Result: Sendable {
        /// Stored strategies (original indices) at the end.
        public var rows: [Int]
        public var columns: [Int]
        /// The final restricted solution, mixtures over `rows` / `columns`.
        public var solution: MetaSolution
        public var iterations: [Iteration]
        /// Strategies added over the run (starting strategies not counted).
        public var additions: Int
        public var converged: Bool

        /// σ_g over all rows of the full game.
        public func fullRowMixture(rows total: Int) -> [Double] {
            var full = [Double](repeating: 0, count: total)
            for (k, i) in rows.enumerated() { full[i] = solution.rowMixture[k] }
            return full
        }

        public func fullColumnMixture(columns total: Int) -> [Double] {
            var full = [Double](repeating: 0, count: total)
            for (k, j) in columns.enumerated() { full[j] = solution.columnMixture[k] }
            return full
        }
    }

    public func run(startRow: Int = 0, startColumn: Int = 0) throws(MetaGameError) -> Result {
        guard (0..<game.rows).contains(startRow), (0..<game.columns).contains(startColumn) else {
            throw .invalidParameter("double oracle: start (\(startRow), \(startColumn)) is outside the \(game.rows)×\(game.columns) game")
        }
        var rows = [startRow], columns = [startColumn]
        var iterations: [Iteration] = []
        var additions = 0
        for _ in 0..<maxIterations {
            let restricted = game.restricted(rows: rows, columns: columns)
            let solution = try solver.solve(restricted)
            var sigmaD = [Double](repeating: 0, count: game.columns), sigmaG = [Double](repeating: 0, count: game.rows)
            for (k, j) in columns.enumerated() { sigmaD[j] = solution.columnMixture[k] }
            for (k, i) in rows.enumerated() { sigmaG[i] = solution.rowMixture[k] }
            let bestRow = game.bestRow(against: sigmaD), bestColumn = game.bestColumn(against: sigmaG)
            let generatorGain = solution.value - game.rowPayoffs(against: sigmaD)[bestRow]
            let discriminatorGain = game.columnPayoffs(against: sigmaG)[bestColumn] - solution.value
            var iteration = Iteration(value: solution.value, generatorGain: generatorGain, discriminatorGain: discriminatorGain,
                                      storedRows: rows.count, storedColumns: columns.count, rowSupport: solution.rowSupport.count,
                                      columnSupport: solution.columnSupport.count, exploitability: solution.exploitability, removals: [])
            let newRow = !rows.contains(bestRow), newColumn = !columns.contains(bestColumn)
            // Done when neither oracle improves by more than ε, or (ε = 0 with rounding) when
            // both best responses are already stored.
            if Swift.max(generatorGain, discriminatorGain) <= epsilon || (!newRow && !newColumn) {
                iterations.append(iteration)
                return Result(rows: rows, columns: columns, solution: solution, iterations: iterations, additions: additions, converged: true)
            }
            if newRow { rows.append(bestRow); additions += 1 }
            if newColumn { columns.append(bestColumn); additions += 1 }
            if let cap, rows.count > cap || columns.count > cap {
                iteration.removals = try prune(rows: &rows, columns: &columns, cap: cap)
            }
            iterations.append(iteration)
        }
        let restricted = game.restricted(rows: rows, columns: columns)
        return Result(rows: rows, columns: columns, solution: try solver.solve(restricted), iterations: iterations,
                      additions: additions, converged: false)
    }

    /// §6.3 on the stored sets; removals name strategies by their index in the full game.
    private func prune(rows: inout [Int], columns: inout [Int], cap: Int) throws(MetaGameError) -> [Pruning.Removal] {
        let (keptRows, keptColumns, removals) = try Pruning.toCap(game.restricted(rows: rows, columns: columns), cap: cap, solver: solver)
        let named = removals.map { r in
            let original = r.player == .generator ? rows : columns
            let dominator = r.dominator.map { original[$0] }
            let reason = dominator.map { "weakly dominated by \(r.player.rawValue) \($0)" } ?? r.reason
            return Pruning.Removal(player: r.player, index: original[r.index], reason: reason, dominator: dominator)
        }
        rows = keptRows.map { rows[$0] }
        columns = keptColumns.map { columns[$0] }
        return named
    }
}
