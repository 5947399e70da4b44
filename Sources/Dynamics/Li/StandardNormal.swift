import RealModule

/// The standard normal distribution, written so that no formula loses precision in a tail.
///
/// Φ is computed through erfc (spec §3.4): Φ(x) = ½·erfc(−x/√2). Differences of Φ pick the
/// erfc form that subtracts two small numbers instead of two numbers close to 1.
public enum StandardNormal {
    @usableFromInline static let inverseSqrt2 = 0.70710678118654752440
    @usableFromInline static let inverseSqrt2Pi = 0.39894228040143267794

    /// φ(x) = e^{−x²/2}/√(2π); φ(±∞) = 0.
    @inlinable public static func density(_ x: Double) -> Double {
        inverseSqrt2Pi * Double.exp(-0.5 * x * x)
    }

    /// Φ(x) = P(Z ≤ x).
    @inlinable public static func cdf(_ x: Double) -> Double {
        0.5 * Double.erfc(-x * inverseSqrt2)
    }

    /// Φ(b) − Φ(a), signed (negative when b < a), accurate in both tails.
    @inlinable public static func mass(from a: Double, to b: Double) -> Double {
        if a >= 0 && b >= 0 {
            // Upper tail: both Φ values are near 1, so subtract the complements instead.
            return 0.5 * (Double.erfc(a * inverseSqrt2) - Double.erfc(b * inverseSqrt2))
        }
        if a <= 0 && b <= 0 {
            return 0.5 * (Double.erfc(-b * inverseSqrt2) - Double.erfc(-a * inverseSqrt2))
        }
        return cdf(b) - cdf(a)
    }
}
