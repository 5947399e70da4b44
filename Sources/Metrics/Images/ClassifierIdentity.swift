import Foundation
import Tensor

/// The classifier behind a classifier-based image metric (`benchmarks.md` §5–§7, §10): its id,
/// a hash of its weights and its test accuracy. The metrics here do no classification; they only
/// take the classifier's outputs (probabilities, labels, features), so the caller must say where
/// those came from, and every reported number carries all three fields. A score from an
/// unidentified classifier cannot be compared with anything, which is why none of them is optional.
public struct ClassifierIdentity: Sendable, Codable, Equatable {
    /// A short name, used inside metric names, e.g. "stacked-mnist-cnn-s0".
    public let id: String
    /// A hash of the weights (any stable text, e.g. "sha256:…").
    public let weightsHash: String
    /// Test-set accuracy as a fraction in [0, 1].
    public let testAccuracy: Double

    public init(id: String, weightsHash: String, testAccuracy: Double) throws(MetricError) {
        guard !id.isEmpty else { throw .invalidParameter("ClassifierIdentity: empty classifier id") }
        guard !weightsHash.isEmpty else { throw .invalidParameter("ClassifierIdentity: empty weights hash for \(id)") }
        guard testAccuracy.isFinite, (0...1).contains(testAccuracy) else {
            throw .invalidParameter("ClassifierIdentity: test accuracy \(testAccuracy) of \(id) must be a fraction in [0, 1]")
        }
        self.id = id
        self.weightsHash = weightsHash
        self.testAccuracy = testAccuracy
    }

    /// The protocol's `extractor` field, e.g. "mnist-cnn (weights sha256:ab12…, test accuracy 99.12%)".
    public var protocolText: String {
        "\(id) (weights \(weightsHash), test accuracy \(String(format: "%.2f", 100 * testAccuracy))%)"
    }
}

/// A rank-2 tensor [N, D] as row-major Float64 values, rejecting empty, mis-shaped and
/// non-finite input with the position of the first bad value (a NaN feature would otherwise
/// silently turn a whole score into NaN, far from its cause).
func featureMatrix(_ tensor: Tensor, what: String) throws(MetricError) -> (values: [Double], rows: Int, columns: Int) {
    guard tensor.rank == 2 else { throw .shapeMismatch(what: what, expected: "[N, D]", got: tensor.shape) }
    let n = tensor.shape[0], d = tensor.shape[1]
    guard n > 0 else { throw .noSamples(what: what) }
    guard d > 0 else { throw .shapeMismatch(what: what, expected: "[N, D] with D ≥ 1", got: tensor.shape) }
    let values = tensor.detached().doubles
    if let i = values.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: what, row: i / d, column: i % d) }
    return (values, n, d)
}

/// Rows given as nested arrays, flattened row-major with the same checks as `featureMatrix`.
func featureMatrix(_ rows: [[Double]], what: String) throws(MetricError) -> (values: [Double], rows: Int, columns: Int) {
    guard let d = rows.first?.count else { throw .noSamples(what: what) }
    guard d > 0 else { throw .shapeMismatch(what: what, expected: "[N, D] with D ≥ 1", got: [rows.count, 0]) }
    var values: [Double] = []
    values.reserveCapacity(rows.count * d)
    for (i, row) in rows.enumerated() {
        guard row.count == d else { throw .dimensionMismatch(what: "\(what) row \(i)", expected: d, got: row.count) }
        if let j = row.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: what, row: i, column: j) }
        values.append(contentsOf: row)
    }
    return (values, rows.count, d)
}
