import Datasets
import Tensor
import Testing

/// Images as GAN data: batches of distinct images, fixed by the key, in the asked dtype.
@Suite struct ImageDistributionTests {
    @Test func batchesAreDistinctImagesFixedByTheKey() {
        // Image i is filled with the value i / 100, so a batch's images name themselves.
        let n = 50
        var values: [Double] = []
        for i in 0..<n { values += Array(repeating: Double(i) / 100, count: 12) }
        let images = LabeledImages(images: Tensor(values, shape: [n, 3, 2, 2]).cast(to: .float32), labels: Array(0..<n))
        let data = ImageDistribution(images, name: "ramp")
        #expect(data.sampleShape == [3, 2, 2] && data.count == n)
        let batch = data.sample(20, key: RandomKey(seed: 1), dtype: .float64)
        #expect(batch.shape == [20, 3, 2, 2] && batch.dtype == .float64)
        let ids = stride(from: 0, to: 240, by: 12).map { Int((batch.doubles[$0] * 100).rounded()) }
        #expect(Set(ids).count == 20)
        for (k, id) in ids.enumerated() {
            #expect(batch.doubles[(k * 12)..<(k * 12 + 12)].allSatisfy { abs($0 - Double(id) / 100) < 1e-6 })
        }
        #expect(data.sample(20, key: RandomKey(seed: 1)).doubles == data.sample(20, key: RandomKey(seed: 1)).doubles)
        #expect(data.sample(20, key: RandomKey(seed: 2)).doubles != data.sample(20, key: RandomKey(seed: 1)).doubles)
        #expect(data.subset([3, 7]).labels == [3, 7])
    }
}
