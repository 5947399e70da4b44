import Foundation
import Tensor

/// Histogram estimates of JS and TV between generated samples and a reference sample set, for
/// 1-D and 2-D data (`many-paths.md` §5's divergence trackers).
///
/// Binning: `bins` equal-width bins per axis (so bins² cells in 2-D). The range per axis is
/// either given, or (by default) the smallest interval holding both sample sets, widened by
/// 1e-9 of its width (at least 1e-12) so the maxima fall inside. With a given range, points
/// outside it are pooled in one overflow cell shared by both histograms, so no mass is lost.
/// Both estimates are plug-in values on the binned distributions: identical sets give 0 and
/// sets that share no cell give JS = log 2 and TV = 1 exactly; for finite samples of the same
/// law they are biased upwards, the more so the more cells there are per sample.
public struct HistogramDivergence: Sendable {
    public let bins: Int
    /// Per-axis ranges (lower, upper), or nil for the automatic range.
    public let ranges: [ClosedRange<Double>]?

    public init(bins: Int = 50, ranges: [ClosedRange<Double>]? = nil) throws(MetricError) {
        guard bins > 0 else { throw .invalidParameter("HistogramDivergence: bins must be positive, got \(bins)") }
        if let r = ranges {
            guard r.count == 1 || r.count == 2 else {
                throw .unsupportedDimension(metric: "HistogramDivergence", dimension: r.count, supported: "1-D and 2-D data only")
            }
            for range in r where !(range.lowerBound.isFinite && range.upperBound.isFinite && range.lowerBound < range.upperBound) {
                throw .invalidParameter("HistogramDivergence: range \(range) must be finite with lower < upper")
            }
        }
        self.bins = bins
        self.ranges = ranges
    }

    public func evaluate(_ samples: Tensor, reference: Tensor, context: MetricContext) throws(MetricError) -> HistogramDivergenceResult {
        let (x, n, d) = try flattenedRows(samples, what: "HistogramDivergence samples")
        let (y, m, dy) = try flattenedRows(reference, what: "HistogramDivergence reference")
        guard d == 1 || d == 2 else {
            throw .unsupportedDimension(metric: "HistogramDivergence", dimension: d, supported: "1-D and 2-D data only")
        }
        guard dy == d else { throw .dimensionMismatch(what: "HistogramDivergence reference", expected: d, got: dy) }
        if let r = ranges, r.count != d { throw .dimensionMismatch(what: "HistogramDivergence ranges", expected: d, got: r.count) }
        guard (x + y).allSatisfy(\.isFinite) else { throw .invalidParameter("HistogramDivergence: samples contain NaN or infinity") }

        let axisRanges: [ClosedRange<Double>] = ranges ?? (0..<d).map { a in
            var lo = Double.infinity, hi = -Double.infinity
            for i in 0..<n { lo = min(lo, x[i * d + a]); hi = max(hi, x[i * d + a]) }
            for i in 0..<m { lo = min(lo, y[i * d + a]); hi = max(hi, y[i * d + a]) }
            let pad = max((hi - lo) * 1e-9, 1e-12)
            return (lo - pad)...(hi + pad)
        }
        let cells = Int(pow(Double(bins), Double(d)))
        let p = histogram(x, count: n, dimension: d, ranges: axisRanges, cells: cells)
        let q = histogram(y, count: m, dimension: d, ranges: axisRanges, cells: cells)
        let rangeText = axisRanges.map { String(format: "[%.6g, %.6g]", $0.lowerBound, $0.upperBound) }.joined(separator: "×")
        let proto = MetricProtocol(metric: "histogram-divergence", context: context, nFake: n, nReal: m,
                                   referenceSplit: "reference sample set",
                                   bins: "\(bins) per axis over \(rangeText) (\(ranges == nil ? "automatic" : "given") range, overflow pooled)")
        return HistogramDivergenceResult(metricProtocol: proto, jensenShannon: JensenShannon.discrete(p.probabilities, q.probabilities),
                                         totalVariation: JensenShannon.totalVariation(p.probabilities, q.probabilities),
                                         binsPerAxis: bins, ranges: axisRanges.map { [$0.lowerBound, $0.upperBound] },
                                         sampleOverflow: p.overflow, referenceOverflow: q.overflow)
    }

    /// Cell probabilities (the last entry is the overflow cell) and the overflow count.
    private func histogram(_ values: [Double], count n: Int, dimension d: Int, ranges: [ClosedRange<Double>],
                           cells: Int) -> (probabilities: [Double], overflow: Int) {
        var counts = [Int](repeating: 0, count: cells + 1)
        for i in 0..<n {
            var cell = 0, outside = false
            for a in 0..<d {
                let r = ranges[a], v = values[i * d + a]
                if v < r.lowerBound || v > r.upperBound { outside = true; break }
                let b = min(Int((v - r.lowerBound) / (r.upperBound - r.lowerBound) * Double(bins)), bins - 1)
                cell = cell * bins + b
            }
            counts[outside ? cells : cell] += 1
        }
        return (counts.map { Double($0) / Double(n) }, counts[cells])
    }
}

public struct HistogramDivergenceResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    /// Plug-in JS of the binned distributions, natural log; in [0, log 2].
    public let jensenShannon: Double
    /// Plug-in TV of the binned distributions; in [0, 1].
    public let totalVariation: Double
    public let binsPerAxis: Int
    /// Per-axis [lower, upper] used.
    public let ranges: [[Double]]
    /// Points outside a given range (pooled in the overflow cell).
    public let sampleOverflow: Int
    public let referenceOverflow: Int

    public var report: String {
        "histogram JS \(String(format: "%.4f", jensenShannon)) (log 2 = 0.6931), TV \(String(format: "%.4f", totalVariation))\n" + metricProtocol.line
    }
}
