import Foundation
import Testing
import Datasets
import Metrics
import Tensor

@Test func everyResultCarriesAProtocolLineWithAllFields() throws {
    let context = MetricContext(dataset: "pacgan-ring", modified: true, seeds: [3, 4], key: RandomKey(seed: 3), runs: 2,
                                batchNormMode: "eval", codeVersion: "abc123")
    let ring = SyntheticData.pacganRing
    let samples = ring.sample(100, key: RandomKey(seed: 3))
    let segment = LineSegment.s1Data(dimension: 2)
    let results: [any MetricResult] = [
        try ModeCoverage(ring).evaluate(samples, context: context),
        try HistogramDivergence().evaluate(samples, reference: samples, context: context),
        try SegmentCoverage(segment: segment).evaluate(segment.sample(10, key: RandomKey(seed: 1)), context: context),
    ]
    let fields = ["metric=", "dataset=pacgan-ring", "MODIFIED, not comparable", "n_fake=", "n_real=", "ref=", "extractor=", "splits=",
                  "thresholds=", "bins=", "seeds=[3, 4]", "key=", "runs=2", "error=", "bn=eval", "code=abc123"]
    for r in results {
        let line = r.metricProtocol.line
        for f in fields { #expect(line.contains(f), "protocol line lacks \(f): \(line)") }
        #expect(r.report.hasSuffix(line))
        let json = try MetricJSON.encoder().encode(r)
        let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
        let proto = try #require(object["metricProtocol"] as? [String: Any])
        for key in ["metric", "dataset", "modified", "nFake", "nReal", "referenceSplit", "extractor", "splits", "thresholds",
                    "bins", "seeds", "runs", "errorKind", "batchNormMode", "codeVersion"] {
            #expect(proto[key] != nil, "protocol JSON lacks \(key)")
        }
    }
    let coverage = try #require(results[0] as? ModeCoverageResult)
    #expect(coverage.metricProtocol.thresholds.contains("δ < 3.0σ") && coverage.metricProtocol.thresholds.contains("post-sampling rescaling"))
    #expect(coverage.metricProtocol.nFake == 100)
}

@Test func meanAndStandardErrorOverSeeds() {
    let a = SeedAggregate([1, 2, 3, 4, .nan])
    #expect(a.mean == 2.5 && a.count == 4 && a.excludedNonFinite == 1)
    #expect(abs(a.standardDeviation - (5.0 / 3).squareRoot()) < 1e-15)
    #expect(abs(a.standardError - (5.0 / 3).squareRoot() / 2) < 1e-15)
    #expect(a.formatted() == "2.50 ± 0.65 (s.e., n = 4) [1 undefined value(s) excluded]")
    #expect(SeedAggregate([7]).standardError.isNaN)
}

@Test func modeCoverageSummaryAggregatesRunsAsStandardError() throws {
    let ring = SyntheticData.pacganRing
    let results = try (0..<3).map { s in
        try ModeCoverage(ring).evaluate(ring.sample(2_500, key: RandomKey(seed: UInt64(s))),
                                        context: MetricContext(dataset: "pacgan-ring", seeds: [UInt64(s)]))
    }
    let summary = try ModeCoverageSummary(results)
    #expect(summary.modesCovered.mean == 8 && summary.modesCovered.standardError == 0)
    #expect(summary.metricProtocol.runs == 3 && summary.metricProtocol.seeds == [0, 1, 2])
    #expect(summary.metricProtocol.errorKind == .standardError)
    #expect(summary.report.contains("error=standard error"))
    let other = try ModeCoverage(ring).evaluate(ring.sample(100, key: RandomKey(seed: 9)), context: MetricContext(dataset: "pacgan-ring", seeds: [9]))
    #expect(throws: MetricError.self) { try ModeCoverageSummary(results + [other]) }
}

@Test func segmentMetricsForTheParallelSegmentsExperiment() throws {
    let data = LineSegment.s1Data(dimension: 10)
    let shifted = data.shifted(by: 2)
    let context = MetricContext(dataset: "segment-d10", seeds: [0])
    let r = try SegmentCoverage(segment: data).evaluate(shifted.sample(500, key: RandomKey(seed: 1)), generatorSegment: shifted, context: context)
    #expect(abs(r.offManifoldDistance - 2) < 1e-12)
    #expect(r.analyticJS == log(2) && !r.success)

    // Four points at the centres of the quantile cells: W1 = 1/(2n).
    #expect(abs(SegmentCoverage.wassersteinToUniform([-0.75, -0.25, 0.25, 0.75], lower: -1, upper: 1) - 0.125) < 1e-15)
    // A single point at 0 against U[−1, 1]: E|U| = 0.5.
    #expect(abs(SegmentCoverage.wassersteinToUniform([0], lower: -1, upper: 1) - 0.5) < 1e-15)
    let onData = try SegmentCoverage(segment: data).evaluate(data.sample(4_096, key: RandomKey(seed: 2)), generatorSegment: data, context: context)
    #expect(onData.offManifoldDistance == 0 && onData.coverageW1 < 0.05 && onData.analyticJS == 0 && onData.success)

    // Collinear segments [−1, 1] and [0, 2] overlap on half their length: JS = ½ log 2.
    let half = LineSegment(origin: Array(repeating: 0, count: 10), direction: [1] + Array(repeating: 0, count: 9), lower: 0, upper: 2)
    #expect(abs(JensenShannon.segments(data, half) - 0.5 * log(2)) < 1e-15)
}
