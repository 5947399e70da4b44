import Foundation
import Tensor

/// The classifier-based "inception" score (`benchmarks.md` §6) on class probabilities a
/// classifier gave to generated samples:
///
///     IS = exp( E_x KL( p(y|x) ‖ p(y) ) ),   p(y) = mean of p(y|x) over the split,
///
/// computed separately on each of `splits` consecutive slices of the rows and reported as the
/// mean ± std over the splits. p(y) is the marginal **of the split**, not of all rows (as in the
/// original Inception Score code), so the number depends on the split count: a set whose halves
/// each collapse to a different class scores 1 with 2 splits and 2 with 1 split. Split i holds
/// rows [⌊iN/S⌋, ⌊(i+1)N/S⌋), so uneven N is shared out without dropping rows. The std is the
/// population std over splits (NumPy's default, as in the reference code), 0 for one split.
///
/// The score is named "classifier IS (<dataset>, <classifier id>)", never "Inception Score":
/// no Inception-v3 network is involved and the value is not comparable with published IS.
/// Bounds: 1 ≤ IS ≤ number of classes (E KL here is the mutual information between x and y,
/// which lies in [0, log K]).
public struct ClassifierScore: Sendable {
    public let classifier: ClassifierIdentity
    public let splits: Int
    /// How far a row's sum may be from 1. Rows within it are renormalised to sum exactly 1, so
    /// Float32 softmax rounding (≈ 1e-7·K) does not leak into the score; rows beyond it are
    /// rejected, since they are not probabilities (logits or unnormalised scores passed by mistake).
    public let tolerance: Double

    public init(classifier: ClassifierIdentity, splits: Int = 10, tolerance: Double = 1e-4) throws(MetricError) {
        guard splits > 0 else { throw .invalidParameter("ClassifierScore: splits must be positive, got \(splits)") }
        guard tolerance.isFinite, tolerance > 0, tolerance < 1 else {
            throw .invalidParameter("ClassifierScore: tolerance \(tolerance) must be in (0, 1)")
        }
        self.classifier = classifier
        self.splits = splits
        self.tolerance = tolerance
    }

    /// The score of class probabilities [N, K] (rows p(y|x), any float dtype; Float64 inside).
    public func evaluate(_ probabilities: Tensor, context: MetricContext) throws(MetricError) -> ClassifierScoreResult {
        let (p, n, k) = try featureMatrix(probabilities, what: "ClassifierScore probabilities")
        return try evaluate(flat: p, rows: n, classes: k, context: context)
    }

    /// The score of class probabilities given as N rows of K values.
    public func evaluate(_ probabilities: [[Double]], context: MetricContext) throws(MetricError) -> ClassifierScoreResult {
        let (p, n, k) = try featureMatrix(probabilities, what: "ClassifierScore probabilities")
        return try evaluate(flat: p, rows: n, classes: k, context: context)
    }

    private func evaluate(flat: [Double], rows n: Int, classes k: Int, context: MetricContext) throws(MetricError) -> ClassifierScoreResult {
        guard n >= splits else { throw .tooFewSamples(what: "ClassifierScore with \(splits) splits", needed: splits, got: n) }
        var p = flat
        for i in 0..<n {
            var sum = 0.0
            for j in 0..<k {
                let v = p[i * k + j]
                guard v >= 0 else { throw .notAProbabilityVector(what: "ClassifierScore", row: i, reason: "entry \(j) is \(v) < 0") }
                sum += v
            }
            guard abs(sum - 1) <= tolerance else {
                throw .notAProbabilityVector(what: "ClassifierScore", row: i, reason: "sums to \(sum), more than \(tolerance) from 1")
            }
            for j in 0..<k { p[i * k + j] /= sum }
        }
        let scores = (0..<splits).map { s in
            Self.score(p, rows: (s * n / splits) ..< ((s + 1) * n / splits), classes: k)
        }
        let mean = scores.reduce(0, +) / Double(splits)
        let std = (scores.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(splits)).squareRoot()
        let proto = MetricProtocol(metric: "classifier IS (\(context.dataset), \(classifier.id))", context: context, nFake: n,
                                   extractor: classifier.protocolText, splits: splits,
                                   thresholds: "p(y) = mean of p(y|x) within each split; split i = rows [iN/S, (i+1)N/S); ± = population std over splits; rows renormalised within |sum − 1| ≤ \(tolerance)",
                                   errorKind: .standardDeviation)
        return ClassifierScoreResult(metricProtocol: proto, mean: mean, standardDeviation: std, splitScores: scores,
                                     sampleCount: n, classCount: k)
    }

    /// exp(mean over `rows` of KL(p_i ‖ p̄)) for row-major probabilities with `classes` columns,
    /// p̄ the mean of those rows; 0·log 0 = 0. The mean KL is clamped to [0, log K], which only
    /// removes rounding (it is a mutual information), so IS stays within its bounds [1, K].
    public static func score(_ p: [Double], rows: Range<Int>, classes k: Int) -> Double {
        precondition(!rows.isEmpty && k > 0 && p.count >= rows.upperBound * k, "ClassifierScore.score: empty split or short input")
        var marginal = [Double](repeating: 0, count: k)
        for i in rows { for j in 0..<k { marginal[j] += p[i * k + j] } }
        let m = Double(rows.count)
        let logMarginal = marginal.map { log($0 / m) }
        var total = 0.0
        for i in rows {
            for j in 0..<k {
                let v = p[i * k + j]
                if v > 0 { total += v * (log(v) - logMarginal[j]) }
            }
        }
        return exp(min(max(total / m, 0), log(Double(k))))
    }
}

/// The outcome of `ClassifierScore.evaluate`.
public struct ClassifierScoreResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    /// Mean of the per-split scores.
    public let mean: Double
    /// Population std of the per-split scores (0 with one split).
    public let standardDeviation: Double
    /// The score of each split, in row order.
    public let splitScores: [Double]
    public let sampleCount: Int
    public let classCount: Int

    public var report: String {
        "\(metricProtocol.metric) = \(String(format: "%.4f", mean)) ± \(String(format: "%.4f", standardDeviation)) (std over \(splitScores.count) splits, \(classCount) classes)\n"
            + metricProtocol.line
    }
}
