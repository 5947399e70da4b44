import Foundation
@testable import Dynamics

/// Independent numerical references for the closed forms.
enum Quadrature {
    /// Composite Simpson's rule with `panels` (even) panels.
    static func simpson(_ a: Double, _ b: Double, panels: Int, _ f: (Double) -> Double) -> Double {
        let n = panels % 2 == 0 ? panels : panels + 1
        let h = (b - a) / Double(n)
        var sum = f(a) + f(b)
        for k in 1..<n { sum += (k % 2 == 1 ? 4 : 2) * f(a + Double(k) * h) }
        return sum * h / 3
    }

    /// ∫ max(f, 0) over [a, b]: coarse segments, each with 8 Simpson panels, or 2,000 where f
    /// changes sign, so the kink at a crossing costs no accuracy. Uses no root finder.
    static func positivePart(_ a: Double, _ b: Double, segments: Int = 3000, _ f: (Double) -> Double) -> Double {
        let width = (b - a) / Double(segments)
        var total = 0.0
        for s in 0..<segments {
            let lo = a + Double(s) * width, hi = lo + width
            let ends = (f(lo), f(0.5 * (lo + hi)), f(hi))
            let mixed = !((ends.0 >= 0 && ends.1 >= 0 && ends.2 >= 0) || (ends.0 <= 0 && ends.1 <= 0 && ends.2 <= 0))
            total += simpson(lo, hi, panels: mixed ? 2000 : 8) { max(f($0), 0) }
        }
        return total
    }
}

/// Deterministic random draws for property tests.
struct Draws {
    var generator: SplitMix64
    init(seed: UInt64) { generator = SplitMix64(seed: seed) }
    mutating func uniform(_ lo: Double, _ hi: Double) -> Double { lo + (hi - lo) * generator.nextUnit() }
    mutating func means(_ range: Double = 3) -> SIMD2<Double> { SIMD2(uniform(-range, range), uniform(-range, range)) }
    /// Sorted endpoints in [−3, 3]; with `infinities`, the outer ends are sometimes ±∞.
    mutating func intervals(infinities: Bool) -> IntervalPair {
        var e = SIMD4<Double>()
        for i in 0..<4 { e[i] = uniform(-3, 3) }
        var unused = (SIMD4<Double>(), SIMD4<Double>())
        e = Feasibility.sort.applyTracking(e, derivatives: &unused)
        if infinities && generator.nextUnit() < 0.3 { e[0] = -.infinity }
        if infinities && generator.nextUnit() < 0.3 { e[3] = .infinity }
        return IntervalPair(endpoints: e)
    }
}
