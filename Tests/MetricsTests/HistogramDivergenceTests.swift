import Foundation
import Testing
import Datasets
import Metrics
import Tensor

private let context = MetricContext(dataset: "pacgan-ring", seeds: [1], runs: 1)

@Test func identicalSetsHaveZeroDivergence() throws {
    for d in [1, 2] {
        let x = Tensor.normal([2_000, d], key: RandomKey(seed: 5), dtype: .float64)
        let r = try HistogramDivergence(bins: 30).evaluate(x, reference: x, context: context)
        #expect(r.jensenShannon == 0 && r.totalVariation == 0)
    }
}

@Test func disjointSetsHaveLogTwoAndOne() throws {
    for d in [1, 2] {
        let x = Tensor.uniform([1_000, d], key: RandomKey(seed: 1), dtype: .float64)
        let y = Tensor.uniform([1_500, d], low: 10, high: 11, key: RandomKey(seed: 2), dtype: .float64)
        let r = try HistogramDivergence(bins: 20).evaluate(x, reference: y, context: context)
        #expect(abs(r.jensenShannon - log(2)) < 1e-12)
        #expect(abs(r.totalVariation - 1) < 1e-12)
        #expect(r.metricProtocol.nFake == 1_000 && r.metricProtocol.nReal == 1_500)
        #expect(r.metricProtocol.bins.hasPrefix("20 per axis"))
    }
}

@Test func twoSamplesOfTheSameLawAreClose() throws {
    let ring = SyntheticData.pacganRing
    let r = try HistogramDivergence(bins: 40).evaluate(ring.sample(20_000, key: RandomKey(seed: 1)),
                                                      reference: ring.sample(20_000, key: RandomKey(seed: 2)), context: context)
    #expect(r.jensenShannon < 0.05 && r.totalVariation < 0.2)
}

@Test func givenRangesPoolOutsidePointsInOneOverflowCell() throws {
    let x = Tensor([0.5, 5, 6], shape: [3, 1]), y = Tensor([0.5, -7, 0.5], shape: [3, 1])
    let r = try HistogramDivergence(bins: 4, ranges: [0...1]).evaluate(x, reference: y, context: context)
    #expect(r.sampleOverflow == 2 && r.referenceOverflow == 1)
    // p = (1/3 in-range, 2/3 overflow), q = (2/3, 1/3): TV = 1/3.
    #expect(abs(r.totalVariation - 1.0 / 3) < 1e-12)
}

@Test func histogramDivergenceRefusesOtherDimensions() throws {
    let x = Tensor.zeros([5, 3])
    #expect(throws: MetricError.unsupportedDimension(metric: "HistogramDivergence", dimension: 3, supported: "1-D and 2-D data only")) {
        try HistogramDivergence().evaluate(x, reference: x, context: context)
    }
    #expect(throws: MetricError.self) { try HistogramDivergence(bins: 0) }
}
