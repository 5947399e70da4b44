import Foundation

/// Mean ± standard error over runs (seeds), as PacGAN reports its tables (`benchmarks.md` §4).
/// Non-finite values (e.g. an undefined KL) are left out and counted, never averaged in.
public struct SeedAggregate: Sendable, Codable, Equatable {
    public let mean: Double
    /// Sample standard deviation (n − 1); NaN for fewer than two values.
    public let standardDeviation: Double
    /// standardDeviation / √n; NaN for fewer than two values.
    public let standardError: Double
    /// Values aggregated.
    public let count: Int
    /// Non-finite values left out.
    public let excludedNonFinite: Int

    public init(_ values: [Double]) {
        let finite = values.filter(\.isFinite)
        count = finite.count
        excludedNonFinite = values.count - finite.count
        let n = Double(finite.count)
        mean = finite.isEmpty ? .nan : finite.reduce(0, +) / n
        if finite.count < 2 {
            standardDeviation = .nan
            standardError = .nan
        } else {
            let m = mean
            standardDeviation = (finite.reduce(0) { $0 + ($1 - m) * ($1 - m) } / (n - 1)).squareRoot()
            standardError = standardDeviation / n.squareRoot()
        }
    }

    /// "6.30 ± 0.50 (s.e., n = 10)", with any excluded values noted.
    public func formatted(digits: Int = 2) -> String {
        let f = "%.\(digits)f"
        var text = "\(String(format: f, mean)) ± \(String(format: f, standardError)) (s.e., n = \(count))"
        if excludedNonFinite > 0 { text += " [\(excludedNonFinite) undefined value(s) excluded]" }
        return text
    }
}

/// Mode-coverage results of several runs, aggregated as mean ± standard error.
public struct ModeCoverageSummary: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    public let modesCovered: SeedAggregate
    public let highQualityPercent: SeedAggregate
    public let reverseKL: SeedAggregate
    public let jensenShannon: SeedAggregate

    /// The runs must share metric, dataset, sample count and thresholds; the summary's protocol
    /// lists all their seeds, the run count, and "standard error".
    public init(_ results: [ModeCoverageResult]) throws(MetricError) {
        guard let first = results.first?.metricProtocol else { throw .noSamples(what: "ModeCoverageSummary") }
        for r in results {
            let p = r.metricProtocol
            if p.dataset != first.dataset || p.nFake != first.nFake || p.thresholds != first.thresholds || p.modified != first.modified {
                throw .inconsistentProtocols("\(first.line) vs \(p.line)")
            }
        }
        var proto = first
        proto.seeds = results.flatMap(\.metricProtocol.seeds)
        proto.key = nil
        proto.runs = results.count
        proto.errorKind = .standardError
        metricProtocol = proto
        modesCovered = SeedAggregate(results.map { Double($0.modesCovered) })
        highQualityPercent = SeedAggregate(results.map { 100 * $0.highQualityFraction })
        reverseKL = SeedAggregate(results.map(\.reverseKL))
        jensenShannon = SeedAggregate(results.map(\.jensenShannon))
    }

    public var report: String {
        "modes \(modesCovered.formatted(digits: 1)), HQ % \(highQualityPercent.formatted(digits: 1)), reverse KL \(reverseKL.formatted(digits: 2))\n"
            + metricProtocol.line
    }
}
