/// The five-number summary of a set of scores (minimum, quartiles, maximum), for reporting
/// the *distribution* of results over a hyper-parameter search rather than a mean: Fedus et
/// al. compare models by how their scores spread over random configurations
/// (`many-paths.md` §4), where a mean ± standard error would hide both tails.
///
/// Quartiles interpolate linearly between order statistics (Hyndman–Fan type 7, the default
/// of NumPy's `quantile` and R's `quantile`), so a reader can recompute them from the
/// per-run values. Infinities are ordered values (a score worse than any finite one, such as
/// a reverse KL with no sample in any mode); only NaN is left out.
public struct DistributionSummary: Sendable, Codable, Equatable {
    /// Values summarised (finite or infinite).
    public let count: Int
    /// NaN values left out.
    public let excludedNaN: Int
    public let minimum: Double
    public let lowerQuartile: Double
    public let median: Double
    public let upperQuartile: Double
    public let maximum: Double

    /// NaN statistics when every value is NaN.
    public init(_ values: [Double]) {
        let sorted = values.filter { !$0.isNaN }.sorted()
        count = sorted.count
        excludedNaN = values.count - sorted.count
        minimum = sorted.first ?? .nan
        maximum = sorted.last ?? .nan
        lowerQuartile = Self.quantile(sorted: sorted, 0.25)
        median = Self.quantile(sorted: sorted, 0.5)
        upperQuartile = Self.quantile(sorted: sorted, 0.75)
    }

    /// The upper minus the lower quartile.
    public var interquartileRange: Double { upperQuartile - lowerQuartile }

    /// The p-quantile of ascending values, linear between order statistics: with h = (n − 1)·p,
    /// x[⌊h⌋] + (h − ⌊h⌋)·(x[⌊h⌋ + 1] − x[⌊h⌋]), and ∞ between a finite value and ∞. NaN for
    /// no values.
    public static func quantile(sorted: [Double], _ p: Double) -> Double {
        precondition((0...1).contains(p), "quantile: p must be in [0, 1], got \(p)")
        guard !sorted.isEmpty else { return .nan }
        let h = Double(sorted.count - 1) * p
        let below = Int(h.rounded(.down))
        let above = min(below + 1, sorted.count - 1)
        let fraction = h - Double(below)
        // Equal neighbours (∞ and ∞ included) or no fraction: the order statistic itself,
        // which also keeps ∞ − ∞ out of the formula.
        if fraction == 0 || sorted[below] == sorted[above] { return sorted[below] }
        return sorted[below] + fraction * (sorted[above] - sorted[below])
    }

    /// "7.00 [6.00, 8.00] (2.00–8.00)": median [lower quartile, upper quartile] (min–max),
    /// infinities as ∞, with any NaN left out noted; "—" when nothing is left.
    public func formatted(digits: Int = 2) -> String {
        guard count > 0 else { return excludedNaN > 0 ? "— (\(excludedNaN) undefined)" : "—" }
        func f(_ x: Double) -> String { x.isInfinite ? (x > 0 ? "∞" : "−∞") : String(format: "%.\(digits)f", x) }
        var text = "\(f(median)) [\(f(lowerQuartile)), \(f(upperQuartile))] (\(f(minimum))–\(f(maximum)))"
        if excludedNaN > 0 { text += " (\(excludedNaN) undefined)" }
        return text
    }
}
