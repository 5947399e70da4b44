/// Pruning of a meta-game's strategy sets (spec do-gan.md §6).
public enum Pruning {
    public enum Player: String, Sendable { case generator, discriminator }

    /// One removed strategy, by its index in the game given to the pruning call.
    public struct Removal: Sendable, Equatable {
        public var player: Player
        public var index: Int
        public var reason: String
        /// For a weak-dominance removal: the index (same numbering) of the strategy that dominates it.
        public var dominator: Int? = nil
    }

    /// Iterated removal of weakly dominated pure strategies (§6.2), which preserves a zero-sum
    /// game's value. Row i (minimiser) is dominated by row k if U_kj ≤ U_ij + τ for all j and
    /// U_kj < U_ij − τ for some j; column j (maximiser) by column k if U_ik ≥ U_ij − τ for all i
    /// and U_ik > U_ij + τ for some i. Returns the kept rows and columns (original indices,
    /// ascending) and the removals in order.
    public static func iteratedWeakDominance(_ game: MatrixGame, tolerance tau: Double = 0)
        -> (rows: [Int], columns: [Int], removals: [Removal]) {
        var rows = Array(0..<game.rows), columns = Array(0..<game.columns)
        var removals: [Removal] = []
        var changed = true
        while changed {
            changed = false
            if rows.count > 1 {
                for i in rows {
                    if let k = rows.first(where: { k in
                        k != i && columns.allSatisfy { game[k, $0] <= game[i, $0] + tau } && columns.contains { game[k, $0] < game[i, $0] - tau }
                    }) {
                        rows.removeAll { $0 == i }
                        removals.append(Removal(player: .generator, index: i, reason: "weakly dominated by generator \(k)", dominator: k))
                        changed = true
                        break
                    }
                }
            }
            if columns.count > 1 {
                for j in columns {
                    if let k = columns.first(where: { k in
                        k != j && rows.allSatisfy { game[$0, k] >= game[$0, j] - tau } && rows.contains { game[$0, k] > game[$0, j] + tau }
                    }) {
                        columns.removeAll { $0 == j }
                        removals.append(Removal(player: .discriminator, index: j, reason: "weakly dominated by discriminator \(k)", dominator: k))
                        changed = true
                        break
                    }
                }
            }
        }
        return (rows, columns, removals)
    }

    /// The authors' rule (§6.1) with the project's guard: remove every strategy whose
    /// probability equals the minimum, unless that would remove them all, in which case
    /// remove only the oldest (index 0). Returns the indices to remove (ascending).
    public static func authorsMinimumProbability(_ probabilities: [Double]) -> [Int] {
        guard probabilities.count > 1, let minimum = probabilities.min() else { return [] }
        let victims = probabilities.indices.filter { probabilities[$0] == minimum }
        return victims.count == probabilities.count ? [0] : victims
    }

    /// §6.3, for a player holding more than `cap` strategies: iterated weak dominance first
    /// (value-preserving), then the authors' rule (with its guard) on re-solved games until
    /// both players are within the cap. Returns the kept rows and columns of `game` (ascending)
    /// and the removals, indices into `game`.
    public static func toCap(_ game: MatrixGame, cap: Int, solver: any MetaSolver) throws(MetaGameError)
        -> (rows: [Int], columns: [Int], removals: [Removal]) {
        precondition(cap >= 1, "Pruning.toCap: the cap must be at least 1")
        var (rows, columns, removals) = iteratedWeakDominance(game)
        while rows.count > cap || columns.count > cap {
            let solution = try solver.solve(game.restricted(rows: rows, columns: columns))
            if rows.count > cap {
                let victims = authorsMinimumProbability(solution.rowMixture)
                removals += victims.map { Removal(player: .generator, index: rows[$0], reason: "minimum probability \(solution.rowMixture[$0])") }
                rows = rows.indices.filter { !victims.contains($0) }.map { rows[$0] }
            }
            if columns.count > cap {
                let victims = authorsMinimumProbability(solution.columnMixture)
                removals += victims.map { Removal(player: .discriminator, index: columns[$0], reason: "minimum probability \(solution.columnMixture[$0])") }
                columns = columns.indices.filter { !victims.contains($0) }.map { columns[$0] }
            }
        }
        return (rows, columns, removals)
    }
}
