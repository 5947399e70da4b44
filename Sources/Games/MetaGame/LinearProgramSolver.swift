import CCLP
import Foundation

/// The exact meta-game solver (spec do-gan.md §4): two linear programs solved by COIN-OR CLP's
/// simplex through its C interface.
///
///     discriminator: maximise v  s.t.  Σ_j U_ij σ_d(j) ≥ v  ∀i,  Σσ_d = 1,  σ_d ≥ 0
///     generator:     minimise w  s.t.  Σ_i σ_g(i) U_ij ≤ w  ∀j,  Σσ_g = 1,  σ_g ≥ 0
///
/// Solving both programs (rather than reading σ_g off the dual prices) keeps sign conventions
/// out of the way and gives two values that must agree. Entries below 1e-12 are clipped and
/// the mixtures renormalised; every result is certified: the exploitability must be
/// ≤ `certificateTolerance`·(1 + max|U|) and |v − w| likewise, or the solve throws.
public struct LinearProgramSolver: MetaSolver {
    public var certificateTolerance: Double
    public var name: String { "lp(clp)" }

    public init(certificateTolerance: Double = 1e-9) {
        self.certificateTolerance = certificateTolerance
    }

    public func solve(_ game: MatrixGame) throws(MetaGameError) -> MetaSolution {
        let (columnMixture, v) = try Self.maximinColumns(game)
        // The generator's program is the column player's program of the game −Uᵀ.
        let transposedNegated = try MatrixGame(rows: game.columns, columns: game.rows,
                                               payoffs: (0..<game.columns).flatMap { j in (0..<game.rows).map { -game[$0, j] } })
        let (rowMixture, negatedW) = try Self.maximinColumns(transposedNegated)
        let w = -negatedW
        let solution = MetaSolution(game: game, rowMixture: cleanedMixture(rowMixture), columnMixture: cleanedMixture(columnMixture), solver: name)
        let tolerance = certificateTolerance * (1 + game.scale)
        guard Swift.abs(v - w) <= tolerance else {
            throw .solverFailed("primal value \(v) and dual value \(w) differ by \(Swift.abs(v - w)) (tolerance \(tolerance))")
        }
        guard solution.exploitability <= tolerance else {
            throw .solverFailed("certificate failed: exploitability \(solution.exploitability) > \(tolerance) on a \(game.rows)×\(game.columns) game")
        }
        return solution
    }

    /// max over σ of min_i (Uσ)_i for the column player, by CLP: returns (σ, v).
    static func maximinColumns(_ game: MatrixGame) throws(MetaGameError) -> ([Double], Double) {
        let m = game.rows, n = game.columns
        guard let model = Clp_newModel() else { throw .solverFailed("CLP could not allocate a model") }
        defer { Clp_deleteModel(model) }
        Clp_setLogLevel(model, 0)
        // CLP's default feasibility tolerances (1e-7) leave gaps of ~1e-6 on 200×200 games;
        // the certificate asks for 1e-9·(1 + max|U|).
        Clp_setPrimalTolerance(model, 1e-11)
        Clp_setDualTolerance(model, 1e-11)
        // Columns 0..<n: σ_j ∈ [0, ∞); column n: v free. Rows 0..<m: Σ_j U_ij σ_j − v ≥ 0;
        // row m: Σ_j σ_j = 1. Column-major (CSC) storage.
        var start: [CoinBigIndex] = [0]
        var index: [Int32] = []
        var value: [Double] = []
        for j in 0..<n {
            for i in 0..<m where game[i, j] != 0 {
                index.append(Int32(i))
                value.append(game[i, j])
            }
            index.append(Int32(m))
            value.append(1)
            start.append(CoinBigIndex(index.count))
        }
        for i in 0..<m {
            index.append(Int32(i))
            value.append(-1)
        }
        start.append(CoinBigIndex(index.count))
        let infinity = Double.greatestFiniteMagnitude
        let columnLower = [Double](repeating: 0, count: n) + [-infinity]
        let columnUpper = [Double](repeating: infinity, count: n + 1)
        let objective = [Double](repeating: 0, count: n) + [1]
        let rowLower = [Double](repeating: 0, count: m) + [1]
        let rowUpper = [Double](repeating: infinity, count: m) + [1]
        Clp_loadProblem(model, Int32(n + 1), Int32(m + 1), start, index, value, columnLower, columnUpper, objective, rowLower, rowUpper)
        Clp_setObjSense(model, -1)   // maximise v
        Clp_initialSolve(model)
        guard Clp_isProvenOptimal(model) != 0 else {
            throw .solverFailed("CLP did not prove optimality (status \(Clp_status(model))) on a \(m)×\(n) game")
        }
        guard let solution = Clp_getColSolution(model) else { throw .solverFailed("CLP returned no solution") }
        let sigma = (0..<n).map { Swift.max(solution[$0], 0) }
        return (sigma, solution[n])
    }
}
