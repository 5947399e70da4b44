import Foundation
import NN
import Tensor
import Testing
@testable import Games

// Spec do-gan.md §11 items 1–14: meta-game solvers, conventions, pruning, the exact double
// oracle and the mixture sampler.

private func near(_ a: [Double], _ b: [Double], _ tolerance: Double) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}

/// A seeded N(0, 1) game.
private func randomGame(_ m: Int, _ n: Int, seed: UInt64) throws -> MatrixGame {
    try MatrixGame(rows: m, columns: n, payoffs: Tensor.normal([m, n], key: RandomKey(seed: seed), dtype: .float64).doubles)
}

@Suite struct MetaGameTests {
    let lp = LinearProgramSolver()

    // MARK: §11.1–4 Small games with known solutions

    @Test func matchingPennies() throws {
        let s = try lp.solve(try MatrixGame([[1, -1], [-1, 1]]))
        #expect(near(s.rowMixture, [0.5, 0.5], 1e-12) && near(s.columnMixture, [0.5, 0.5], 1e-12))
        #expect(abs(s.value) < 1e-12)
        #expect(s.exploitability < 1e-12)
    }

    @Test func rockPaperScissors() throws {
        let s = try lp.solve(try MatrixGame([[0, 1, -1], [-1, 0, 1], [1, -1, 0]]))
        #expect(near(s.rowMixture, [1.0 / 3, 1.0 / 3, 1.0 / 3], 1e-12))
        #expect(near(s.columnMixture, [1.0 / 3, 1.0 / 3, 1.0 / 3], 1e-12))
        #expect(abs(s.value) < 1e-12)
    }

    @Test func pureSaddlePoint() throws {
        let s = try lp.solve(try MatrixGame([[3, 1], [4, 2]]))
        #expect(s.rowMixture == [1, 0] && s.columnMixture == [1, 0])
        #expect(abs(s.value - 3) < 1e-12)
    }

    @Test func mixedTwoByTwo() throws {
        let s = try lp.solve(try MatrixGame([[2, -1], [-1, 1]]))
        #expect(near(s.rowMixture, [0.4, 0.6], 1e-12) && near(s.columnMixture, [0.4, 0.6], 1e-12))
        #expect(abs(s.value - 0.2) < 1e-12)
    }

    // MARK: §11.5 Random games, up to the 50 × 50

    @Test(arguments: [(10, 10), (50, 50), (7, 30), (40, 3)])
    func randomGamesAreSolvedAndCertified(m: Int, n: Int) throws {
        let count = m == 10 ? 100 : 10
        for seed in 0..<UInt64(count) {
            let game = try randomGame(m, n, seed: 1000 + seed)
            let s = try lp.solve(game)
            #expect(s.rowMixture.allSatisfy { $0 >= 0 } && s.columnMixture.allSatisfy { $0 >= 0 })
            #expect(abs(s.rowMixture.reduce(0, +) - 1) < 1e-12 && abs(s.columnMixture.reduce(0, +) - 1) < 1e-12)
            // Primal value (the column player's guarantee) = dual value (the row player's).
            let primal = game.rowPayoffs(against: s.columnMixture).min()!, dual = game.columnPayoffs(against: s.rowMixture).max()!
            #expect(abs(primal - dual) < 1e-9, "seed \(seed): primal \(primal) dual \(dual)")
            #expect(s.exploitability <= 1e-9 * (1 + game.scale))
            // Best responses to each other: no pure deviation gains more than 1e-9.
            #expect(game.rowPayoffs(against: s.columnMixture).min()! >= s.value - 1e-9)
            #expect(game.columnPayoffs(against: s.rowMixture).max()! <= s.value + 1e-9)
        }
    }

    @Test func degenerateAndTiedGames() throws {
        // Every entry equal: any mixture is optimal; the value is the constant.
        let flat = try lp.solve(try MatrixGame([[2, 2, 2], [2, 2, 2]]))
        #expect(abs(flat.value - 2) < 1e-12 && flat.exploitability < 1e-12)
        // Duplicate rows and columns and a dominated row.
        let tied = try MatrixGame([[1, -1, -1], [1, -1, -1], [-1, 1, 1], [5, 5, 5]])
        let s = try lp.solve(tied)
        #expect(abs(s.value) < 1e-12 && s.exploitability < 1e-12)
        #expect(s.rowMixture[3] == 0)
        // One row, one column.
        let single = try lp.solve(try MatrixGame([[-4.5]]))
        #expect(single.value == -4.5 && single.rowMixture == [1] && single.columnMixture == [1])
    }

    // MARK: §11.6–7 Invariances and conventions

