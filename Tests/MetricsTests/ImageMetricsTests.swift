import Foundation
import Metrics
import Tensor
import Testing

/// Classifier-based image metrics (`benchmarks.md` §5–§7, §11 items 7–10) on given
/// probabilities, labels and features: no classifier is trained here.
@Suite struct ImageMetricsTests {
    let context = MetricContext(dataset: "stacked-mnist", seeds: [11], key: RandomKey(seed: 11), batchNormMode: "eval", codeVersion: "test")
    let classifier = try! ClassifierIdentity(id: "cnn-test", weightsHash: "sha256:feedbeef", testAccuracy: 0.9912)

    // MARK: helpers

    /// Row-major Float64 tensor from rows.
    func matrix(_ rows: [[Double]]) -> Tensor { Tensor(rows.flatMap { $0 }, shape: [rows.count, rows[0].count]) }

    func oneHot(_ classes: [Int], width: Int) -> [[Double]] {
        classes.map { c in (0..<width).map { $0 == c ? 1.0 : 0.0 } }
    }

    /// Correlated Gaussian features [n, d]: standard normals times a fixed random mixing matrix plus an offset.
    func features(_ n: Int, _ d: Int, seed: UInt64) -> [Double] {
        let z = Tensor.normal([n, d], key: RandomKey(seed: seed), dtype: .float64).doubles
        let mix = Tensor.normal([d, d], key: RandomKey(seed: 999), dtype: .float64).doubles
        var x = [Double](repeating: 0, count: n * d)
        for i in 0..<n {
            for j in 0..<d {
                var s = 3.0 + Double(j)   // a non-zero mean, different per column
                for l in 0..<d { s += z[i * d + l] * mix[l * d + j] }
                x[i * d + j] = s
            }
        }
        return x
    }

    func fcd() throws -> FrechetClassifierDistance { try FrechetClassifierDistance(extractor: classifier, referenceSplit: "test split") }

    /// FCD of exact moments.
    func exactFCD(_ meanR: [Double], _ covR: [Double], _ meanG: [Double], _ covG: [Double]) throws -> Double {
        try FrechetClassifierDistance.distance(FeatureMoments(mean: meanR, covariance: covR), FeatureMoments(mean: meanG, covariance: covG)).value
    }

    // MARK: Stacked MNIST mode counting (§11.7)

    @Test func uniformTriplesCoverAllModesAtTheSamplingNoiseKL() throws {
        // A stub classifier that returns each channel's true label on 26,000 real stacked samples
        // is the same as 26,000 uniformly random digit triples.
        var stream = RandomStream(key: RandomKey(seed: 2019))
        let labels = (0..<26_000).map { _ in (0..<3).map { _ in stream.nextInt(below: 10) } }
        let r = try StackedModeCount(classifier: classifier).evaluate(labels: labels, context: context)
        #expect(r.modeCount == 1_000 && r.modesCovered == 1_000)
        #expect(abs(r.kl - 0.019) <= 0.002, "KL \(r.kl)")
        // The plug-in KL's expectation under uniform sampling, (K − 1)/(2N) ≈ 0.0192; std ≈ 0.0009.
        #expect(abs(r.kl - 999.0 / 52_000) < 0.003)
        #expect(r.histogram.count == 1_000 && r.histogram.reduce(0, +) == 26_000 && r.sampleCount == 26_000)
    }

    @Test func allOnesTripleIsOneModeAtLogThousand() throws {
        let labels = Array(repeating: [1, 1, 1], count: 26_000)
        let r = try StackedModeCount(classifier: classifier).evaluate(labels: labels, context: context)
        #expect(r.modesCovered == 1)
        #expect(abs(r.kl - log(1_000)) < 1e-12 && abs(r.kl - 6.907755) < 1e-6)
        #expect(r.histogram[111] == 26_000)
    }

    @Test func modeIndexReadsTheTripleAsADecimalNumber() throws {
        let counter = try StackedModeCount(classifier: classifier)
        #expect(counter.modeIndex([3, 0, 7]) == 307 && counter.modeIndex([0, 0, 0]) == 0 && counter.modeIndex([9, 9, 9]) == 999)
        // Two modes, 3:1 → KL = log 1000 − H(¾, ¼).
        let r = try counter.evaluate(labels: [[3, 0, 7], [3, 0, 7], [3, 0, 7], [7, 0, 3]], context: context)
        #expect(r.modesCovered == 2 && r.histogram[307] == 3 && r.histogram[703] == 1)
        let entropy = -(0.75 * log(0.75) + 0.25 * log(0.25))
        #expect(abs(r.kl - (log(1_000) - entropy)) < 1e-12)
    }

