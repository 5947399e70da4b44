import Foundation
import Tensor

/// Sliced W1 between generated samples and a reference set, in any dimension
/// (`many-paths.md` §5's divergence tracker for S2 and beyond):
/// SW1 = (1/P) Σ_p W1(θ_pᵀX, θ_pᵀY) over P directions θ_p drawn uniformly on the unit sphere
/// from a fixed key, so every evaluation of a run projects on the same directions. Each 1-D
/// W1 is exact for the two empirical laws (the integral of |F⁻¹ − G⁻¹| over the merged
/// quantile steps), so the sets may differ in size. Unlike JS, it shrinks as disjoint supports
/// approach each other.
public struct SlicedWasserstein: Sendable {
    public let projections: Int
    public let key: RandomKey

    public init(projections: Int = 64, key: RandomKey = RandomKey(seed: 0x5_11CE)) throws(MetricError) {
        guard projections > 0 else { throw .invalidParameter("SlicedWasserstein: projections must be positive, got \(projections)") }
        self.projections = projections
        self.key = key
    }

    /// The unit directions used in dimension `d` (row p is θ_p).
    public func directions(dimension d: Int) -> [[Double]] {
        let raw = Tensor.normal([projections, d], key: key.folded(in: UInt64(d)), dtype: .float64).doubles
        return (0..<projections).map { p in
            let row = Array(raw[p * d ..< (p + 1) * d])
            let norm = row.map { $0 * $0 }.reduce(0, +).squareRoot()
            // A zero draw has probability 0; e₁ keeps the direction a unit vector regardless.
            return norm > 0 ? row.map { $0 / norm } : [1] + Array(repeating: 0, count: d - 1)
        }
    }

    public func evaluate(_ samples: Tensor, reference: Tensor, context: MetricContext) throws(MetricError) -> SlicedWassersteinResult {
        let (x, n, d) = try flattenedRows(samples, what: "SlicedWasserstein samples")
        let (y, m, dy) = try flattenedRows(reference, what: "SlicedWasserstein reference")
        guard dy == d else { throw .dimensionMismatch(what: "SlicedWasserstein reference", expected: d, got: dy) }
        guard (x + y).allSatisfy(\.isFinite) else { throw .invalidParameter("SlicedWasserstein: samples contain NaN or infinity") }
        func project(_ values: [Double], rows: Int, on theta: [Double]) -> [Double] {
            var out = [Double](repeating: 0, count: rows)
            for i in 0..<rows {
                var dot = 0.0
                for k in 0..<d { dot += values[i * d + k] * theta[k] }
                out[i] = dot
            }
            return out
        }
        var total = 0.0
        for theta in directions(dimension: d) {
            total += Self.wasserstein1(project(x, rows: n, on: theta), project(y, rows: m, on: theta))
        }
        let proto = MetricProtocol(metric: "sliced-w1", context: context, nFake: n, nReal: m,
                                   referenceSplit: "fresh data samples (evaluation key)",
                                   thresholds: "\(projections) random unit directions from a fixed key; exact 1-D W1 per direction")
        return SlicedWassersteinResult(metricProtocol: proto, value: total / Double(projections))
    }

    /// Exact W1 between two 1-D empirical laws: ∫₀¹ |F⁻¹(u) − G⁻¹(u)| du, walking the merged
    /// breakpoints k/n and l/m of the two quantile step functions.
    public static func wasserstein1(_ a: [Double], _ b: [Double]) -> Double {
        precondition(!a.isEmpty && !b.isEmpty, "wasserstein1: needs samples on both sides")
        let sa = a.sorted(), sb = b.sorted()
        let na = Double(sa.count), nb = Double(sb.count)
        var i = 0, j = 0, u = 0.0, total = 0.0
        while i < sa.count && j < sb.count {
            let nextA = Double(i + 1) / na, nextB = Double(j + 1) / nb
            let next = min(nextA, nextB)
            total += (next - u) * abs(sa[i] - sb[j])
            u = next
            if nextA <= next { i += 1 }
            if nextB <= next { j += 1 }
        }
        return total
    }
}

public struct SlicedWassersteinResult: Sendable {
    public let metricProtocol: MetricProtocol
    public let value: Double
}
