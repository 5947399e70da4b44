import Foundation

/// Both players' mixed strategies for a meta-game, its value under them, and the certified gap.
public struct MetaSolution: Sendable, Equatable {
    /// σ_g over the rows (generators), ≥ 0, summing to 1.
    public var rowMixture: [Double]
    /// σ_d over the columns (discriminators).
    public var columnMixture: [Double]
    /// σ_gᵀ U σ_d (the game value at an exact equilibrium).
    public var value: Double
    /// max_j(σ_gᵀU)_j − min_i(Uσ_d)_i: 0 at a Nash equilibrium.
    public var exploitability: Double
    /// Which solver produced it.
    public var solver: String

    public init(game: MatrixGame, rowMixture: [Double], columnMixture: [Double], solver: String) {
        self.rowMixture = rowMixture
        self.columnMixture = columnMixture
        self.value = game.value(rowMixture: rowMixture, columnMixture: columnMixture)
        self.exploitability = game.exploitability(rowMixture: rowMixture, columnMixture: columnMixture)
        self.solver = solver
    }

    /// Indices with positive probability.
    public var rowSupport: [Int] { rowMixture.indices.filter { rowMixture[$0] > 0 } }
    public var columnSupport: [Int] { columnMixture.indices.filter { columnMixture[$0] > 0 } }
}

/// A meta-game solver (spec do-gan.md §4, §10).
public protocol MetaSolver: Sendable {
    var name: String { get }
    func solve(_ game: MatrixGame) throws(MetaGameError) -> MetaSolution
}

/// Clips entries below `floor` to 0 and renormalises to sum 1 (spec §4's post-processing).
func cleanedMixture(_ p: [Double], floor: Double = 1e-12) -> [Double] {
    let clipped = p.map { $0 < floor ? 0 : $0 }
    let total = clipped.reduce(0, +)
    guard total > 0 else { return [Double](repeating: 1 / Double(p.count), count: p.count) }
    return clipped.map { $0 / total }
}

/// Fictitious play (spec §10): each round both players best-respond (lowest index on ties) to
/// the opponent's empirical mixture; the output is the empirical frequencies. Robinson (1951):
/// converges in value for zero-sum games, slowly (gap ≈ 0.01–0.02 after 10⁴ rounds on small
/// games; the authors' prototype used 100 rounds).
public struct FictitiousPlay: MetaSolver {
    public var rounds: Int
    public var name: String { "fictitious-play(\(rounds))" }

    public init(rounds: Int = 10_000) {
        precondition(rounds >= 1, "FictitiousPlay: rounds must be at least 1")
        self.rounds = rounds
    }

    public func solve(_ game: MatrixGame) throws(MetaGameError) -> MetaSolution {
        let m = game.rows, n = game.columns
        var rowCounts = [Double](repeating: 0, count: m), columnCounts = [Double](repeating: 0, count: n)
        rowCounts[0] = 1
        columnCounts[0] = 1
        // Running sums: rowScore_i = Σ_j U_ij·columnCounts_j, columnScore_j = Σ_i rowCounts_i·U_ij.
        var rowScore = (0..<m).map { game[$0, 0] }
        var columnScore = (0..<n).map { game[0, $0] }
        for _ in 1..<rounds {
            let i = rowScore.indices.min { rowScore[$0] < rowScore[$1] || (rowScore[$0] == rowScore[$1] && $0 < $1) }!
            let j = columnScore.indices.min { columnScore[$0] > columnScore[$1] || (columnScore[$0] == columnScore[$1] && $0 < $1) }!
            rowCounts[i] += 1
            columnCounts[j] += 1
            for r in 0..<m { rowScore[r] += game[r, j] }
            for c in 0..<n { columnScore[c] += game[i, c] }
        }
        let t = Double(rounds)
        return MetaSolution(game: game, rowMixture: rowCounts.map { $0 / t }, columnMixture: columnCounts.map { $0 / t }, solver: name)
    }
}

