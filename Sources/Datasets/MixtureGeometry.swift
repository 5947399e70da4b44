import Foundation

/// Constructions of mixture centres: rings, grids, 1-D pairs and high-dimensional simplices.
/// They are kept separate from the presets so the linspace pitfall can be shown and tested
/// with the same functions the presets use.
public enum MixtureGeometry {
    /// The K angles 2πk/K, k = 0..K−1: the correct ring construction (distinct, spacing 2π/K).
    public static func ringAngles(count k: Int) -> [Double] {
        precondition(k > 0, "ringAngles: need at least one mode, got \(k)")
        return (0..<k).map { 2 * Double.pi * Double($0) / Double(k) }
    }

    /// numpy.linspace(lo, hi, count) with endpoint=True, reproduced operation for operation
    /// (step = (hi − lo)/(count − 1), value = k·step + lo, last value set to hi exactly).
    /// linspace(0, 2π, 8) is the Unrolled-GAN notebook's off-by-one: angle 2π repeats angle 0.
    public static func numpyLinspace(_ lo: Double, _ hi: Double, count: Int) -> [Double] {
        precondition(count > 0, "numpyLinspace: count must be positive, got \(count)")
        if count == 1 { return [lo] }
        let step = (hi - lo) / Double(count - 1)
        var values = (0..<count).map { Double($0) * step + lo }
        values[count - 1] = hi
        return values
    }

    /// Points at `radius` on the circle at the given angles: (r·cos θ, r·sin θ).
    public static func circle(angles: [Double], radius: Double) -> [[Double]] {
        angles.map { [radius * cos($0), radius * sin($0)] }
    }

    /// The Cartesian grid values × values, row-major over (x, y) with x outermost.
    public static func grid(_ values: [Double]) -> [[Double]] {
        values.flatMap { x in values.map { y in [x, y] } }
    }

    /// K centres in ℝ^d (K ≤ d) at (spacing/√2)·e_k: every pair is exactly `spacing` apart.
    public static func simplex(modes k: Int, dimension d: Int, spacing: Double) -> [[Double]] {
        precondition(k > 0 && k <= d, "simplex: need 1 ≤ modes ≤ dimension, got \(k) modes in ℝ^\(d)")
        let r = spacing / 2.0.squareRoot()
        return (0..<k).map { i in (0..<d).map { $0 == i ? r : 0 } }
    }

    /// Number of distinct points, two points being the same when within `tolerance`.
    public static func distinctCount(_ points: [[Double]], tolerance: Double = 1e-9) -> Int {
        var kept: [[Double]] = []
        for p in points where !kept.contains(where: { q in
            zip(p, q).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() <= tolerance
        }) { kept.append(p) }
        return kept.count
    }
}
