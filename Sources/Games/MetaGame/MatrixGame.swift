import Foundation

/// A finite two-player zero-sum game in the project's meta-game convention (spec do-gan.md §2):
/// U ∈ ℝ^{m×n}, U_ij = V(g_i, d_j); rows (generators) minimise, columns (discriminators)
/// maximise. Float64, row-major.
public struct MatrixGame: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major m×n payoffs.
    public let payoffs: [Double]

    public init(rows m: Int, columns n: Int, payoffs: [Double]) throws(MetaGameError) {
        guard m >= 1, n >= 1 else { throw .invalidGame("a game needs at least one row and one column, got \(m)×\(n)") }
        guard payoffs.count == m * n else { throw .invalidGame("expected \(m)×\(n) = \(m * n) payoffs, got \(payoffs.count)") }
        if let bad = payoffs.firstIndex(where: { !$0.isFinite }) {
            throw .invalidGame("payoff (\(bad / n), \(bad % n)) is \(payoffs[bad]); every entry must be finite")
        }
        self.rows = m
        self.columns = n
        self.payoffs = payoffs
    }

    /// From nested rows.
    public init(_ matrix: [[Double]]) throws(MetaGameError) {
        guard let n = matrix.first?.count, matrix.allSatisfy({ $0.count == n }) else {
            throw .invalidGame("rows of different lengths (or no rows)")
        }
        try self.init(rows: matrix.count, columns: n, payoffs: matrix.flatMap { $0 })
    }

    /// The authors' convention (spec §2): A = −U stored with generator rows *maximising*.
    public static func fromAuthorsConvention(_ a: [[Double]]) throws(MetaGameError) -> MatrixGame {
        try MatrixGame(a.map { $0.map { -$0 } })
    }

    /// −U, i.e. the same game in the authors' convention (rows maximise).
    public var authorsConvention: [[Double]] { (0..<rows).map { i in (0..<columns).map { -self[i, $0] } } }

    public subscript(i: Int, j: Int) -> Double { payoffs[i * columns + j] }

    /// (U σ_d)_i: each row's expected payoff against a column mixture.
    public func rowPayoffs(against columnMixture: [Double]) -> [Double] {
        precondition(columnMixture.count == columns, "MatrixGame: column mixture has \(columnMixture.count) entries for \(columns) columns")
        return (0..<rows).map { i in (0..<columns).reduce(0.0) { $0 + self[i, $1] * columnMixture[$1] } }
    }

    /// (σ_gᵀ U)_j: each column's expected payoff against a row mixture.
    public func columnPayoffs(against rowMixture: [Double]) -> [Double] {
        precondition(rowMixture.count == rows, "MatrixGame: row mixture has \(rowMixture.count) entries for \(rows) rows")
        return (0..<columns).map { j in (0..<rows).reduce(0.0) { $0 + rowMixture[$1] * self[$1, j] } }
    }

    /// σ_gᵀ U σ_d.
    public func value(rowMixture: [Double], columnMixture: [Double]) -> Double {
        zip(rowMixture, rowPayoffs(against: columnMixture)).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The certified gap max_j(σ_gᵀU)_j − min_i(Uσ_d)_i ≥ 0 (spec §4): 0 exactly at a Nash
    /// equilibrium; the sum of both players' best-response gains.
    public func exploitability(rowMixture: [Double], columnMixture: [Double]) -> Double {
        columnPayoffs(against: rowMixture).max()! - rowPayoffs(against: columnMixture).min()!
    }

    /// The row minimising (Uσ_d)_i (lowest index on ties): the generator's pure best response.
    public func bestRow(against columnMixture: [Double]) -> Int {
        let p = rowPayoffs(against: columnMixture)
        return p.indices.min { p[$0] < p[$1] || (p[$0] == p[$1] && $0 < $1) }!
    }

    /// The column maximising (σ_gᵀU)_j (lowest index on ties).
    public func bestColumn(against rowMixture: [Double]) -> Int {
        let p = columnPayoffs(against: rowMixture)
        return p.indices.min { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }!
    }

    /// The subgame on the given rows and columns (in the given order).
    public func restricted(rows keptRows: [Int], columns keptColumns: [Int]) -> MatrixGame {
        try! MatrixGame(rows: keptRows.count, columns: keptColumns.count,
                        payoffs: keptRows.flatMap { i in keptColumns.map { self[i, $0] } })
    }

    /// The largest |U_ij| (the scale of the certificate's tolerance).
    public var scale: Double { payoffs.map(Swift.abs).max() ?? 0 }
}

/// Errors of meta-games and their solvers.
public enum MetaGameError: Error, Equatable, CustomStringConvertible {
    case invalidGame(String)
    case solverFailed(String)
    case invalidParameter(String)

    public var description: String {
        switch self {
        case .invalidGame(let m): return "meta-game: \(m)"
        case .solverFailed(let m): return "meta-game solver: \(m)"
        case .invalidParameter(let m): return "meta-game: \(m)"
        }
    }
}
