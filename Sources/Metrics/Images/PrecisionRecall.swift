import CBLAS
import Foundation
import Tensor

/// Improved precision and recall (Kynkäänniemi et al. 2019, "Improved Precision and Recall Metric
/// for Assessing Generative Models") on classifier features. Each set's manifold is the union of
/// balls around its points, the radius of a point being the distance to its k-th nearest other
/// point of the same set:
/// - **precision** = fraction of fake points inside the real manifold (fidelity);
/// - **recall** = fraction of real points inside the fake manifold (coverage).
///
/// A point y is inside a set's manifold when ‖y − x‖ ≤ r_k(x) for some x in the set (≤, as in the
/// reference code, so duplicates count). "Other point" excludes a point only by index, so exact
/// duplicates are neighbours at distance 0: a collapsed fake set has radius-0 balls and recall
/// near 0, which is the failure mode recall exists to show.
///
/// Pairwise squared distances come from GEMM tiles (‖a‖² + ‖b‖² − 2a·b) of at most
/// `blockRows` × `blockRows`, so memory stays bounded (8 MiB at 1,024) for N = 10,000 and beyond.
/// Both sets are first centred on the real mean (distances do not change) to keep the expansion
/// from cancelling, and any pair the expansion puts within 1e-8 of its norms is recomputed
/// directly, so duplicates and near-duplicates get their exact distances.
public struct PrecisionRecall: Sendable {
    public let extractor: ClassifierIdentity
    /// Which real data the reference features came from.
    public let referenceSplit: String
    /// Neighbour rank of the ball radius (3 in the paper).
    public let k: Int
    /// Rows (and columns) per distance tile.
    public let blockRows: Int

    public init(extractor: ClassifierIdentity, referenceSplit: String, k: Int = 3, blockRows: Int = 1_024) throws(MetricError) {
        guard k > 0 else { throw .invalidParameter("PrecisionRecall: k must be positive, got \(k)") }
        guard blockRows > 0 else { throw .invalidParameter("PrecisionRecall: blockRows must be positive, got \(blockRows)") }
        guard !referenceSplit.isEmpty else { throw .invalidParameter("PrecisionRecall: empty reference split") }
        self.extractor = extractor
        self.referenceSplit = referenceSplit
        self.k = k
        self.blockRows = blockRows
    }

    /// Precision and recall of fake features against real features, each [N, D] with N > k.
    public func evaluate(real: Tensor, fake: Tensor, context: MetricContext) throws(MetricError) -> PrecisionRecallResult {
        let realMatrix = try featureMatrix(real, what: "PrecisionRecall real features")
        let fakeMatrix = try featureMatrix(fake, what: "PrecisionRecall fake features")
        var x = realMatrix.values, y = fakeMatrix.values
        let n = realMatrix.rows, d = realMatrix.columns, m = fakeMatrix.rows, dy = fakeMatrix.columns
        guard dy == d else { throw .dimensionMismatch(what: "PrecisionRecall fake features", expected: d, got: dy) }
        guard n > k else { throw .tooFewSamples(what: "PrecisionRecall real features (k = \(k))", needed: k + 1, got: n) }
        guard m > k else { throw .tooFewSamples(what: "PrecisionRecall fake features (k = \(k))", needed: k + 1, got: m) }
        var centre = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { centre[j] += x[i * d + j] } }
        for j in 0..<d { centre[j] /= Double(n) }
        for i in 0..<n { for j in 0..<d { x[i * d + j] -= centre[j] } }
        for i in 0..<m { for j in 0..<d { y[i * d + j] -= centre[j] } }

