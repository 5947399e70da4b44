import Tensor
import Testing

/// Largest elementwise |a − b| / max(1, |b|): relative for large values, absolute near zero.
func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.count == b.count, "compared tensors have \(a.count) and \(b.count) elements")
    var worst = 0.0
    for (x, y) in zip(a.doubles, b.doubles) { worst = max(worst, abs(x - y) / max(1, abs(y))) }
    return worst
}

/// Expects equal shapes (a fixture scalar [1] matches a computed scalar []) and values within `tolerance`.
func expectClose(_ actual: Tensor, _ expected: Tensor, tolerance: Double = 1e-10, _ what: String,
                 sourceLocation: SourceLocation = #_sourceLocation) {
    let scalars = actual.count == 1 && expected.count == 1
    #expect(scalars || actual.shape == expected.shape, "\(what): shape \(actual.shape) vs expected \(expected.shape)",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count else { return }
    let error = maxRelativeError(actual, expected)
    #expect(error <= tolerance, "\(what): max relative error \(error) > \(tolerance)", sourceLocation: sourceLocation)
}
