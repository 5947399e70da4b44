import Tensor

/// A set of images as a GAN's real data: each batch is n distinct images drawn uniformly from
/// the set with the batch's key (Floyd's algorithm, as `FiniteDataset`), so a step's batch
/// depends on the run's key and the step alone and a resumed run sees the same batches.
///
/// Images stay in Float32 [N, C, H, W] (−1…1); a batch is cast only when another dtype is
/// asked for.
public struct ImageDistribution: Distribution {
    public let images: LabeledImages
    /// What the images are, for protocol lines ("fashion-mnist (train, 60,000)").
    public let name: String

    public init(_ images: LabeledImages, name: String) {
        precondition(images.count >= 1, "ImageDistribution: no images")
        self.images = images
        self.name = name
    }

    public var count: Int { images.count }
    public var sampleShape: [Int] { Array(images.images.shape.dropFirst()) }

    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        precondition(n >= 1 && n <= count, "ImageDistribution: batch of \(n) from \(count) images")
        let batch = images.images.gathering(rows: FiniteDataset.distinctIndices(n, from: count, key: key))
        return dtype == .float32 ? batch : batch.cast(to: dtype)
    }

    /// The images at `indices` with their labels.
    public func subset(_ indices: [Int]) -> LabeledImages {
        LabeledImages(images: images.images.gathering(rows: indices), labels: indices.map { images.labels[$0] })
    }
}