/// Projected replicator dynamics (spec §10; Lanctot et al. 2017): fitness u_g = −Uσ_d, u_d =
/// Uᵀσ_g; σ ← Proj(σ + dt·σ ⊙ (u − σᵀu)) onto the simplex with floor γ/n; the output is the
/// time average of the iterates (or the last iterate).
public struct ProjectedReplicator: MetaSolver {
    public var stepSize: Double
    public var steps: Int
    public var floor: Double
    public var timeAverage: Bool
    public var name: String { "replicator(dt=\(stepSize), \(steps) steps\(timeAverage ? "" : ", last iterate"))" }

    public init(stepSize: Double = 0.01, steps: Int = 100_000, floor: Double = 1e-6, timeAverage: Bool = true) {
        precondition(stepSize > 0 && steps >= 1 && floor >= 0, "ProjectedReplicator: needs dt > 0, steps ≥ 1, floor ≥ 0")
        self.stepSize = stepSize
        self.steps = steps
        self.floor = floor
        self.timeAverage = timeAverage
    }

    public func solve(_ game: MatrixGame) throws(MetaGameError) -> MetaSolution {
        let m = game.rows, n = game.columns
        var g = [Double](repeating: 1 / Double(m), count: m), d = [Double](repeating: 1 / Double(n), count: n)
        var gSum = [Double](repeating: 0, count: m), dSum = [Double](repeating: 0, count: n)
        for _ in 0..<steps {
            let ug = game.rowPayoffs(against: d).map { -$0 }
            let ud = game.columnPayoffs(against: g)
            let meanG = zip(g, ug).reduce(0) { $0 + $1.0 * $1.1 }, meanD = zip(d, ud).reduce(0) { $0 + $1.0 * $1.1 }
            g = Self.project(zip(g, ug).map { $0 + stepSize * $0 * ($1 - meanG) }, floor: floor / Double(m))
            d = Self.project(zip(d, ud).map { $0 + stepSize * $0 * ($1 - meanD) }, floor: floor / Double(n))
            for i in 0..<m { gSum[i] += g[i] }
            for j in 0..<n { dSum[j] += d[j] }
        }
        let rows = timeAverage ? gSum.map { $0 / Double(steps) } : g
        let columns = timeAverage ? dSum.map { $0 / Double(steps) } : d
        return MetaSolution(game: game, rowMixture: rows, columnMixture: columns, solver: name)
    }

    /// Euclidean projection onto {p : p_i ≥ floor, Σp = 1} (the sort-based simplex projection
    /// applied to p − floor with total 1 − n·floor).
    static func project(_ v: [Double], floor: Double) -> [Double] {
        let n = v.count
        let total = 1 - Double(n) * floor
        let shifted = v.map { $0 - floor }
        let sorted = shifted.sorted(by: >)
        var cumulative = 0.0, theta = 0.0
        for (k, u) in sorted.enumerated() {
            cumulative += u
            let candidate = (cumulative - total) / Double(k + 1)
            if u - candidate > 0 { theta = candidate }
        }
        return shifted.map { Swift.max($0 - theta, 0) + floor }
    }
}

/// The fixed weightings of the later authors' code (spec §10): uniform over the stored
/// strategies, all mass on the newest (self-play), or weights ∝ index (1-based). Not Nash
/// solvers: their exploitability is reported like any other's.
public struct FixedWeighting: MetaSolver {
    public enum Rule: String, Sendable, CaseIterable { case uniform, lastOne = "last-one", linear }
    public var rule: Rule
    public var name: String { rule.rawValue }

    public init(_ rule: Rule) { self.rule = rule }

    public func solve(_ game: MatrixGame) throws(MetaGameError) -> MetaSolution {
        func weights(_ k: Int) -> [Double] {
            switch rule {
            case .uniform: return [Double](repeating: 1 / Double(k), count: k)
            case .lastOne: return (0..<k).map { $0 == k - 1 ? 1 : 0 }
            case .linear:
                let total = Double(k * (k + 1) / 2)
                return (0..<k).map { Double($0 + 1) / total }
            }
        }
        return MetaSolution(game: game, rowMixture: weights(game.rows), columnMixture: weights(game.columns), solver: name)
    }
}
