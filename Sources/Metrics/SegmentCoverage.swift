import Foundation
import Datasets
import Tensor

/// The S1 metrics of `many-paths.md` §3.4 for data on a line segment: how far generated
/// points lie off the segment, how well they cover it, and the analytic JS.
public struct SegmentCoverage: Sendable {
    public let segment: LineSegment
    /// Success thresholds: off-manifold distance and W1 both below these (0.05 in S1).
    public let distanceTolerance: Double
    public let coverageTolerance: Double

    public init(segment: LineSegment, distanceTolerance: Double = 0.05, coverageTolerance: Double = 0.05) {
        self.segment = segment
        self.distanceTolerance = distanceTolerance
        self.coverageTolerance = coverageTolerance
    }

    /// - `offManifoldDistance`: mean Euclidean distance of the samples to the segment;
    /// - `coverageW1`: W1 between the samples' arc-length coordinates along the segment's line
    ///   (for S1: their e₁-coordinates) and the uniform law on the segment, in closed form from
    ///   the sorted samples;
    /// - `analyticJS` (when the generator's segment is known): exact JS between the uniform
    ///   laws, log 2 whenever the supports do not overlap on positive length.
    public func evaluate(_ samples: Tensor, generatorSegment: LineSegment? = nil,
                         context: MetricContext) throws(MetricError) -> SegmentCoverageResult {
        let (x, n, d) = try flattenedRows(samples, what: "SegmentCoverage")
        guard d == segment.origin.count else { throw .dimensionMismatch(what: "SegmentCoverage", expected: segment.origin.count, got: d) }
        let norm = segment.direction.map { $0 * $0 }.reduce(0, +).squareRoot()
        let unit = segment.direction.map { $0 / norm }
        var distance = 0.0
        var coordinates: [Double] = []
        coordinates.reserveCapacity(n)
        for i in 0..<n {
            let point = Array(x[i * d ..< (i + 1) * d])
            distance += segment.distance(to: point)
            coordinates.append(zip(zip(point, segment.origin).map { $0 - $1 }, unit).map { $0 * $1 }.reduce(0, +))
        }
        let w1 = SegmentCoverage.wassersteinToUniform(coordinates, lower: segment.lower * norm, upper: segment.upper * norm)
        let js = generatorSegment.map { JensenShannon.segments(segment, $0) }
        let meanDistance = distance / Double(n)
        let proto = MetricProtocol(metric: "segment-coverage", context: context, nFake: n, referenceSplit: "analytic uniform law on the segment",
                                   thresholds: "success iff off-manifold distance < \(distanceTolerance) and W1 < \(coverageTolerance)")
        return SegmentCoverageResult(metricProtocol: proto, offManifoldDistance: meanDistance, coverageW1: w1, analyticJS: js,
                                     success: meanDistance < distanceTolerance && w1 < coverageTolerance)
    }

    /// W1 between the empirical law of `values` and Uniform[lower, upper], exactly:
    /// ∫₀¹ |F_n⁻¹(u) − F⁻¹(u)| du, summed over the n steps of the empirical quantile function.
    public static func wassersteinToUniform(_ values: [Double], lower: Double, upper: Double) -> Double {
        precondition(!values.isEmpty && lower < upper, "wassersteinToUniform: need samples and lower < upper")
        let sorted = values.sorted()
        let n = Double(sorted.count), width = upper - lower
        // ∫ over y in [a, b] of |c − y| dy, for the quantile segment y = F⁻¹(u), du = dy / width.
        func absIntegral(_ c: Double, _ a: Double, _ b: Double) -> Double {
            if c <= a { return ((b - c) * (b - c) - (a - c) * (a - c)) / 2 }
            if c >= b { return ((c - a) * (c - a) - (c - b) * (c - b)) / 2 }
            return ((c - a) * (c - a) + (b - c) * (b - c)) / 2
        }
        var total = 0.0
        for (i, c) in sorted.enumerated() {
            let a = lower + width * Double(i) / n, b = lower + width * Double(i + 1) / n
            total += absIntegral(c, a, b) / width
        }
        return total
    }
}

public struct SegmentCoverageResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    public let offManifoldDistance: Double
    public let coverageW1: Double
    /// Exact JS between data and generator segments, when the generator segment was given.
    public let analyticJS: Double?
    public let success: Bool

    public var report: String {
        var text = "off-manifold distance \(String(format: "%.4f", offManifoldDistance)), coverage W1 \(String(format: "%.4f", coverageW1))"
        if let js = analyticJS { text += ", analytic JS \(String(format: "%.6f", js))" }
        return text + (success ? " (success)" : "") + "\n" + metricProtocol.line
    }
}
