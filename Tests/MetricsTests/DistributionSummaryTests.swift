import Testing
import Metrics

/// The five-number summary the random search reports: quartiles by linear interpolation
/// (type 7, NumPy's default), checked against hand-computed values.
@Suite struct DistributionSummaryTests {
    @Test func quartilesInterpolateBetweenOrderStatistics() {
        // [1, 2, 3, 4]: h = 3p, so q1 = 1 + 0.75 = 1.75, median 2.5, q3 = 3.25 (np.quantile agrees).
        let s = DistributionSummary([4, 1, 3, 2])
        #expect(s.count == 4 && s.excludedNonFinite == 0)
        #expect(s.minimum == 1 && s.maximum == 4)
        #expect(s.lowerQuartile == 1.75 && s.median == 2.5 && s.upperQuartile == 3.25)
        #expect(s.interquartileRange == 1.5)
        // Five values: the quartiles fall on order statistics exactly.
        let odd = DistributionSummary([7, 1, 3, 10, 5])
        #expect(odd.lowerQuartile == 3 && odd.median == 5 && odd.upperQuartile == 7)
    }

    @Test func nonFiniteValuesAreCountedNotSummarised() {
        let s = DistributionSummary([2, .nan, 6, .infinity])
        #expect(s.count == 2 && s.excludedNonFinite == 2)
        #expect(s.median == 4 && s.lowerQuartile == 3 && s.upperQuartile == 5)
        #expect(s.formatted(digits: 1) == "4.0 [3.0, 5.0] (2.0–6.0) (2 undefined)")
    }

    @Test func degenerateSets() {
        let one = DistributionSummary([3])
        #expect(one.minimum == 3 && one.lowerQuartile == 3 && one.median == 3 && one.upperQuartile == 3 && one.maximum == 3)
        let none = DistributionSummary([])
        #expect(none.count == 0 && none.median.isNaN && none.minimum.isNaN)
        #expect(none.formatted() == "—")
        #expect(DistributionSummary([.nan]).formatted() == "— (1 undefined)")
        #expect(DistributionSummary.quantile(sorted: [0, 10], 0.3) == 3)
        #expect(DistributionSummary.quantile(sorted: [0, 10], 1) == 10)
    }
}
