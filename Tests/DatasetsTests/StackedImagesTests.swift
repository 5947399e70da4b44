import Testing
import Datasets
import Tensor

/// `labels.count` single-channel `height` × `width` images, image k's pixel p holding
/// k + p/100 (so every value names its image and position), as a labelled set.
private func pool(labels: [Int], height: Int = 2, width: Int = 3) -> LabeledImages {
    let plane = height * width
    let values = (0..<(labels.count * plane)).map { Float($0 / plane) + Float($0 % plane) / 100 }
    return LabeledImages(images: Tensor(values, shape: [labels.count, 1, height, width]), labels: labels)
}

/// The error `body` throws, or nil (recorded as an issue) when it returns.
private func caught(_ body: () throws(StackedImagesError) -> StackedImagePool, sourceLocation: SourceLocation = #_sourceLocation) -> StackedImagesError? {
    do {
        _ = try body()
        Issue.record("expected a StackedImagesError", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

@Suite struct StackedImagesTests {
    @Test func channelsAreThePoolImagesNamedBySourcesAndLabelsFollow() throws {
        let labels = [3, 1, 4, 1, 5, 9, 2]
        let set = pool(labels: labels)
        let stacked = try StackedImagePool(pool: set)
        #expect(stacked.sampleShape == [3, 2, 3] && stacked.poolCount == 7)
        let batch = stacked.batch(50, key: RandomKey(seed: 4))
        #expect(batch.images.shape == [50, 3, 2, 3] && batch.count == 50)
        let values = batch.images.floats, source = set.images.floats
        for (sample, triple) in batch.sources.enumerated() {
            for (channel, index) in [triple.red, triple.green, triple.blue].enumerated() {
                #expect(Array(values[((sample * 3 + channel) * 6)..<((sample * 3 + channel + 1) * 6)]) == Array(source[(index * 6)..<(index * 6 + 6)]))
            }
            #expect(batch.labels[sample] == ChannelTriple(red: labels[triple.red], green: labels[triple.green], blue: labels[triple.blue]))
            #expect(batch.classes[sample] == 100 * labels[triple.red] + 10 * labels[triple.green] + labels[triple.blue])
        }
        #expect(batch.labeledImages.labels == batch.classes)
        // Every pool image is used for every channel somewhere in 50 draws from 7.
        #expect(Set(batch.sources.map(\.red)).count == 7 && Set(batch.sources.map(\.blue)).count == 7)
    }

    @Test func drawsAreAPureFunctionOfTheKey() throws {
        let stacked = try StackedImagePool(pool: pool(labels: Array(0...9)))
        let key = RandomKey(seed: 2024)
        let first = stacked.batch(40, key: key), again = stacked.batch(40, key: key)
        #expect(first.sources == again.sources && first.images.floats == again.images.floats)
        #expect(stacked.batch(40, key: RandomKey(seed: 2025)).sources != first.sources)
        // A longer draw extends a shorter one; the materialised set is the same draw.
        #expect(Array(stacked.sources(80, key: key).prefix(40)) == first.sources)
        let set = stacked.trainingSet(count: 40, key: key)
        #expect(set.sources == first.sources && set.images.floats == first.images.floats)
        // As a Distribution: the batch's images, in the dtype asked for.
        let doubles = stacked.sample(40, key: key, dtype: .float64)
        #expect(doubles.dtype == .float64 && doubles.doubles == first.images.floats.map(Double.init))
    }

    @Test func allThousandTriplesAppearInTwentySixThousandSamples() throws {
        // The VEEGAN protocol's 26,000 samples from a pool of one image per digit.
        let stacked = try StackedImagePool(pool: pool(labels: Array(0...9), height: 1, width: 1))
        let set = stacked.trainingSet(count: 26_000, key: RandomKey(seed: 0))
        var histogram = [Int](repeating: 0, count: 1_000)
        for c in set.classes { histogram[c] += 1 }
        #expect(histogram.allSatisfy { $0 > 0 })
        // Poisson(26) per class: 5 and 55 are more than 4 standard deviations out.
        #expect(histogram.min()! >= 5 && histogram.max()! <= 55)
        for channel in [\ChannelTriple.red, \.green, \.blue] {
            var digits = [Int](repeating: 0, count: 10)
            for triple in set.labels { digits[triple[keyPath: channel]] += 1 }
            // Binomial(26,000, 0.1): standard deviation ≈ 48.
            #expect(digits.allSatisfy { abs($0 - 2_600) < 250 }, "\(digits)")
        }
        // With one image per digit the pixel values are the digits: the images carry the labels.
        let values = set.images.floats
        for sample in stride(from: 0, to: 26_000, by: 997) {
            let l = set.labels[sample]
            #expect(values[3 * sample] == Float(l.red) && values[3 * sample + 1] == Float(l.green) && values[3 * sample + 2] == Float(l.blue))
        }
    }

    @Test func theStandardSetHas128000Samples() throws {
        let stacked = try StackedImagePool(pool: pool(labels: [0, 1], height: 1, width: 1))
        #expect(StackedImagePool.standardCount == 128_000)
        let set = stacked.trainingSet(key: RandomKey(seed: 1))
        #expect(set.count == 128_000 && set.images.shape == [128_000, 3, 1, 1])
    }

    @Test func poolingJoinsSetsInOrder() throws {
        let train = pool(labels: [1, 2, 3]), test = pool(labels: [7, 8])
        let stacked = try StackedImagePool(pooling: [train, test])
        #expect(stacked.poolCount == 5 && stacked.pool.labels == [1, 2, 3, 7, 8])
        #expect(stacked.pool.images.floats == train.images.floats + test.images.floats)
        // A Float64 pool is stored as Float32.
        let wide = LabeledImages(images: train.images.cast(to: .float64), labels: train.labels)
        #expect(try StackedImagePool(pool: wide).pool.images.dtype == .float32)
    }

    @Test func unsuitablePoolsAreRefused() {
        let colour = LabeledImages(images: Tensor.zeros([2, 3, 4, 4]), labels: [0, 1])
        #expect(caught { () throws(StackedImagesError) in try StackedImagePool(pool: colour) } == .notSingleChannel(shape: [2, 3, 4, 4]))
        let error = caught { () throws(StackedImagesError) in try StackedImagePool(pooling: [pool(labels: [0, 1]), pool(labels: [2, 10, 3])]) }
        #expect(error == .labelOutOfRange(index: 3, label: 10))
        #expect(error?.description.contains("image 3 of the pool has label 10, expected 0...9") == true)
        #expect(caught { () throws(StackedImagesError) in try StackedImagePool(pool: pool(labels: [-1])) } == .labelOutOfRange(index: 0, label: -1))
        #expect(caught { () throws(StackedImagesError) in try StackedImagePool(pool: pool(labels: [])) } == .emptyPool)
        #expect(caught { () throws(StackedImagesError) in try StackedImagePool(pooling: [pool(labels: [1]), pool(labels: [2], height: 3)]) }
                == .sizeMismatch(first: [1, 2, 3], other: [1, 3, 3]))
    }

    @Test func stackedClassesAndTriplesConvert() {
        #expect(ChannelTriple(stackedClass: 407) == ChannelTriple(red: 4, green: 0, blue: 7))
        #expect((0..<1_000).allSatisfy { ChannelTriple(stackedClass: $0).stackedClass == $0 })
        #expect(ChannelTriple(red: 9, green: 9, blue: 1).description == "(9, 9, 1)")
    }
}
