/// SplitMix64 (Steele, Lea, Flood 2014): a tiny, fast generator whose streams are derived
/// from (seed, indices) by hashing, so every run of an experiment owns its randomness and the
/// numbers do not depend on which thread ran it or in which order (project decision 10).
public struct SplitMix64: RandomNumberGenerator, Sendable, Hashable {
    public private(set) var state: UInt64

    public init(seed: UInt64) { state = seed }

    /// A stream keyed by a seed and a path of indices, e.g. (seed, cell row, cell column, run).
    public init(seed: UInt64, stream indices: [UInt64]) {
        var key = SplitMix64.mix(seed)
        for index in indices {
            key = SplitMix64.mix(key ^ SplitMix64.mix(index &+ 0x632B_E59B_D9B4_E019))
        }
        state = key
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// A uniform double in [0, 1) with 53 random bits.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// The SplitMix64 output function (a bijective avalanche mix).
    @inlinable public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension IntervalPair {
    /// Four sorted draws from Uniform(−halfWidth, halfWidth), assigned as ℓ₁ ≤ r₁ ≤ ℓ₂ ≤ r₂
    /// (spec §6.2: the reproduction's initialisation, halfWidth = 2).
    public static func random(halfWidth: Double = 2, using generator: inout SplitMix64) -> IntervalPair {
        var e = SIMD4<Double>()
        for i in 0..<4 { e[i] = -halfWidth + 2 * halfWidth * generator.nextUnit() }
        var unused = (SIMD4<Double>(), SIMD4<Double>())
        return IntervalPair(endpoints: Feasibility.sort.applyTracking(e, derivatives: &unused))
    }
}