    @Test func shiftAndScaleInvariance() throws {
        let game = try randomGame(6, 8, seed: 3)
        let base = try lp.solve(game)
        let shifted = try lp.solve(try MatrixGame(rows: 6, columns: 8, payoffs: game.payoffs.map { $0 + 7.5 }))
        let scaled = try lp.solve(try MatrixGame(rows: 6, columns: 8, payoffs: game.payoffs.map { $0 * 3 }))
        #expect(abs(shifted.value - (base.value + 7.5)) < 1e-9 && abs(scaled.value - 3 * base.value) < 1e-9)
        // A random game's equilibrium is unique almost surely, so the strategies match too.
        #expect(near(shifted.rowMixture, base.rowMixture, 1e-8) && near(shifted.columnMixture, base.columnMixture, 1e-8))
        #expect(near(scaled.rowMixture, base.rowMixture, 1e-8) && near(scaled.columnMixture, base.columnMixture, 1e-8))
    }

    @Test func authorsConventionConverts() throws {
        let game = try randomGame(5, 4, seed: 4)
        let a = game.authorsConvention               // A = −U, generator rows maximise
        let converted = try MatrixGame.fromAuthorsConvention(a)
        #expect(converted == game)
        let s = try lp.solve(converted)
        // Solving A with its roles (generator rows maximise A, discriminators minimise it) is
        // our solver on Aᵀ: rows = discriminators (minimising), columns = generators.
        let transposed = try MatrixGame(rows: 4, columns: 5, payoffs: (0..<4).flatMap { j in (0..<5).map { a[$0][j] } })
        let authors = try lp.solve(transposed)
        #expect(near(authors.rowMixture, s.columnMixture, 1e-9) && near(authors.columnMixture, s.rowMixture, 1e-9))
        #expect(abs(authors.value + s.value) < 1e-9)
    }

    // MARK: §11.8–9 Pruning

    @Test func weakDominanceRemovesADominatedRowAndKeepsTheValue() throws {
        let game = try MatrixGame([[1, 2], [1, 3]])
        let (rows, columns, removals) = Pruning.iteratedWeakDominance(game)
        #expect(rows == [0] && removals.first == Pruning.Removal(player: .generator, index: 1, reason: "weakly dominated by generator 0", dominator: 0))
        let full = try lp.solve(game), pruned = try lp.solve(game.restricted(rows: rows, columns: columns))
        #expect(abs(full.value - pruned.value) < 1e-12)
    }

    @Test func iteratedDominanceOnAPlantedGameKeepsTheValue() throws {
        // A 3×3 random core plus rows that are the core rows made worse for the minimiser
        // (larger) and columns made worse for the maximiser (smaller).
        let core = try randomGame(3, 3, seed: 8)
        var matrix = (0..<3).map { i in (0..<3).map { core[i, $0] } }
        for (i, extra) in [(0, 0.5), (2, 1.0), (1, 0.25)] { matrix.append(matrix[i].map { $0 + extra }) }
        for i in matrix.indices {
            matrix[i] += [matrix[i][1] - 0.3, matrix[i][0] - 0.7, min(matrix[i][2], matrix[i][0]) - 0.1]
        }
        let game = try MatrixGame(matrix)
        let (rows, columns, removals) = Pruning.iteratedWeakDominance(game)
        #expect(rows.count <= 3 && columns.count <= 3 && removals.count >= 6)
        #expect(Set(rows).isSubset(of: [0, 1, 2]) && Set(columns).isSubset(of: [0, 1, 2]))
        let full = try lp.solve(game), pruned = try lp.solve(game.restricted(rows: rows, columns: columns))
        #expect(abs(full.value - pruned.value) < 1e-12)
    }

    @Test func authorsRuleAndItsGuard() {
        #expect(Pruning.authorsMinimumProbability([0.5, 0.5, 0]) == [2])
        #expect(Pruning.authorsMinimumProbability([1.0 / 3, 1.0 / 3, 1.0 / 3]) == [0])
        #expect(Pruning.authorsMinimumProbability([0, 0.7, 0, 0.3]) == [0, 2])
        #expect(Pruning.authorsMinimumProbability([1]) == [])
    }

    // MARK: §11.10–11 The exact double oracle

    @Test func exactDoubleOracleFindsTheFullValueWithASmallSupport() throws {
        let game = try randomGame(200, 200, seed: 10)
        let full = try lp.solve(game)
        let result = try MatrixDoubleOracle(game: game, epsilon: 0).run()
        #expect(result.converged)
        #expect(result.additions <= 400)
        #expect(abs(result.solution.value - full.value) < 1e-9, "DO \(result.solution.value) vs LP \(full.value)")
        // The restricted equilibrium is an equilibrium of the full game.
        #expect(game.exploitability(rowMixture: result.fullRowMixture(rows: 200), columnMixture: result.fullColumnMixture(columns: 200)) < 1e-9)
        #expect(result.rows.count < 200 && result.columns.count < 200)
        #expect(Set(result.solution.rowSupport.map { result.rows[$0] }).isSubset(of: Set(result.rows)))
        print("exact DO on 200×200: \(result.additions) additions, \(result.iterations.count) iterations, stored \(result.rows.count)×\(result.columns.count), support \(result.solution.rowSupport.count)×\(result.solution.columnSupport.count), value \(result.solution.value)")
    }

