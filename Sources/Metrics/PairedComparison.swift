import Foundation

/// A paired comparison of two models run on the same configurations (same hyper-parameters,
/// same seed): on how many the candidate scored better, equal or worse than the baseline, and
/// the two-sided exact sign test of "better and worse are equally likely" over the untied
/// pairs. A random search draws each configuration once for every model, so this uses the
/// pairing that a comparison of two score distributions throws away.
public struct PairedComparison: Sendable, Codable, Equatable {
    public let better: Int
    public let ties: Int
    public let worse: Int
    /// Two-sided exact sign-test p-value; 1 when every pair is tied.
    public let pValue: Double

    /// Pairs with a NaN (undefined) score on either side are left out. Infinite scores are
    /// ordered like any other (∞ equals ∞), so a "worse than any value" score still counts.
    public let excluded: Int

    public init(candidate: [Double], baseline: [Double], higherIsBetter: Bool) {
        precondition(candidate.count == baseline.count, "PairedComparison: \(candidate.count) candidate scores, \(baseline.count) baseline scores")
        var better = 0, ties = 0, worse = 0, excluded = 0
        for (c, b) in zip(candidate, baseline) {
            guard !c.isNaN, !b.isNaN else { excluded += 1; continue }
            if c == b { ties += 1 } else if (c > b) == higherIsBetter { better += 1 } else { worse += 1 }
        }
        self.better = better
        self.ties = ties
        self.worse = worse
        self.excluded = excluded
        pValue = Self.signTestPValue(successes: better, trials: better + worse)
    }

    /// P(|X − n/2| ≥ |k − n/2|) for X ~ Binomial(n, ½): twice the smaller tail, capped at 1.
    /// Terms are summed in log space (lgamma), so n in the thousands is fine.
    public static func signTestPValue(successes k: Int, trials n: Int) -> Double {
        precondition(n >= 0 && (0...max(n, 0)).contains(k), "sign test: need 0 ≤ successes ≤ trials, got \(k) of \(n)")
        guard n > 0 else { return 1 }
        let tail = min(k, n - k)
        let logHalfPower = Double(n) * log(0.5)
        var sum = 0.0
        for i in 0...tail {
            sum += exp(lgamma(Double(n + 1)) - lgamma(Double(i + 1)) - lgamma(Double(n - i + 1)) + logHalfPower)
        }
        return min(1, 2 * sum)
    }

    /// "12 / 3 / 15 (p = 0.035)": better / equal / worse, with the sign test.
    public var formatted: String {
        var text = "\(better) / \(ties) / \(worse) (p = \(String(format: pValue < 0.001 ? "%.1e" : "%.3f", pValue)))"
        if excluded > 0 { text += ", \(excluded) undefined" }
        return text
    }
}
