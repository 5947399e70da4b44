import Foundation
import Testing
import Datasets
import Metrics
import Tensor

private let context = MetricContext(dataset: "pacgan-ring", seeds: [7], key: RandomKey(seed: 7), batchNormMode: "eval", codeVersion: "test")
private let ring = SyntheticData.pacganRing

private func points(_ rows: [[Double]]) -> Tensor { Tensor(rows.flatMap { $0 }, shape: [rows.count, rows[0].count]) }

@Test func samplesExactlyAtTheEightCentresCoverEverything() throws {
    let r = try ModeCoverage(ring).evaluate(points(ring.modes), context: context)
    #expect(r.modesCovered == 8 && r.highQualityFraction == 1)
    #expect(abs(r.reverseKL) < 1e-15 && abs(r.jensenShannon) < 1e-15)
    #expect(r.highQualityHistogram == Array(repeating: 1, count: 8) && r.warnings.isEmpty)
}

@Test func allSamplesAtOneCentreGiveOneModeAndLogEight() throws {
    let r = try ModeCoverage(ring).evaluate(points(Array(repeating: ring.modes[3], count: 100)), context: context)
    #expect(r.modesCovered == 1)
    #expect(abs(r.reverseKL - log(8)) < 1e-12 && abs(r.reverseKL - 2.079442) < 1e-6)
    #expect(abs(r.jensenShannon - 0.496929) < 1e-6)
    #expect(r.highQualityHistogram[3] == 100)
}

@Test func uniformOverFourOfEightCentres() throws {
    let rows = (0..<40).map { ring.modes[2 * ($0 % 4)] }
    let r = try ModeCoverage(ring).evaluate(points(rows), context: context)
    #expect(r.modesCovered == 4)
    #expect(abs(r.reverseKL - log(2)) < 1e-12)
    #expect(abs(r.jensenShannon - 0.215762) < 1e-6)
}

@Test func perfectSamplesGiveEightModesAndTheChiSquareHighQualityFraction() throws {
    let samples = ring.sample(1_000_000, key: RandomKey(seed: 1), dtype: .float64)
    let r = try ModeCoverage(ring).evaluate(samples, context: context)
    let expected = 1 - exp(-4.5)   // P(χ²₂ < 9) ≈ 0.98889
    #expect(r.modesCovered == 8)
    #expect(abs(r.highQualityFraction - expected) < 0.0005)
    // Uniform multinomial noise only: KL ≈ (K − 1)/(2·#HQ) ≈ 3.5e-6.
    #expect(r.reverseKL >= 0 && r.reverseKL < 1e-4)
}

@Test func samplesFarFromEveryModeAreUndefinedAndFlagged() throws {
    let r = try ModeCoverage(ring).evaluate(points(Array(repeating: [5, 5], count: 50)), context: context)
    #expect(r.highQualityCount == 0 && r.modesCovered == 0 && r.highQualityFraction == 0)
    #expect(r.reverseKL.isNaN && r.jensenShannon.isNaN && r.isUndefined)
    #expect(r.warnings.count == 1 && r.report.contains("warning: no high-quality samples"))
    #expect(r.nearestModeHistogram.reduce(0, +) == 50)
    // NaN survives the JSON round trip through the metric coders.
    let data = try MetricJSON.encoder().encode(r)
    #expect(String(decoding: data, as: UTF8.self).contains("\"reverseKL\":\"nan\""))
    let back = try MetricJSON.decoder().decode(ModeCoverageResult.self, from: data)
    #expect(back.reverseKL.isNaN && back.metricProtocol == r.metricProtocol && back.highQualityHistogram == r.highQualityHistogram)
}

@Test func highQualityThresholdUsesEachModesStd() throws {
    let coverage = try ModeCoverage(modes: [[0, 0], [10, 0]], standardDeviations: [0.1, 1])
    let r = try coverage.evaluate(points([[0.29, 0], [0.31, 0], [12.9, 0], [13.1, 0]]), context: context)
    #expect(r.highQualityHistogram == [1, 1] && r.highQualityCount == 2)
    let nearest = try coverage.nearestModes(points([[0, 2.9 * 0.1]]))
    #expect(nearest[0].mode == 0 && abs(nearest[0].distance - 2.9) < 1e-12)
}

@Test func wgangpThresholdsUsePostScalingStd() throws {
    let mixture = SyntheticData.wgangp8Gaussians
    let sigma = 0.02 / 1.414, centre = mixture.modes[0]
    let r = try ModeCoverage(mixture).evaluate(points([[centre[0] + 2.9 * sigma, centre[1]], [centre[0] + 3.1 * sigma, centre[1]]]), context: context)
    #expect(r.highQualityCount == 1)
}

@Test func jensenShannonToUniformStaysWithinItsBounds() {
    var stream = RandomStream(key: RandomKey(seed: 3))
    for k in [2, 8, 25] {
        for _ in 0..<200 {
            let raw = (0..<k).map { _ in stream.nextDouble() < 0.3 ? 0 : stream.nextDouble() }
            let total = raw.reduce(0, +)
            guard total > 0 else { continue }
            let p = raw.map { $0 / total }
            let jsd = ModeCoverage.jensenShannonToUniform(p), kl = ModeCoverage.reverseKLToUniform(p)
            #expect(jsd >= -1e-15 && jsd < log(2))
            #expect(kl >= -1e-15 && kl <= log(Double(k)) + 1e-12)
        }
    }
    #expect(abs(JensenShannon.discrete([1, 0], [0, 1]) - log(2)) < 1e-15)
}

@Test func coverageRejectsMismatchedDimensions() throws {
    #expect(throws: MetricError.dimensionMismatch(what: "ModeCoverage", expected: 2, got: 3)) {
        try ModeCoverage(ring).evaluate(Tensor.zeros([4, 3]), context: context)
    }
    #expect(throws: MetricError.self) { try ModeCoverage(modes: [[0]], standardDeviations: [0]) }
}
