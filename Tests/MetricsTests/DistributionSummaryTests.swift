import Testing
import Metrics

/// The five-number summary the random search reports: quartiles by linear interpolation
/// (type 7, NumPy's default), checked against hand-computed values.
@Suite struct DistributionSummaryTests {
    @Test func quartilesInterpolateBetweenOrderStatistics() {
        // [1, 2, 3, 4]: h = 3p, so q1 = 1 + 0.75 = 1.75, median 2.5, q3 = 3.25 (np.quantile agrees).
        let s = DistributionSummary([4, 1, 3, 2])
        #expect(s.count == 4 && s.excludedNaN == 0)
        #expect(s.minimum == 1 && s.maximum == 4)
        #expect(s.lowerQuartile == 1.75 && s.median == 2.5 && s.upperQuartile == 3.25)
        #expect(s.interquartileRange == 1.5)
        // Five values: the quartiles fall on order statistics exactly.
        let odd = DistributionSummary([7, 1, 3, 10, 5])
        #expect(odd.lowerQuartile == 3 && odd.median == 5 && odd.upperQuartile == 7)
    }

    @Test func nanIsLeftOutAndInfinityRanksLast() {
        let s = DistributionSummary([2, .nan, 6, .nan])
        #expect(s.count == 2 && s.excludedNaN == 2)
        #expect(s.median == 4 && s.lowerQuartile == 3 && s.upperQuartile == 5)
        #expect(s.formatted(digits: 1) == "4.0 [3.0, 5.0] (2.0–6.0) (2 undefined)")
        // [1, 2, ∞, ∞]: q1 = 1.75; the median lies between 2 and ∞; q3 between ∞ and ∞.
        let worst = DistributionSummary([.infinity, 1, .infinity, 2])
        #expect(worst.count == 4 && worst.lowerQuartile == 1.75)
        #expect(worst.median == .infinity && worst.upperQuartile == .infinity && worst.maximum == .infinity)
        #expect(worst.formatted(digits: 1) == "∞ [1.8, ∞] (1.0–∞)")
        // Five values with ∞ on top: the median is an order statistic, finite.
        #expect(DistributionSummary([1, 2, 3, .infinity, .infinity]).median == 3)
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

/// The paired comparison behind the search's "against the baseline" table: counts and the
/// exact two-sided sign test, against hand-computed binomial tails.
@Suite struct PairedComparisonTests {
    @Test func signTestMatchesBinomialTails() {
        // 9 of 10: 2·(C(10,0) + C(10,1))/2¹⁰ = 22/1024.
        #expect(abs(PairedComparison.signTestPValue(successes: 9, trials: 10) - 22.0 / 1024) < 1e-14)
        #expect(abs(PairedComparison.signTestPValue(successes: 1, trials: 10) - 22.0 / 1024) < 1e-14)
        // 3 of 6: the whole distribution, capped at 1.
        #expect(PairedComparison.signTestPValue(successes: 3, trials: 6) == 1)
        // 0 of 5: 2/32.
        #expect(abs(PairedComparison.signTestPValue(successes: 0, trials: 5) - 0.0625) < 1e-15)
        #expect(PairedComparison.signTestPValue(successes: 0, trials: 0) == 1)
        // Large n stays finite: 600 of 1000 is far in the tail.
        let p = PairedComparison.signTestPValue(successes: 600, trials: 1000)
        #expect(p > 0 && p < 1e-9)
    }

    @Test func countsRespectTheDirectionAndSkipUndefinedPairs() {
        let modes = PairedComparison(candidate: [8, 7, 5, 6, .nan], baseline: [6, 7, 6, 2, 3], higherIsBetter: true)
        #expect(modes.better == 2 && modes.ties == 1 && modes.worse == 1 && modes.excluded == 1)
        #expect(modes.pValue == 1)   // 2 of 3 untied
        let kl = PairedComparison(candidate: [0.1, 0.5], baseline: [0.3, 0.2], higherIsBetter: false)
        #expect(kl.better == 1 && kl.worse == 1)
        // 6 of 6: 2/64 = 0.03125.
        #expect(PairedComparison(candidate: [1, 1, 1, 1, 1, 1, 2], baseline: [0, 0, 0, 0, 0, 0, .nan], higherIsBetter: true)
                .formatted == "6 / 0 / 0 (p = 0.031), 1 undefined")
        // ∞ is a score (e.g. a KL with no mode hit): worse than any finite one, tied with ∞.
        let infinite = PairedComparison(candidate: [.infinity, .infinity, 0.5], baseline: [0.3, .infinity, .infinity],
                                        higherIsBetter: false)
        #expect(infinite.better == 1 && infinite.ties == 1 && infinite.worse == 1 && infinite.excluded == 0)
    }
}