        let realRadii = kthNeighbourSquaredDistances(x, rows: n, dimension: d)
        let fakeRadii = kthNeighbourSquaredDistances(y, rows: m, dimension: d)
        let precision = Double(countInside(y, rows: m, manifold: x, rows: n, radii: realRadii, dimension: d)) / Double(m)
        let recall = Double(countInside(x, rows: n, manifold: y, rows: m, radii: fakeRadii, dimension: d)) / Double(n)
        let proto = MetricProtocol(metric: "precision-recall (\(context.dataset), \(extractor.id))", context: context, nFake: m,
                                   nReal: n, referenceSplit: referenceSplit, extractor: extractor.protocolText,
                                   thresholds: "k = \(k) nearest-neighbour balls (Kynkäänniemi et al. 2019); inside iff ‖y − x‖ ≤ r_k(x); Float64 on \(d)-D features")
        return PrecisionRecallResult(metricProtocol: proto, precision: precision, recall: recall, k: k)
    }

    /// Squared distance from each row to its k-th nearest other row (excluded by index).
    func kthNeighbourSquaredDistances(_ a: [Double], rows n: Int, dimension d: Int) -> [Double] {
        let k = self.k
        var best = [Double](repeating: .infinity, count: n * k)   // per row: k smallest, ascending
        best.withUnsafeMutableBufferPointer { best in
            forEachTile(a, rows: n, a, rows: n, dimension: d) { rowStart, rowCount, colStart, colCount, tile in
                for r in 0..<rowCount {
                    let i = rowStart + r
                    let row = best.baseAddress! + i * k
                    var worst = row[k - 1]
                    for c in 0..<colCount {
                        let v = tile[r * colCount + c]
                        guard v < worst, colStart + c != i else { continue }
                        var slot = k - 1
                        while slot > 0 && row[slot - 1] > v { row[slot] = row[slot - 1]; slot -= 1 }
                        row[slot] = v
                        worst = row[k - 1]
                    }
                }
            }
        }
        return (0..<n).map { best[$0 * k + k - 1] }
    }

    /// How many rows of `queries` lie in the union of balls of squared radius `radii[j]` around
    /// the rows of `manifold`.
    func countInside(_ queries: [Double], rows n: Int, manifold: [Double], rows m: Int, radii: [Double], dimension d: Int) -> Int {
        var inside = [Bool](repeating: false, count: n)
        radii.withUnsafeBufferPointer { radii in
            forEachTile(queries, rows: n, manifold, rows: m, dimension: d) { rowStart, rowCount, colStart, colCount, tile in
                for r in 0..<rowCount where !inside[rowStart + r] {
                    let distances = tile.baseAddress! + r * colCount, ball = radii.baseAddress! + colStart
                    for c in 0..<colCount where distances[c] <= ball[c] {
                        inside[rowStart + r] = true
                        break
                    }
                }
            }
        }
        return inside.filter { $0 }.count
    }

    /// Calls `body` with every tile of squared distances between rows of `a` and rows of `b`:
    /// tile[r * colCount + c] = ‖a[rowStart + r] − b[colStart + c]‖².
    func forEachTile(_ a: [Double], rows n: Int, _ b: [Double], rows m: Int, dimension d: Int,
                     _ body: (_ rowStart: Int, _ rowCount: Int, _ colStart: Int, _ colCount: Int, _ tile: UnsafeBufferPointer<Double>) -> Void) {
        func norms(_ x: [Double], _ rows: Int) -> [Double] {
            (0..<rows).map { i in var s = 0.0; for j in 0..<d { s += x[i * d + j] * x[i * d + j] }; return s }
        }
        let na = norms(a, n), nb = norms(b, m)
        var tile = [Double](repeating: 0, count: min(blockRows, n) * min(blockRows, m))
        _ = BLASThreads.current   // one-thread pinning, as for Tensor's GEMMs
        a.withUnsafeBufferPointer { pa in
            b.withUnsafeBufferPointer { pb in
                tile.withUnsafeMutableBufferPointer { t in
                    for rowStart in stride(from: 0, to: n, by: blockRows) {
                        let rowCount = min(blockRows, n - rowStart)
                        for colStart in stride(from: 0, to: m, by: blockRows) {
                            let colCount = min(blockRows, m - colStart)
                            // t = −2 A_block B_blockᵀ
                            cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, Int32(rowCount), Int32(colCount), Int32(d), -2,
                                        pa.baseAddress! + rowStart * d, Int32(d), pb.baseAddress! + colStart * d, Int32(d),
                                        0, t.baseAddress, Int32(colCount))
                            for r in 0..<rowCount {
                                let i = rowStart + r
                                for c in 0..<colCount {
                                    let j = colStart + c
                                    let scale = na[i] + nb[j]
                                    var v = t[r * colCount + c] + scale
                                    if v <= 1e-8 * scale {
                                        // Cancellation: recompute close pairs exactly (duplicates → 0).
                                        v = 0
                                        for e in 0..<d { let diff = pa[i * d + e] - pb[j * d + e]; v += diff * diff }
                                    }
                                    t[r * colCount + c] = v
                                }
                            }
                            body(rowStart, rowCount, colStart, colCount, UnsafeBufferPointer(rebasing: t[0 ..< rowCount * colCount]))
                        }
                    }
                }
            }
        }
    }
}

/// The outcome of `PrecisionRecall.evaluate`.
public struct PrecisionRecallResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    /// Fraction of fake points inside the real manifold.
    public let precision: Double
    /// Fraction of real points inside the fake manifold.
    public let recall: Double
    public let k: Int

    public var report: String {
        "precision \(String(format: "%.4f", precision)), recall \(String(format: "%.4f", recall)) (k = \(k))\n" + metricProtocol.line
    }
}
