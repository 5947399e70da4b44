import Foundation
import Testing
import Datasets
import Tensor

/// Per-component mean and per-axis std of samples, from their component labels.
private func componentMoments(_ x: [Double], components: [Int], k: Int, d: Int) -> (means: [[Double]], stds: [Double], counts: [Int]) {
    var sums = [[Double]](repeating: [Double](repeating: 0, count: d), count: k)
    var counts = [Int](repeating: 0, count: k)
    for (i, c) in components.enumerated() { counts[c] += 1; for a in 0..<d { sums[c][a] += x[i * d + a] } }
    let means = (0..<k).map { c in sums[c].map { $0 / Double(counts[c]) } }
    var squares = [Double](repeating: 0, count: k)
    for (i, c) in components.enumerated() { for a in 0..<d { let e = x[i * d + a] - means[c][a]; squares[c] += e * e } }
    let stds = (0..<k).map { (squares[$0] / Double(counts[$0] * d - d)).squareRoot() }
    return (means, stds, counts)
}

@Test(arguments: ["pacgan-ring", "pacgan-grid", "unrolled-paper-ring", "wgangp-25gaussians", "two-gaussians-1d"])
func componentMeansAndStdsMatchTheMixture(name: String) throws {
    let mixture: GaussianMixture = name == "wgangp-25gaussians" ? SyntheticData.wgangp25Gaussians
        : try #require((try SyntheticData.named(name) as? FiniteMixtureDataset)?.mixture ?? (try SyntheticData.named(name) as? GaussianMixture))
    let n = 100_000
    let (samples, components) = mixture.sampleWithComponents(n, key: RandomKey(seed: 11), dtype: .float64)
    let k = mixture.componentCount, d = mixture.sampleShape[0]
    let (means, stds, counts) = componentMoments(samples.doubles, components: components, k: k, d: d)
    for c in 0..<k {
        let sigma = mixture.modeStandardDeviations[c], perComponent = Double(counts[c])
        #expect(abs(perComponent / Double(n) - mixture.weights[c]) < 5 * (mixture.weights[c] / Double(n)).squareRoot())
        for a in 0..<d { #expect(abs(means[c][a] - mixture.modes[c][a]) < 5 * sigma / perComponent.squareRoot()) }
        #expect(abs(stds[c] / sigma - 1) < 0.05)
    }
}

@Test func wgangpEightGaussiansHavePostScalingStdWithinOnePercent() {
    let mixture = SyntheticData.wgangp8Gaussians
    let (samples, components) = mixture.sampleWithComponents(1_000_000, key: RandomKey(seed: 5), dtype: .float64)
    let x = samples.doubles
    var squares = 0.0
    for (i, c) in components.enumerated() {
        for a in 0..<2 { let e = x[2 * i + a] - mixture.modes[c][a]; squares += e * e }
    }
    let std = (squares / Double(2 * components.count)).squareRoot()
    #expect(abs(std / (0.02 / 1.414) - 1) < 0.01)
}

@Test func legacyRingDrawsTheDoubledModeTwiceAsOften() {
    let (_, components) = SyntheticData.unrolledRingLegacy7.sampleWithComponents(80_000, key: RandomKey(seed: 9))
    let share = Double(components.filter { $0 == 0 }.count) / 80_000
    #expect(abs(share - 0.25) < 0.01)
}

@Test func samplingIsDeterministicPerKey() throws {
    for name in ["pacgan-ring", "wgangp-8gaussians", "swissroll", "segment-d10", "wgangp-25gaussians"] {
        let dist = try SyntheticData.named(name)
        let a = dist.sample(257, key: RandomKey(seed: 42), dtype: .float64)
        let b = dist.sample(257, key: RandomKey(seed: 42), dtype: .float64)
        let c = dist.sample(257, key: RandomKey(seed: 43), dtype: .float64)
        #expect(a.doubles == b.doubles)
        #expect(a.doubles != c.doubles)
        #expect(dist.sample(257, key: RandomKey(seed: 42)).floats == a.doubles.map(Float.init))
    }
    // The fixed sets are frozen by the data seed, not by the sampling key.
    let first = try #require(try SyntheticData.named("pacgan-ring") as? FiniteMixtureDataset)
    let again = try #require(try SyntheticData.named("pacgan-ring") as? FiniteMixtureDataset)
    let other = try #require(try SyntheticData.named("pacgan-ring", dataSeed: 1) as? FiniteMixtureDataset)
    #expect(first.dataset.samples.doubles == again.dataset.samples.doubles)
    #expect(first.dataset.samples.doubles != other.dataset.samples.doubles)
}

@Test func finiteDatasetSamplesDistinctRowsAndWalksEpochs() {
    let rows = (0..<10).map { Double($0) }
    let data = FiniteDataset(samples: Tensor(rows, shape: [10, 1]))
    let drawn = data.sample(10, key: RandomKey(seed: 1), dtype: .float64).doubles
    #expect(Set(drawn) == Set(rows))

    #expect(data.batchesPerEpoch(batchSize: 3) == 3)
    #expect(data.batchesPerEpoch(batchSize: 3, dropLast: false) == 4)
    var walker = EpochBatches(dataset: data, batchSize: 3, key: RandomKey(seed: 2))
    var epochRows: [[Double]] = [[], []]
    for step in 0..<6 {
        let batch = walker.next(dtype: .float64)
        #expect(batch.doubles == data.batch(step: step, batchSize: 3, key: RandomKey(seed: 2), dtype: .float64).doubles)
        epochRows[step / 3] += batch.doubles
    }
    #expect(walker.epoch == 2 && walker.step == 6)
    for e in epochRows { #expect(Set(e).count == 9) }
    #expect(epochRows[0] != epochRows[1])

    var sequential = EpochBatches(dataset: data, batchSize: 4, key: RandomKey(seed: 2), order: .sequential)
    #expect(sequential.next(dtype: .float64).doubles == [0, 1, 2, 3])
    #expect(sequential.next(dtype: .float64).doubles == [4, 5, 6, 7])
    #expect(sequential.next(dtype: .float64).doubles == [0, 1, 2, 3])
}
