/// A discriminator of the Li model: the indicator of [ℓ₁, r₁] ∪ [ℓ₂, r₂].
///
/// The endpoints are stored in one vector (ℓ₁, r₁, ℓ₂, r₂) because every update touches all
/// four the same way up to a sign. Feasible pairs satisfy ℓ₁ ≤ r₁ ≤ ℓ₂ ≤ r₂; endpoints may be
/// ±∞ (spec §3.4: infinities, never large sentinels). An empty interval is one with ℓ = r.
public struct IntervalPair: Sendable, Hashable, CustomStringConvertible {
    public var endpoints: SIMD4<Double>

    /// +1 for right endpoints and −1 for left ones: ∂L/∂e = orientation·F(e) (spec §3.2).
    public static let orientation = SIMD4<Double>(-1, 1, -1, 1)

    public init(endpoints: SIMD4<Double>) { self.endpoints = endpoints }

    public init(_ l1: Double, _ r1: Double, _ l2: Double, _ r2: Double) {
        endpoints = SIMD4(l1, r1, l2, r2)
    }

    /// Both intervals empty, placed at `point`. Every objective term and gradient vanishes.
    public static func empty(at point: Double = 0) -> IntervalPair {
        IntervalPair(point, point, point, point)
    }

    public var l1: Double { endpoints[0] }
    public var r1: Double { endpoints[1] }
    public var l2: Double { endpoints[2] }
    public var r2: Double { endpoints[3] }

    /// Interval lengths r − ℓ (negative for an inverted interval, which only `.none` allows).
    public var widths: SIMD2<Double> { SIMD2(r1 - l1, r2 - l2) }

    public var isOrdered: Bool { l1 <= r1 && r1 <= l2 && l2 <= r2 }

    /// The pair with the two intervals' roles swapped; L is unchanged by it (spec §8.7).
    public var swapped: IntervalPair { IntervalPair(l2, r2, l1, r1) }

    public var description: String { "[\(l1), \(r1)] ∪ [\(l2), \(r2)]" }
}
