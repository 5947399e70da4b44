import Tensor

/// The uniform distribution on a line segment in ℝ^d: x = origin + t·direction with
/// t ∼ Uniform[lower, upper). Data on a low-dimensional manifold with a support disjoint from
/// almost any generator's, as in Fedus et al.'s synthetic experiments (`many-paths.md` §3).
///
/// The S1 reproduction (`many-paths.md` §3.4) uses `LineSegment.s1Data(dimension:)`: the data
/// segment x = (t, 0, …, 0), t ∼ U[−1, 1]. Its generator starts on the parallel segment
/// `LineSegment.s1Data(dimension:).shifted(by: Δ)` = (t, Δ, 0, …, 0), Δ ∈ {0.5, 2, 5}; putting the
/// generator there is the trainer's business, the shifted segment is given here as reference.
public struct LineSegment: Distribution, Codable, Equatable {
    public let origin: [Double]
    public let direction: [Double]
    public let lower: Double
    public let upper: Double

    public init(origin: [Double], direction: [Double], lower: Double = -1, upper: Double = 1) {
        precondition(!origin.isEmpty && origin.count == direction.count,
                     "LineSegment: origin has \(origin.count) coordinates, direction \(direction.count); need equal, non-zero")
        precondition(direction.contains { $0 != 0 }, "LineSegment: direction must be non-zero")
        precondition(lower < upper && lower.isFinite && upper.isFinite, "LineSegment: need finite lower < upper, got [\(lower), \(upper)]")
        self.origin = origin
        self.direction = direction
        self.lower = lower
        self.upper = upper
    }

    /// S1's data: (t, 0, …, 0) ∈ ℝ^d, t ∼ U[−1, 1].
    public static func s1Data(dimension d: Int) -> LineSegment {
        precondition(d >= 2, "S1 segments live in ℝ^d with d ≥ 2, got d = \(d)")
        return LineSegment(origin: Array(repeating: 0, count: d), direction: [1] + Array(repeating: 0, count: d - 1))
    }

    /// This segment moved by `distance` along e₂ (the second axis): S1's parallel segment.
    public func shifted(by distance: Double) -> LineSegment {
        precondition(origin.count >= 2, "LineSegment.shifted: needs d ≥ 2")
        var o = origin
        o[1] += distance
        return LineSegment(origin: o, direction: direction, lower: lower, upper: upper)
    }

    public var sampleShape: [Int] { [origin.count] }

    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        let t = Tensor.uniform([n], low: lower, high: upper, key: key, dtype: .float64).doubles
        let d = origin.count
        var values = [Double](repeating: 0, count: n * d)
        for i in 0..<n { for j in 0..<d { values[i * d + j] = origin[j] + t[i] * direction[j] } }
        return Tensor(values, shape: [n, d], dtype: dtype)
    }

    /// Euclidean distance from `point` to the closed segment.
    public func distance(to point: [Double]) -> Double {
        precondition(point.count == origin.count, "LineSegment.distance: point has \(point.count) coordinates, segment \(origin.count)")
        let dd = direction.map { $0 * $0 }.reduce(0, +)
        let rel = zip(point, origin).map { $0 - $1 }
        let t = min(max(zip(rel, direction).map { $0 * $1 }.reduce(0, +) / dd, lower), upper)
        return zip(rel, direction).map { ($0 - t * $1) * ($0 - t * $1) }.reduce(0, +).squareRoot()
    }

    /// Whether the two segments overlap on a set of positive length. When they do not, the
    /// uniform laws on them have disjoint supports up to a null set, so JS between them is
    /// exactly log 2 (`many-paths.md` §3.3): the analytic "supports disjoint" flag.
    public func intersectsOnPositiveLength(_ other: LineSegment, tolerance: Double = 1e-12) -> Bool {
        precondition(other.origin.count == origin.count, "LineSegment: dimensions differ (\(origin.count) vs \(other.origin.count))")
        // Overlap of positive length needs parallel directions and collinear segments.
        let a = direction, b = other.direction
        let aa = a.map { $0 * $0 }.reduce(0, +), bb = b.map { $0 * $0 }.reduce(0, +)
        let ab = zip(a, b).map { $0 * $1 }.reduce(0, +)
        let parallel = abs(ab * ab - aa * bb) <= tolerance * aa * bb
        guard parallel else { return false }
        let start = other.point(at: other.lower), end = other.point(at: other.upper)
        guard distanceToLine(start) <= tolerance, distanceToLine(end) <= tolerance else { return false }
        let project = { (p: [Double]) in zip(zip(p, self.origin).map { $0 - $1 }, a).map { $0 * $1 }.reduce(0, +) / aa }
        let (s0, s1) = (project(start), project(end))
        let overlap = min(upper, max(s0, s1)) - max(lower, min(s0, s1))
        return overlap > tolerance
    }

    public func point(at t: Double) -> [Double] { zip(origin, direction).map { $0 + t * $1 } }

    private func distanceToLine(_ p: [Double]) -> Double {
        let dd = direction.map { $0 * $0 }.reduce(0, +)
        let rel = zip(p, origin).map { $0 - $1 }
        let t = zip(rel, direction).map { $0 * $1 }.reduce(0, +) / dd
        return zip(rel, direction).map { ($0 - t * $1) * ($0 - t * $1) }.reduce(0, +).squareRoot()
    }
}
