/// The Li–Mądry–Peebles–Schmidt model in closed form (spec li-dynamics.md §2–§3).
///
/// True distribution ½N(μ*₁,1) + ½N(μ*₂,1), generator ½N(μ₁,1) + ½N(μ₂,1), discriminator the
/// indicator of two intervals, and L(μ, ℓ, r) = 1 + ∫_I F with F = p* − p_μ. The generator
/// minimises L; the discriminator maximises it. Means are `SIMD2<Double>` (μ₁, μ₂).
public struct LiModel: Sendable, Hashable {
    public var trueMeans: SIMD2<Double>

    public init(trueMeans: SIMD2<Double> = SIMD2(-0.5, 0.5)) {
        self.trueMeans = trueMeans
    }

    /// F(x) = G_{μ*}(x) − G_μ(x).
    @inlinable
    public func densityDifference(at x: Double, means: SIMD2<Double>) -> Double {
        let phi = StandardNormal.density
        return 0.5 * (phi(x - trueMeans[0]) + phi(x - trueMeans[1]) - phi(x - means[0]) - phi(x - means[1]))
    }

    /// F′(x) = −½Σ_j (x − μ*_j)φ(x − μ*_j) + ½Σ_j (x − μ_j)φ(x − μ_j); 0 at ±∞.
    @inlinable
    public func densityDifferenceSlope(at x: Double, means: SIMD2<Double>) -> Double {
        guard x.isFinite else { return 0 }
        func slopeTerm(_ d: Double) -> Double { d * StandardNormal.density(d) }
        return 0.5 * (slopeTerm(x - means[0]) + slopeTerm(x - means[1])
                      - slopeTerm(x - trueMeans[0]) - slopeTerm(x - trueMeans[1]))
    }

    /// ∂F(x)/∂μ_j = −½(x − μ_j)φ(x − μ_j); 0 at ±∞.
    @inlinable
    public func densityDifferenceMeanSensitivity(at x: Double, means: SIMD2<Double>) -> SIMD2<Double> {
        guard x.isFinite else { return .zero }
        let d = x - means
        return SIMD2(-0.5 * d[0] * StandardNormal.density(d[0]),
                     -0.5 * d[1] * StandardNormal.density(d[1]))
    }

    /// L = 1 + Σ_i [½Σ_j ΔΦ(ℓ_i, r_i; μ*_j) − ½Σ_j ΔΦ(ℓ_i, r_i; μ_j)] (spec §3.1).
    ///
    /// An inverted interval (r < ℓ, possible only without projection) counts negatively.
    public func objective(means: SIMD2<Double>, discriminator d: IntervalPair) -> Double {
        var sum = 1.0
        for (l, r) in [(d.l1, d.r1), (d.l2, d.r2)] {
            sum += 0.5 * (StandardNormal.mass(from: l - trueMeans[0], to: r - trueMeans[0])
                          + StandardNormal.mass(from: l - trueMeans[1], to: r - trueMeans[1])
                          - StandardNormal.mass(from: l - means[0], to: r - means[0])
                          - StandardNormal.mass(from: l - means[1], to: r - means[1]))
        }
        return sum
    }

    /// All first derivatives of L at one point (spec §3.2).
    public func gradient(means: SIMD2<Double>, discriminator d: IntervalPair) -> LiGradient {
        let q = stepQuantities(means: means, endpoints: d.endpoints)
        return LiGradient(means: q.meanGradient, endpoints: IntervalPair.orientation * q.differenceAtEndpoints)
    }

    /// What one first-order step needs, with each φ evaluated once: F at the four endpoints
    /// and ∂L/∂μ_j = ½Σ_i [φ(r_i − μ_j) − φ(ℓ_i − μ_j)].
    @inlinable
    func stepQuantities(means: SIMD2<Double>, endpoints e: SIMD4<Double>)
        -> (differenceAtEndpoints: SIMD4<Double>, meanGradient: SIMD2<Double>)
    {
        var difference = SIMD4<Double>()
        var gradient = SIMD2<Double>()
        let orientation = IntervalPair.orientation
        for i in 0..<4 {
            let x = e[i]
            let g1 = StandardNormal.density(x - means[0])
            let g2 = StandardNormal.density(x - means[1])
            let t1 = StandardNormal.density(x - trueMeans[0])
            let t2 = StandardNormal.density(x - trueMeans[1])
            difference[i] = 0.5 * (t1 + t2 - g1 - g2)
            gradient[0] += orientation[i] * g1
            gradient[1] += orientation[i] * g2
        }
        return (difference, 0.5 * gradient)
    }
}

/// ∂L/∂μ and ∂L/∂(ℓ₁, r₁, ℓ₂, r₂).
public struct LiGradient: Sendable, Hashable {
    public var means: SIMD2<Double>
    public var endpoints: SIMD4<Double>
}
