/// The five-number summary of a set of scores (minimum, quartiles, maximum), for reporting
/// the *distribution* of results over a hyper-parameter search rather than a mean: Fedus et
/// al. compare models by how their scores spread over random configurations
/// (`many-paths.md` §4), where a mean ± standard error would hide both tails.
///
/// Quartiles interpolate linearly between order statistics (Hyndman–Fan type 7, the default
/// of NumPy's `quantile` and R's `quantile`), so a reader can recompute them from the
/// per-run values.
public struct DistributionSummary: Sendable, Codable, Equatable {
    /// Finite values summarised.
    public let count: Int
    /// Non-finite values left out (e.g. a reverse KL undefined because no sample hit a mode).
    public let excludedNonFinite: Int
    public let minimum: Double
    public let lowerQuartile: Double
    public let median: Double
    public let upperQuartile: Double
    public let maximum: Double

    /// NaN statistics when no value is finite.
    public init(_ values: [Double]) {
        let sorted = values.filter(\.isFinite).sorted()
        count = sorted.count
        excludedNonFinite = values.count - sorted.count
        minimum = sorted.first ?? .nan
        maximum = sorted.last ?? .nan
        lowerQuartile = Self.quantile(sorted: sorted, 0.25)
        median = Self.quantile(sorted: sorted, 0.5)
        upperQuartile = Self.quantile(sorted: sorted, 0.75)
    }

    /// The upper minus the lower quartile.
    public var interquartileRange: Double { upperQuartile - lowerQuartile }

    /// The p-quantile of ascending values, linear between order statistics: with h = (n − 1)·p,
    /// x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]). NaN for no values.
    public static func quantile(sorted: [Double], _ p: Double) -> Double {
        precondition((0...1).contains(p), "quantile: p must be in [0, 1], got \(p)")
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * p
        let below = Int(h.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        return sorted[below] + (h - Double(below)) * (sorted[above] - sorted[below])
    }

    /// "7.00 [6.00, 8.00] (2.00–8.00)": median [lower quartile, upper quartile] (min–max),
    /// with any excluded values noted; "—" when nothing is finite.
    public func formatted(digits: Int = 2) -> String {
        guard count > 0 else { return excludedNonFinite > 0 ? "— (\(excludedNonFinite) undefined)" : "—" }
        func f(_ x: Double) -> String { String(format: "%.\(digits)f", x) }
        var text = "\(f(median)) [\(f(lowerQuartile)), \(f(upperQuartile))] (\(f(minimum))–\(f(maximum)))"
        if excludedNonFinite > 0 { text += " (\(excludedNonFinite) undefined)" }
        return text
    }
}
