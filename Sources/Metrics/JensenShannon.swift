import Foundation
import Datasets

/// Jensen–Shannon and total-variation divergences between discrete distributions, and the
/// exact JS between uniform laws on line segments (`many-paths.md` §3.3).
public enum JensenShannon {
    /// JS(p, q) = ½KL(p ‖ m) + ½KL(q ‖ m), m = (p + q)/2, natural log; in [0, log 2].
    /// Both inputs are probability vectors of equal length.
    public static func discrete(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "JensenShannon.discrete: \(p.count) vs \(q.count) entries")
        var total = 0.0
        for (a, b) in zip(p, q) {
            let m = (a + b) / 2
            if a > 0 { total += 0.5 * a * log(a / m) }
            if b > 0 { total += 0.5 * b * log(b / m) }
        }
        return total
    }

    /// TV(p, q) = ½ Σ |p − q|; in [0, 1].
    public static func totalVariation(_ p: [Double], _ q: [Double]) -> Double {
        precondition(p.count == q.count, "JensenShannon.totalVariation: \(p.count) vs \(q.count) entries")
        return 0.5 * zip(p, q).reduce(0) { $0 + abs($1.0 - $1.1) }
    }

    /// Exact JS between the uniform distributions on two segments. It is log 2 unless they
    /// overlap on positive length (then only collinear overlap counts, in arc length): with
    /// lengths La, Lb and overlap L,
    /// JS = ½[(1 − L/La + 1 − L/Lb)·log 2 + (L/La)·log(2Lb/(La+Lb)) + (L/Lb)·log(2La/(La+Lb))].
    public static func segments(_ a: LineSegment, _ b: LineSegment) -> Double {
        guard a.intersectsOnPositiveLength(b) else { return log(2) }
        let ua = a.direction.map { $0 * $0 }.reduce(0, +).squareRoot()
        let ub = b.direction.map { $0 * $0 }.reduce(0, +).squareRoot()
        let la = (a.upper - a.lower) * ua, lb = (b.upper - b.lower) * ub
        // Arc-length coordinates of b's endpoints along a's line, from a's origin.
        let unit = a.direction.map { $0 / ua }
        let coordinate = { (p: [Double]) in zip(zip(p, a.origin).map { $0 - $1 }, unit).map { $0 * $1 }.reduce(0, +) }
        let (b0, b1) = (coordinate(b.point(at: b.lower)), coordinate(b.point(at: b.upper)))
        let overlap = min(a.upper * ua, max(b0, b1)) - max(a.lower * ua, min(b0, b1))
        let (fa, fb) = (overlap / la, overlap / lb)
        return 0.5 * ((2 - fa - fb) * log(2) + fa * log(2 * lb / (la + lb)) + fb * log(2 * la / (la + lb)))
    }
}
