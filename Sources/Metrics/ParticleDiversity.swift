import Foundation

/// Coverage metrics of a particle cloud against M target points (spec particles.md §6), on
/// plain row-major arrays: particles [N, d], targets [M, d].
public enum ParticleDiversity {
    /// How a particle is assigned to a target.
    public enum Assignment: String, Sendable, Codable, CaseIterable {
        /// The target of largest cosine similarity (the authors' rule; scale-invariant).
        case cosine
        /// The nearest target in Euclidean distance (mixtures whose modes include the origin).
        case euclidean
    }

    /// The index of each particle's target (ties go to the lower index). A zero vector has
    /// cosine 0 with everything, so it goes to target 0 under `.cosine`.
    public static func assignments(particles x: [Double], targets y: [Double], dimension d: Int,
                                   rule: Assignment) -> [Int] {
        precondition(d >= 1 && x.count % d == 0 && y.count % d == 0 && !y.isEmpty,
                     "ParticleDiversity: particles (\(x.count)) and targets (\(y.count)) must be whole rows of \(d), with at least one target")
        let n = x.count / d, m = y.count / d
        let targetNorms = (0..<m).map { a in norm(y, row: a, d) }
        return (0..<n).map { i in
            var best = 0, bestScore = -Double.infinity
            let particleNorm = norm(x, row: i, d)
            for a in 0..<m {
                var score = 0.0
                switch rule {
                case .cosine:
                    var dot = 0.0
                    for k in 0..<d { dot += x[i * d + k] * y[a * d + k] }
                    let denominator = particleNorm * targetNorms[a]
                    score = denominator > 0 ? dot / denominator : 0
                case .euclidean:
                    for k in 0..<d { let diff = x[i * d + k] - y[a * d + k]; score -= diff * diff }
                }
                if score > bestScore { bestScore = score; best = a }
            }
            return best
        }
    }

    /// Particles per target.
    public static func counts(_ assignments: [Int], targets m: Int) -> [Int] {
        var counts = [Int](repeating: 0, count: m)
        for a in assignments { counts[a] += 1 }
        return counts
    }

    /// log M + Σ_a p_a log p_a (0·log 0 = 0): 0 for perfectly even coverage, log M when every
    /// particle sits on one target.
    public static func diversity(counts: [Int]) -> Double {
        let total = Double(counts.reduce(0, +))
        precondition(total > 0 && !counts.isEmpty, "ParticleDiversity.diversity: needs at least one particle and one target")
        var s = 0.0
        for c in counts where c > 0 {
            let p = Double(c) / total
            s += p * Foundation.log(p)
        }
        return Foundation.log(Double(counts.count)) + s
    }

    /// (1/N) Σ_i min_a (1 − cos(x_i, y_a)); a zero particle counts as distance 1.
    public static func meanMinimumCosineDistance(particles x: [Double], targets y: [Double], dimension d: Int) -> Double {
        let n = x.count / d, m = y.count / d
        precondition(n >= 1 && m >= 1, "ParticleDiversity.meanMinimumCosineDistance: needs particles and targets")
        let targetNorms = (0..<m).map { a in norm(y, row: a, d) }
        var total = 0.0
        for i in 0..<n {
            let particleNorm = norm(x, row: i, d)
            var best = 1.0
            for a in 0..<m {
                let denominator = particleNorm * targetNorms[a]
                guard denominator > 0 else { continue }
                var dot = 0.0
                for k in 0..<d { dot += x[i * d + k] * y[a * d + k] }
                best = Swift.min(best, 1 - dot / denominator)
            }
            total += best
        }
        return total / Double(n)
    }

    /// Expected diversity when each of N particles picks one of M targets uniformly at random
    /// (the "random cloud" baseline of §6), and its standard deviation, from a seeded Monte
    /// Carlo of `trials` draws (SplitMix64).
    public static func randomCloudBaseline(particles n: Int, targets m: Int, trials: Int = 20_000, seed: UInt64 = 0) -> (mean: Double, std: Double) {
        precondition(n >= 1 && m >= 1 && trials >= 2, "randomCloudBaseline: N, M ≥ 1 and trials ≥ 2")
        var state = seed &+ 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        var sum = 0.0, sumSquares = 0.0
        var counts = [Int](repeating: 0, count: m)
        for _ in 0..<trials {
            for a in 0..<m { counts[a] = 0 }
            for _ in 0..<n { counts[Int(next() % UInt64(m))] += 1 }
            let v = diversity(counts: counts)
            sum += v
            sumSquares += v * v
        }
        let mean = sum / Double(trials)
        return (mean, Swift.max(0, sumSquares / Double(trials) - mean * mean).squareRoot())
    }

    private static func norm(_ v: [Double], row: Int, _ d: Int) -> Double {
        var s = 0.0
        for k in 0..<d { s += v[row * d + k] * v[row * d + k] }
        return s.squareRoot()
    }
}