    @Test func cappedDoubleOracleNeverStoresMoreThanTheCap() throws {
        let game = try randomGame(60, 60, seed: 11)
        let result = try MatrixDoubleOracle(game: game, epsilon: 0, maxIterations: 40, cap: 5).run()
        for iteration in result.iterations { #expect(iteration.storedRows <= 5 + 1 && iteration.storedColumns <= 5 + 1) }
        #expect(result.rows.count <= 5 && result.columns.count <= 5)
        #expect(result.iterations.contains { !$0.removals.isEmpty })
    }

    // MARK: §11.12–13 Alternative solvers

    @Test func fictitiousPlayAgreesWithTheLP() throws {
        for (matrix, gapLimit) in [([[1.0, -1], [-1, 1]], 0.03), ([[0.0, 1, -1], [-1, 0, 1], [1, -1, 0]], 0.03), ([[2.0, -1], [-1, 1]], 0.03)] {
            let game = try MatrixGame(matrix)
            let s = try FictitiousPlay(rounds: 10_000).solve(game)
            #expect(s.exploitability <= gapLimit, "gap \(s.exploitability) on \(matrix)")
            #expect(abs(s.value - (try lp.solve(game)).value) <= s.exploitability)
        }
        let mixed = try FictitiousPlay(rounds: 10_000).solve(try MatrixGame([[2, -1], [-1, 1]]))
        #expect(near(mixed.rowMixture, [0.4, 0.6], 0.02) && near(mixed.columnMixture, [0.4, 0.6], 0.02))
        // 100 rounds (the authors' prototype) leave a visible gap.
        #expect(try FictitiousPlay(rounds: 100).solve(try MatrixGame([[2, -1], [-1, 1]])).exploitability > 0.03)
    }

    @Test func projectedReplicatorTimeAverageIsNearlyNash() throws {
        let s = try ProjectedReplicator().solve(try MatrixGame([[2, -1], [-1, 1]]))
        #expect(s.exploitability <= 0.03, "gap \(s.exploitability)")
        let projected = ProjectedReplicator.project([0.9, -0.5, 0.7], floor: 0.01)
        #expect(abs(projected.reduce(0, +) - 1) < 1e-12 && projected.allSatisfy { $0 >= 0.01 - 1e-15 })
    }

    @Test func fixedWeightings() throws {
        let game = try MatrixGame([[1, 2, 3], [4, 5, 6]])
        #expect(try FixedWeighting(.uniform).solve(game).columnMixture == [1.0 / 3, 1.0 / 3, 1.0 / 3])
        #expect(try FixedWeighting(.lastOne).solve(game).rowMixture == [0, 1])
        #expect(try FixedWeighting(.linear).solve(game).columnMixture == [1.0 / 6, 2.0 / 6, 3.0 / 6])
    }

    @Test func badGamesAreRejected() {
        #expect(throws: MetaGameError.self) { try MatrixGame([[1, 2], [3]]) }
        #expect(throws: MetaGameError.self) { try MatrixGame([[1, .nan]]) }
        #expect(throws: MetaGameError.self) { try MatrixGame(rows: 2, columns: 2, payoffs: [1, 2, 3]) }
    }

    // MARK: §11.14 Mixture sampler

    @Test func mixtureSamplerDrawsPerSampleAndShuffles() throws {
        func constant(_ c: Double) -> Linear { Linear(weight: Tensor([0.0], shape: [1, 1]), bias: Tensor([c])) }
        let mixed = try MixedGenerator(generators: [constant(0), constant(1)], weights: [0.2, 0.8], latent: .normal(dimension: 1), dtype: .float64)
        let (samples, components) = mixed.sample(100_000, key: RandomKey(seed: 12))
        let values = samples.doubles
        let fraction = values.reduce(0, +) / Double(values.count)
        #expect(abs(fraction - 0.8) < 0.005, "fraction of ones \(fraction)")
        #expect(zip(values, components).allSatisfy { $0 == Double($1) })
        let batch = mixed.sample(10_000, key: RandomKey(seed: 13)).samples.doubles
        #expect(batch.contains(0) && batch.contains(1))
        #expect(Set(batch.prefix(100)).count == 2, "the first 100 outputs must not be blocked by generator")
        #expect(throws: MetaGameError.self) { try MixedGenerator(generators: [constant(0)], weights: [0.5, 0.5], latent: .normal(dimension: 1)) }
    }
}
