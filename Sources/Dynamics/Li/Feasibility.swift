/// How a discriminator step is made feasible again (spec §4.2; project decision 5).
///
/// A first-order step can invert an interval or make the two overlap. `.pav` (the default)
/// is the Euclidean projection onto ℓ₁ ≤ r₁ ≤ ℓ₂ ≤ r₂: overlapping intervals keep their union,
/// an inverted one becomes empty — the concrete form of discriminator collapse.
public enum Feasibility: String, Sendable, Hashable, CaseIterable, Codable {
    /// Pool-adjacent-violators: isotonic regression of the four endpoints.
    case pav
    /// Re-sort the four endpoints (the rule used for initialisation).
    case sort
    /// Leave the endpoints as they are; an inverted interval counts negatively in L.
    case none

    /// The feasible endpoints.
    @inlinable
    public func apply(_ e: SIMD4<Double>) -> SIMD4<Double> {
        if self == .none || (e[0] <= e[1] && e[1] <= e[2] && e[2] <= e[3]) { return e }
        var dummy = (SIMD4<Double>(), SIMD4<Double>())
        return applyTracking(e, derivatives: &dummy)
    }

    /// The feasible endpoints, carrying forward-mode derivatives de/dμ₁, de/dμ₂ through the
    /// projection's Jacobian: a pooled block's derivative is the mean over the block; a sort
    /// permutes the rows.
    @inlinable
    public func applyTracking(_ e: SIMD4<Double>,
                              derivatives: inout (SIMD4<Double>, SIMD4<Double>)) -> SIMD4<Double> {
        switch self {
        case .none:
            return e
        case .sort:
            var order = SIMD4<Int>(0, 1, 2, 3)
            // Insertion sort of four indices by value; stable, so ties keep their order.
            for i in 1..<4 {
                var j = i
                while j > 0 && e[order[j - 1]] > e[order[j]] {
                    order.swapAt(j - 1, j)
                    j -= 1
                }
            }
            var out = SIMD4<Double>(), d1 = SIMD4<Double>(), d2 = SIMD4<Double>()
            for i in 0..<4 {
                out[i] = e[order[i]]
                d1[i] = derivatives.0[order[i]]
                d2[i] = derivatives.1[order[i]]
            }
            derivatives = (d1, d2)
            return out
        case .pav:
            // Blocks of pooled endpoints, each with its sum and size; merge while the block
            // means decrease. Equal weights, so a block's value is its plain mean.
            var sums = SIMD4<Double>(), sizes = SIMD4<Int>(), d1Sums = SIMD4<Double>(), d2Sums = SIMD4<Double>()
            var blocks = 0
            for i in 0..<4 {
                sums[blocks] = e[i]; sizes[blocks] = 1
                d1Sums[blocks] = derivatives.0[i]; d2Sums[blocks] = derivatives.1[i]
                blocks += 1
                while blocks > 1
                        && sums[blocks - 2] * Double(sizes[blocks - 1]) > sums[blocks - 1] * Double(sizes[blocks - 2]) {
                    sums[blocks - 2] += sums[blocks - 1]
                    d1Sums[blocks - 2] += d1Sums[blocks - 1]
                    d2Sums[blocks - 2] += d2Sums[blocks - 1]
                    sizes[blocks - 2] += sizes[blocks - 1]
                    blocks -= 1
                }
            }
            var out = SIMD4<Double>(), d1 = SIMD4<Double>(), d2 = SIMD4<Double>()
            var index = 0
            for b in 0..<blocks {
                let n = Double(sizes[b])
                for _ in 0..<sizes[b] {
                    out[index] = sums[b] / n
                    d1[index] = d1Sums[b] / n
                    d2[index] = d2Sums[b] / n
                    index += 1
                }
            }
            derivatives = (d1, d2)
            return out
        }
    }
}

extension SIMD4 {
    @inlinable mutating func swapAt(_ i: Int, _ j: Int) {
        let t = self[i]; self[i] = self[j]; self[j] = t
    }
}