    @Test func stackedModeCountRejectsBadLabels() throws {
        let counter = try StackedModeCount(classifier: classifier)
        #expect(throws: MetricError.noSamples(what: "StackedModeCount")) { try counter.evaluate(labels: [], context: context) }
        #expect(throws: MetricError.dimensionMismatch(what: "StackedModeCount sample 1 labels", expected: 3, got: 2)) {
            try counter.evaluate(labels: [[1, 2, 3], [1, 2]], context: context)
        }
        #expect(throws: MetricError.invalidParameter("StackedModeCount: sample 0 has label 10, outside 0..<10")) {
            try counter.evaluate(labels: [[1, 10, 3]], context: context)
        }
        #expect(throws: MetricError.self) { try StackedModeCount(classifier: classifier, channels: 0) }
    }

    // MARK: classifier IS (§11.8)

    @Test func identicalOneHotPredictionsScoreOne() throws {
        let r = try ClassifierScore(classifier: classifier).evaluate(oneHot(Array(repeating: 4, count: 200), width: 10), context: context)
        #expect(r.mean == 1 && r.standardDeviation == 0)
        #expect(r.splitScores == Array(repeating: 1, count: 10))
    }

    @Test func oneHotSpreadEvenlyOverTenClassesScoresTen() throws {
        let probabilities = matrix(oneHot((0..<1_000).map { $0 % 10 }, width: 10))
        let r = try ClassifierScore(classifier: classifier).evaluate(probabilities, context: context)
        #expect(abs(r.mean - 10) < 1e-12 && r.standardDeviation < 1e-12)
        #expect(r.splitScores.count == 10 && r.classCount == 10 && r.sampleCount == 1_000)
    }

    @Test func theMarginalIsTakenPerSplit() throws {
        // Each half collapses onto its own class: per split p(y) is one-hot, IS 1; pooled, IS 2.
        let halves = oneHot([0, 0, 1, 1], width: 2)
        #expect(try ClassifierScore(classifier: classifier, splits: 2).evaluate(halves, context: context).splitScores == [1, 1])
        #expect(abs(try ClassifierScore(classifier: classifier, splits: 1).evaluate(halves, context: context).mean - 2) < 1e-15)
        // Uneven N: split i is rows [⌊iN/S⌋, ⌊(i+1)N/S⌋) = [0, 2), [2, 5), [5, 8), each pure here
        // (equal chunks of ⌊N/S⌋ with the rest in the last split would mix classes 1 and 2).
        let uneven = oneHot([0, 0, 1, 1, 1, 2, 2, 2], width: 3)
        #expect(try ClassifierScore(classifier: classifier, splits: 3).evaluate(uneven, context: context).splitScores == [1, 1, 1])
        // Mixed splits: split 0 pure (IS 1), split 1 half/half one-hots (IS 2): mean 1.5, std 0.5.
        let mixed = try ClassifierScore(classifier: classifier, splits: 2).evaluate(oneHot([0, 0, 0, 1], width: 2), context: context)
        #expect(abs(mixed.splitScores[0] - 1) < 1e-15 && abs(mixed.splitScores[1] - 2) < 1e-15)
        #expect(abs(mixed.mean - 1.5) < 1e-15 && abs(mixed.standardDeviation - 0.5) < 1e-15)
    }

    @Test func softPredictionsMatchAHandComputedScore() throws {
        // p1 = (½, ½), p2 = (1, 0): p(y) = (¾, ¼).
        let kl1 = 0.5 * log(0.5 / 0.75) + 0.5 * log(0.5 / 0.25), kl2 = log(1 / 0.75)
        let expected = exp((kl1 + kl2) / 2)
        let r = try ClassifierScore(classifier: classifier, splits: 1).evaluate([[0.5, 0.5], [1, 0]], context: context)
        #expect(abs(r.mean - expected) < 1e-14)
        // Rows off 1 by less than the tolerance are renormalised: the same score as the exact rows.
        let scaled = try ClassifierScore(classifier: classifier, splits: 1).evaluate([[0.50004, 0.50004], [1.00008, 0]], context: context)
        #expect(abs(scaled.mean - expected) < 1e-14, "\(scaled.mean) vs \(expected)")
        // Float32 rows within the tolerance are renormalised, not rejected.
        let f32 = Tensor([Float(0.3), 0.3, 0.4000001, 1, 0, 0], shape: [2, 3])
        let s = try ClassifierScore(classifier: classifier, splits: 1).evaluate(f32, context: context)
        #expect(s.mean > 1 && s.mean < 3)
    }

    @Test func randomPredictionsStayWithinOneAndTheClassCount() throws {
        var stream = RandomStream(key: RandomKey(seed: 5))
        for k in [2, 10, 37] {
            let rows = (0..<300).map { _ in
                let raw = (0..<k).map { _ in pow(stream.nextDouble(), 4) }
                let total = raw.reduce(0, +)
                return raw.map { $0 / total }
            }
            let r = try ClassifierScore(classifier: classifier, splits: 3).evaluate(rows, context: context)
            for s in r.splitScores { #expect(s >= 1 && s <= Double(k)) }
            #expect(r.mean > 1)
        }
    }

    @Test func classifierScoreRejectsBadInput() throws {
        let score = try ClassifierScore(classifier: classifier)
        #expect(throws: MetricError.shapeMismatch(what: "ClassifierScore probabilities", expected: "[N, D]", got: [20])) {
            try score.evaluate(Tensor.ones([20], dtype: .float64), context: context)
        }
        var rows = oneHot(Array(repeating: 0, count: 20), width: 3)
        rows[7][2] = .nan
        #expect(throws: MetricError.nonFinite(what: "ClassifierScore probabilities", row: 7, column: 2)) { try score.evaluate(rows, context: context) }
        rows[7] = [1.2, -0.2, 0]
        #expect(throws: MetricError.notAProbabilityVector(what: "ClassifierScore", row: 7, reason: "entry 1 is -0.2 < 0")) {
            try score.evaluate(rows, context: context)
        }
        rows[7] = [0.5, 0.5, 0.1]
        #expect {
            try score.evaluate(rows, context: context)
        } throws: { error in
            guard case MetricError.notAProbabilityVector(_, let row, _) = error else { return false }
            return row == 7
        }
        #expect(throws: MetricError.tooFewSamples(what: "ClassifierScore with 10 splits", needed: 10, got: 9)) {
            try score.evaluate(oneHot(Array(repeating: 0, count: 9), width: 3), context: context)
        }
        #expect(throws: MetricError.dimensionMismatch(what: "ClassifierScore probabilities row 1", expected: 2, got: 3)) {
            try score.evaluate([[1, 0], [1, 0, 0]], context: context)
        }
        #expect(throws: MetricError.self) { try ClassifierScore(classifier: classifier, splits: 0) }
        #expect(throws: MetricError.self) { try ClassifierIdentity(id: "x", weightsHash: "h", testAccuracy: 99.1) }
        #expect(throws: MetricError.self) { try ClassifierIdentity(id: "x", weightsHash: "", testAccuracy: 0.9) }
    }

    // MARK: symmetric eigendecomposition

    @Test func eigenDecompositionReconstructsARandomSymmetricMatrix() throws {
        let n = 12
        let b = Tensor.normal([n, n], key: RandomKey(seed: 21), dtype: .float64).doubles
        var a = [Double](repeating: 0, count: n * n)
        for i in 0..<n { for j in 0..<n { a[i * n + j] = b[i * n + j] + b[j * n + i] } }
        let e = try SymmetricEigen(a, dimension: n)
        #expect(e.values.count == n && e.vectors.count == n * n)
        #expect(zip(e.values, e.values.dropFirst()).allSatisfy { $0 <= $1 })
        let scale = a.reduce(0) { max($0, abs($1)) }
        var worstReconstruction = 0.0, worstOrthonormality = 0.0
        for i in 0..<n {
            for j in 0..<n {
                var rebuilt = 0.0, gram = 0.0
                for c in 0..<n {
                    rebuilt += e.vectors[i * n + c] * e.values[c] * e.vectors[j * n + c]   // (V diag(w) Vᵀ)_ij
                    gram += e.vectors[c * n + i] * e.vectors[c * n + j]                   // (Vᵀ V)_ij
                }
                worstReconstruction = max(worstReconstruction, abs(rebuilt - a[i * n + j]))
                worstOrthonormality = max(worstOrthonormality, abs(gram - (i == j ? 1 : 0)))
            }
        }
        #expect(worstReconstruction < 1e-12 * scale, "‖VWVᵀ − A‖ = \(worstReconstruction)")
        #expect(worstOrthonormality < 1e-12, "‖VᵀV − I‖ = \(worstOrthonormality)")
        let valuesOnly = try SymmetricEigen(a, dimension: n, computeVectors: false)
        #expect(valuesOnly.vectors.isEmpty)
        #expect(zip(valuesOnly.values, e.values).allSatisfy { abs($0 - $1) < 1e-12 * scale })
        // Known spectrum: a diagonal matrix's eigenvalues, sorted.
        #expect(try SymmetricEigen([3, 0, 0, 0, -1, 0, 0, 0, 2], dimension: 3).values == [-1, 2, 3])
    }

    @Test func eigenDecompositionRejectsBadMatrices() {
        #expect(throws: MetricError.invalidParameter("SymmetricEigen: matrix is not symmetric at (0, 1): 1.0 vs 2.0")) {
            try SymmetricEigen([1, 1, 2, 1], dimension: 2)
        }
        #expect(throws: MetricError.nonFinite(what: "SymmetricEigen", row: 1, column: 0)) { try SymmetricEigen([1, 0, .nan, 1], dimension: 2) }
        #expect(throws: MetricError.shapeMismatch(what: "SymmetricEigen", expected: "[2, 2]", got: [3])) { try SymmetricEigen([1, 0, 1], dimension: 2) }
        #expect(throws: MetricError.self) { try SymmetricEigen([], dimension: 0) }
    }

    // MARK: FCD (§11.9)

    @Test func identicalFeatureSetsGiveZeroFCD() throws {
        let n = 2_000, d = 16
        let x = Tensor(features(n, d, seed: 31), shape: [n, d])
        let r = try fcd().evaluate(real: x, fake: x, context: context)
        let scale = r.traceReal + r.traceFake
        #expect(r.value >= 0 && r.value <= 1e-9 * scale, "FCD \(r.value) at scale \(scale)")
        // Before the clamp at 0 too, so rounding of either sign is bounded, not hidden by the clamp.
        let unclamped = r.meanTerm + r.traceReal + r.traceFake - 2 * r.crossTerm
        #expect(abs(unclamped) <= 1e-9 * scale, "unclamped FCD \(unclamped) at scale \(scale)")
        #expect(r.meanTerm == 0 && r.traceReal == r.traceFake)
    }

    @Test func momentsUseTheUnbiasedCovariance() throws {
        let m = try FeatureMoments(features: matrix([[1, 10], [2, 10], [3, 14], [4, 10]]))
        #expect(m.count == 4 && m.mean == [2.5, 11])
        // With n − 1: Var(1, 2, 3, 4) = 5/3 (5/4 with n), Var(10, 10, 14, 10) = 12/3 = 4,
        // Cov = ((−1.5)(−1) + (−0.5)(−1) + (0.5)(3) + (1.5)(−1))/3 = 2/3.
        let cov01 = 2.0 / 3
        #expect(abs(m.covariance[0] - 5.0 / 3) < 1e-15 && abs(m.covariance[3] - 4) < 1e-15)
        #expect(abs(m.covariance[1] - cov01) < 1e-15 && m.covariance[1] == m.covariance[2])
    }

    @Test func oneDimensionalExactMomentsGiveTheClosedForm() throws {
        for (m, s) in [(0.0, 1.0), (1.0, 1.0), (0.0, 2.0), (0.5, 0.3), (-2.0, 0.1), (3.0, 0.0)] {
            let value = try exactFCD([0], [1], [m], [s * s])
            let expected = m * m + (1 - s) * (1 - s)
            #expect(abs(value - expected) <= 1e-12 * max(1, expected), "m = \(m), s = \(s): \(value) vs \(expected)")
        }
    }

    @Test func diagonalCovariancesGiveMeanAndStdDifferences() throws {
        var stream = RandomStream(key: RandomKey(seed: 41))
        let d = 8
        var muR: [Double] = [], muG: [Double] = [], sdR: [Double] = [], sdG: [Double] = []
        for _ in 0..<d {
            muR.append(stream.nextNormal()); muG.append(stream.nextNormal())
            sdR.append(0.1 + 2 * stream.nextDouble()); sdG.append(0.1 + 2 * stream.nextDouble())
        }
        func diagonal(_ sd: [Double]) -> [Double] {
            var m = [Double](repeating: 0, count: d * d)
            for k in 0..<d { m[k * d + k] = sd[k] * sd[k] }
            return m
        }
        var expected = 0.0
        for k in 0..<d {
            let dm = muR[k] - muG[k], ds = sdR[k] - sdG[k]
            expected += dm * dm + ds * ds
        }
        let value = try exactFCD(muR, diagonal(sdR), muG, diagonal(sdG))
        #expect(abs(value - expected) < 1e-12 * expected, "\(value) vs \(expected)")
        // Singular but exact: Σ_r = diag(1, 0), Σ_g = diag(0, 1) share no direction, cross term 0, FCD 2.
        #expect(abs(try exactFCD([0, 0], [1, 0, 0, 0], [0, 0], [0, 0, 0, 1]) - 2) < 1e-14)
    }

    @Test func nonCommutingCovariancesMatchTheTwoByTwoClosedForm() throws {
        // For 2×2 PSD A, B: Tr((A^{1/2} B A^{1/2})^{1/2}) = √(Tr(AB) + 2√(det A · det B)).
        let a = [2.0, 0.7, 0.7, 1.0], b = [0.5, -0.3, -0.3, 3.0]
        let trAB = a[0] * b[0] + a[1] * b[2] + a[2] * b[1] + a[3] * b[3]
        let cross = (trAB + 2 * ((a[0] * a[3] - a[1] * a[2]) * (b[0] * b[3] - b[1] * b[2])).squareRoot()).squareRoot()
        let terms = try FrechetClassifierDistance.distance(FeatureMoments(mean: [1, 2], covariance: a), FeatureMoments(mean: [0, 0], covariance: b))
        #expect(abs(terms.crossTerm - cross) < 1e-13)
        #expect(abs(terms.value - (5 + 3 + 3.5 - 2 * cross)) < 1e-12)
    }

    @Test func singularCovariancesGiveFiniteNonNegativeFCD() throws {
        let metric = try fcd()
        // A constant column in both sets.
        var x = features(300, 8, seed: 51), y = features(300, 8, seed: 52)
        for i in 0..<300 { x[i * 8 + 3] = 1.5; y[i * 8 + 3] = 1.5 }
        let constant = try metric.evaluate(real: Tensor(x, shape: [300, 8]), fake: Tensor(y, shape: [300, 8]), context: context)
        #expect(constant.value.isFinite && constant.value >= 0)
        let selfConstant = try metric.evaluate(real: Tensor(x, shape: [300, 8]), fake: Tensor(x, shape: [300, 8]), context: context)
        // One null direction: rounding of its zero eigenvalue contributes at most ~√ε of the scale.
        #expect(selfConstant.value >= 0 && selfConstant.value <= 1e-6 * (selfConstant.traceReal + selfConstant.traceFake))
        // N < D on both sides (rank 4 and 6 in 16-D), and a set of identical rows (Σ = 0).
        let few = Tensor(features(5, 16, seed: 53), shape: [5, 16]), several = Tensor(features(7, 16, seed: 54), shape: [7, 16])
        let nBelowD = try metric.evaluate(real: few, fake: several, context: context)
        #expect(nBelowD.value.isFinite && nBelowD.value > 0)
        let selfFew = try metric.evaluate(real: few, fake: few, context: context)
        #expect(selfFew.value >= 0 && selfFew.value <= 1e-6 * (selfFew.traceReal + selfFew.traceFake), "\(selfFew.value)")
        // 11 null directions in 16-D: their zero eigenvalues come back as ±ε‖M‖, and √ of the positive
        // ones inflates the cross term by ~√ε·‖Σ‖ each (measured: 7e-9 of the scale); the clamp hides the sign.
        let unclamped = selfFew.traceReal + selfFew.traceFake - 2 * selfFew.crossTerm
        #expect(abs(unclamped) <= 1e-6 * (selfFew.traceReal + selfFew.traceFake) && selfFew.clampedEigenvalues > 0, "\(unclamped)")
        let flat = Tensor.full([6, 16], 2, dtype: .float64)
        let zeroCovariance = try metric.evaluate(real: flat, fake: several, context: context)
        #expect(zeroCovariance.value.isFinite && zeroCovariance.value > 0 && zeroCovariance.crossTerm == 0)
    }

    @Test func fcdGrowsWithTheNoiseAddedToOneCopy() throws {
        let n = 2_000, d = 16
        let x = features(n, d, seed: 61)
        let noise = Tensor.normal([n, d], key: RandomKey(seed: 62), dtype: .float64).doubles
        let metric = try fcd()
        let values = try [0, 0.1, 0.2, 0.4, 0.8].map { std in
            let noisy = (0..<n * d).map { x[$0] + std * noise[$0] }
            return try metric.evaluate(real: Tensor(x, shape: [n, d]), fake: Tensor(noisy, shape: [n, d]), context: context).value
        }
        #expect(values[0] <= 1e-9 * 100, "\(values)")
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 < $1 }, "\(values)")
        // Roughly Σ_k (√(λ_k + s²) − √λ_k)² + small mean noise: of order d·s⁴/(4λ) at most d·s².
        #expect(values[4] < Double(d) * 0.64 && values[4] > 0.01, "\(values)")
    }

    @Test func fcdRejectsBadInput() throws {
        let metric = try fcd()
        let a = Tensor.normal([10, 4], key: RandomKey(seed: 1), dtype: .float64)
        #expect(throws: MetricError.dimensionMismatch(what: "FCD fake features", expected: 4, got: 5)) {
            try metric.evaluate(real: a, fake: Tensor.normal([10, 5], key: RandomKey(seed: 2), dtype: .float64), context: context)
        }
        #expect(throws: MetricError.tooFewSamples(what: "FCD fake features (unbiased covariance)", needed: 2, got: 1)) {
            try metric.evaluate(real: a, fake: Tensor.zeros([1, 4], dtype: .float64), context: context)
        }
        var bad = a.doubles
        bad[13] = .infinity
        #expect(throws: MetricError.nonFinite(what: "FCD real features", row: 3, column: 1)) {
            try metric.evaluate(real: Tensor(bad, shape: [10, 4]), fake: a, context: context)
        }
        #expect(throws: MetricError.shapeMismatch(what: "FCD real features", expected: "[N, D]", got: [2, 5, 4])) {
            try metric.evaluate(real: Tensor.zeros([2, 5, 4], dtype: .float64), fake: a, context: context)
        }
        #expect(throws: MetricError.self) { try FeatureMoments(mean: [0, 0], covariance: [1, 0.5, 0, 1]) }
        #expect(throws: MetricError.self) { try FeatureMoments(mean: [0, 0], covariance: [1, 0, 0]) }
        #expect(throws: MetricError.self) { try FrechetClassifierDistance(extractor: classifier, referenceSplit: "") }
    }

    // MARK: precision and recall

    @Test func identicalSetsHaveFullPrecisionAndRecall() throws {
        let x = Tensor(features(600, 8, seed: 71), shape: [600, 8])
        let r = try PrecisionRecall(extractor: classifier, referenceSplit: "test split").evaluate(real: x, fake: x, context: context)
        #expect(r.precision == 1 && r.recall == 1 && r.k == 3)
    }

    @Test func farApartSetsHaveNeitherPrecisionNorRecall() throws {
        let real = Tensor.normal([400, 8], key: RandomKey(seed: 72), dtype: .float64)
        let fake = Tensor.normal([300, 8], mean: 100, key: RandomKey(seed: 73), dtype: .float64)
        let r = try PrecisionRecall(extractor: classifier, referenceSplit: "test split").evaluate(real: real, fake: fake, context: context)
        #expect(r.precision == 0 && r.recall == 0)
    }

    @Test func aCollapsedFakeSetHasPrecisionButNoRecall() throws {
        let n = 500, d = 8
        let x = features(n, d, seed: 74)
        // 500 fakes copying just 5 real points, 100 times each.
        let fake = (0..<n).flatMap { i in x[(i % 5) * d ..< (i % 5 + 1) * d] }
        let r = try PrecisionRecall(extractor: classifier, referenceSplit: "test split")
            .evaluate(real: Tensor(x, shape: [n, d]), fake: Tensor(fake, shape: [n, d]), context: context)
        #expect(r.precision == 1)
        // The fake balls have radius 0 (duplicates are neighbours), so only the 5 copied points are covered.
        #expect(r.recall == 5.0 / 500, "recall \(r.recall)")
    }

    @Test func precisionAndRecallMatchAHandCountedExample() throws {
        // k = 1. Real {0, 1, 2, 3}: every radius 1. Fake {0.6, 4.5, 3.9, −1}: radii 1.6, 0.6, 0.6, 1.6.
        // Precision: 0.6 (0.4 from 1), 3.9 (0.9 from 3), −1 (exactly 1 from 0: inside, ≤) → ¾.
        // Recall: 0, 1, 2 within 1.6 of 0.6; 3 is 0.9 from 3.9 > 0.6 → ¾.
        let real = matrix([[0], [1], [2], [3]]), fake = matrix([[0.6], [4.5], [3.9], [-1]])
        for block in [1, 3, 1_024] {   // tiles smaller than the sets must not change anything
            let r = try PrecisionRecall(extractor: classifier, referenceSplit: "test split", k: 1, blockRows: block)
                .evaluate(real: real, fake: fake, context: context)
            #expect(r.precision == 0.75 && r.recall == 0.75, "block \(block): \(r.precision), \(r.recall)")
        }
        // Swapping the roles swaps precision and recall.
        let swapped = try PrecisionRecall(extractor: classifier, referenceSplit: "test split", k: 1).evaluate(real: fake, fake: real, context: context)
        #expect(swapped.precision == 0.75 && swapped.recall == 0.75)
        let shifted = try PrecisionRecall(extractor: classifier, referenceSplit: "test split", k: 1)
            .evaluate(real: real, fake: matrix([[0.6], [4.5], [3.9], [-1.01]]), context: context)
        #expect(shifted.precision == 0.5)
    }

    @Test func nearPointsFarFromTheCentreGetExactDistances() throws {
        // Two clusters 10⁶ apart, points 10⁻³ apart: the GEMM expansion ‖a‖² + ‖b‖² − 2a·b rounds
        // squared distances to ~10⁻⁴ (≫ the radii² of 10⁻⁶), which puts distant-but-close points
        // inside; close pairs are recomputed exactly. k = 1, real radii 10⁻³ (fake radii 5·10⁻⁴).
        // Fakes 10⁶ + 0.0001 … 0.0026 are within 4·10⁻⁴ of a real point; fakes 10⁶ + 0.005 … 0.0095
        // are ≥ 0.002 from every real point: precision 6/16. Recall: the 4 reals near 10⁶ → ½.
        let base: [Double] = [0, 0.001, 0.002, 0.003]
        let real = matrix((base + base.map { 1e6 + $0 }).map { [$0] })
        let inside = (0..<6).map { 1e6 + 0.0001 + 0.0005 * Double($0) }, outside = (4..<14).map { 1e6 + 0.003 + 0.0005 * Double($0) }
        let fake = matrix((inside + outside).map { [$0] })
        let r = try PrecisionRecall(extractor: classifier, referenceSplit: "test split", k: 1).evaluate(real: real, fake: fake, context: context)
        #expect(r.precision == 6.0 / 16 && r.recall == 0.5, "\(r.precision), \(r.recall)")
    }

    @Test func precisionRecallIsTheSameForAnyTileSize() throws {
        let real = Tensor(features(700, 6, seed: 75), shape: [700, 6])
        let fake = Tensor(features(500, 6, seed: 76).map { $0 * 1.3 + 0.5 }, shape: [500, 6])
        let whole = try PrecisionRecall(extractor: classifier, referenceSplit: "t").evaluate(real: real, fake: fake, context: context)
        let tiled = try PrecisionRecall(extractor: classifier, referenceSplit: "t", blockRows: 97).evaluate(real: real, fake: fake, context: context)
        #expect(whole.precision == tiled.precision && whole.recall == tiled.recall)
        #expect(whole.precision > 0 && whole.precision < 1 && whole.recall > 0 && whole.recall < 1)
    }

    @Test func precisionRecallRejectsBadInput() throws {
        let metric = try PrecisionRecall(extractor: classifier, referenceSplit: "test split")
        let a = Tensor.normal([10, 4], key: RandomKey(seed: 1), dtype: .float64)
        #expect(throws: MetricError.dimensionMismatch(what: "PrecisionRecall fake features", expected: 4, got: 3)) {
            try metric.evaluate(real: a, fake: Tensor.zeros([10, 3], dtype: .float64), context: context)
        }
        #expect(throws: MetricError.tooFewSamples(what: "PrecisionRecall fake features (k = 3)", needed: 4, got: 3)) {
            try metric.evaluate(real: a, fake: Tensor.zeros([3, 4], dtype: .float64), context: context)
        }
        var bad = a.doubles
        bad[0] = .nan
        #expect(throws: MetricError.nonFinite(what: "PrecisionRecall fake features", row: 0, column: 0)) {
            try metric.evaluate(real: a, fake: Tensor(bad, shape: [10, 4]), context: context)
        }
        #expect(throws: MetricError.self) { try PrecisionRecall(extractor: classifier, referenceSplit: "t", k: 0) }
    }

    // MARK: protocol (§11.10)

    @Test func everyImageMetricCarriesTheFullProtocol() throws {
        let x = Tensor(features(50, 4, seed: 81), shape: [50, 4]), y = Tensor(features(40, 4, seed: 82), shape: [40, 4])
        let scoreResult = try ClassifierScore(classifier: classifier).evaluate(oneHot((0..<30).map { $0 % 3 }, width: 3), context: context)
        let fcdResult = try fcd().evaluate(real: x, fake: y, context: context)
        let prResult = try PrecisionRecall(extractor: classifier, referenceSplit: "test split").evaluate(real: x, fake: y, context: context)
        let modesResult = try StackedModeCount(classifier: classifier).evaluate(labels: [[1, 2, 3]], context: context)
        let results: [any MetricResult] = [scoreResult, fcdResult, prResult, modesResult]
        let fields = ["metric=", "dataset=stacked-mnist", "n_fake=", "n_real=", "ref=", "extractor=cnn-test (weights sha256:feedbeef, test accuracy 99.12%)",
                      "splits=", "thresholds=", "bins=", "seeds=[11]", "key=", "runs=1", "error=", "bn=eval", "code=test"]
        for r in results {
            let line = r.metricProtocol.line
            for f in fields { #expect(line.contains(f), "protocol line lacks \(f): \(line)") }
            #expect(r.report.hasSuffix(line))
            #expect(!line.contains("FID") && !line.contains("Inception Score"))
            let json = try MetricJSON.encoder().encode(r)
            let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            let proto = try #require(object["metricProtocol"] as? [String: Any])
            for key in ["metric", "dataset", "modified", "nFake", "nReal", "referenceSplit", "extractor", "splits", "thresholds",
                        "bins", "seeds", "runs", "errorKind", "batchNormMode", "codeVersion"] {
                #expect(proto[key] != nil, "protocol JSON lacks \(key)")
            }
        }
        #expect(scoreResult.metricProtocol.metric == "classifier IS (stacked-mnist, cnn-test)")
        #expect(scoreResult.metricProtocol.splits == 10 && scoreResult.metricProtocol.nFake == 30 && scoreResult.metricProtocol.errorKind == .standardDeviation)
        #expect(fcdResult.metricProtocol.metric == "FCD (stacked-mnist, cnn-test)")
        #expect(fcdResult.metricProtocol.nReal == 50 && fcdResult.metricProtocol.nFake == 40 && fcdResult.metricProtocol.referenceSplit == "test split")
        #expect(prResult.metricProtocol.nReal == 50 && prResult.metricProtocol.nFake == 40 && prResult.metricProtocol.thresholds.contains("k = 3"))
        #expect(modesResult.metricProtocol.nFake == 1 && modesResult.metricProtocol.bins.hasPrefix("1000 label tuples"))
        let exact = try fcd().evaluate(real: FeatureMoments(mean: [0], covariance: [1]), fake: FeatureMoments(mean: [1], covariance: [1]), context: context)
        #expect(exact.metricProtocol.nReal == 0 && exact.metricProtocol.nFake == 0 && abs(exact.value - 1) < 1e-14)
        let back = try MetricJSON.decoder().decode(FrechetClassifierDistanceResult.self, from: MetricJSON.encoder().encode(fcdResult))
        #expect(back == fcdResult)
    }
}
