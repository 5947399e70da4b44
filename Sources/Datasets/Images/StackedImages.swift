import Tensor

/// Three values, one per colour channel: the pool indices a stacked sample was built from, or
/// their labels.
public struct ChannelTriple: Sendable, Hashable, CustomStringConvertible {
    public var red: Int
    public var green: Int
    public var blue: Int

    public init(red: Int, green: Int, blue: Int) {
        self.red = red
        self.green = green
        self.blue = blue
    }

    /// Digits 0...9 as one class 0...999: 100 · red + 10 · green + blue (Stacked MNIST's mode).
    public var stackedClass: Int { 100 * red + 10 * green + blue }

    /// The digit triple of a class 0...999.
    public init(stackedClass: Int) {
        precondition((0...999).contains(stackedClass), "ChannelTriple: class \(stackedClass) is not in 0...999")
        self.init(red: stackedClass / 100, green: stackedClass / 10 % 10, blue: stackedClass % 10)
    }

    public var description: String { "(\(red), \(green), \(blue))" }
}

/// Why a set cannot serve as the pool of stacked images.
public enum StackedImagesError: Error, Equatable, CustomStringConvertible {
    /// The pool is empty.
    case emptyPool
    /// The images are not single-channel [N, 1, H, W]; `shape` is what they are.
    case notSingleChannel(shape: [Int])
    /// The sets to be pooled hold images of different sizes ([C, H, W] per image).
    case sizeMismatch(first: [Int], other: [Int])
    /// Image `index` of the pool has a label outside 0...9, so triples would not be digits.
    case labelOutOfRange(index: Int, label: Int)

    public var description: String {
        switch self {
        case .emptyPool:
            "stacked images: the pool holds no images"
        case let .notSingleChannel(shape):
            "stacked images: expected single-channel images [N, 1, H, W], found shape \(shape)"
        case let .sizeMismatch(first, other):
            "stacked images: the pooled sets' images differ in size: \(first) and \(other)"
        case let .labelOutOfRange(index, label):
            "stacked images: image \(index) of the pool has label \(label), expected 0...9 (a channel's label is one digit of the class)"
        }
    }
}

/// A drawn set of stacked images: [N, 3, H, W] with, per sample, the pool images used for
/// its red, green and blue channels and their labels.
public struct StackedImages: Sendable {
    /// [N, 3, H, W], in the pool's scale (−1...1 for `LabeledImages` read from files).
    public let images: Tensor
    /// Pool indices of each sample's red, green and blue channel.
    public let sources: [ChannelTriple]
    /// The pool labels of those images: each sample's digit triple.
    public let labels: [ChannelTriple]

    public var count: Int { labels.count }
    /// Each sample's class 100 · l_R + 10 · l_G + l_B, 0...999.
    public var classes: [Int] { labels.map(\.stackedClass) }
    /// The images with their classes as labels.
    public var labeledImages: LabeledImages { LabeledImages(images: images, labels: classes) }
}

/// Stacked MNIST (benchmarks.md §5; PacGAN's and VEEGAN's `load_mnist`): each sample stacks
/// three uniformly random images of a single-channel pool as its R, G and B channels, so a
/// pool with 10 digit classes has 1,000 modes, the label triples.
///
/// The pool is kept, and stacked samples are drawn from a key on demand, which is what a GAN
/// needs (batches), without the 1.2 GB of the published 128,000-sample set
/// (128,000 × 3 × 784 Float32); `trainingSet(count:key:)` materialises such a set when one is
/// wanted. Both draw the same way: sample i takes the i-th triple of indices from
/// `RandomStream(key: key)`, red, green, blue in that order, each uniform over the pool and
/// independent (with replacement, as `np.random.randint(0, N, size=(n, 3))` in PacGAN's
/// code). So `trainingSet(count: n, key: k)` equals `batch(n, key: k)`, and any batch is a pure
/// function of its key.
///
/// Values keep the pool's scale, −1...1 for images read by `LabeledImages` (the original
/// code scales to 0...1; Equilibrium's generators produce tanh outputs in −1...1).
public struct StackedImagePool: Distribution {
    /// Samples in the published training set.
    public static let standardCount = 128_000

    /// The pool: [P, 1, H, W] Float32 with labels 0...9.
    public let pool: LabeledImages

    /// A pool from one single-channel labelled set (e.g. MNIST's 70,000 images already joined).
    public init(pool: LabeledImages) throws(StackedImagesError) {
        try self.init(pooling: [pool])
    }

    /// A pool joining several single-channel labelled sets of one image size, in order: §5
    /// pools MNIST's training and test sets.
    public init(pooling sets: [LabeledImages]) throws(StackedImagesError) {
        for set in sets where set.images.rank != 4 || set.images.shape[1] != 1 {
            throw .notSingleChannel(shape: set.images.shape)
        }
        let nonEmpty = sets.filter { $0.count > 0 }
        guard let first = nonEmpty.first else { throw .emptyPool }
        let geometry = Array(first.images.shape.dropFirst())
        for set in nonEmpty where Array(set.images.shape.dropFirst()) != geometry {
            throw .sizeMismatch(first: geometry, other: Array(set.images.shape.dropFirst()))
        }
        let labels = nonEmpty.flatMap(\.labels)
        if let bad = labels.firstIndex(where: { !(0...9).contains($0) }) {
            throw .labelOutOfRange(index: bad, label: labels[bad])
        }
        if nonEmpty.count == 1 && first.images.dtype == .float32 {
            pool = first
            return
        }
        let plane = geometry.reduce(1, *)
        var images = Tensor.zeros([labels.count] + geometry)
        images.withUnsafeMutableBufferPointer(as: Float.self) { target in
            var offset = 0
            for set in nonEmpty {
                let values = set.images.floats
                for i in values.indices { target[offset + i] = values[i] }
                offset += set.count * plane
            }
        }
        pool = LabeledImages(images: images, labels: labels)
    }

    /// Images in the pool.
    public var poolCount: Int { pool.count }
    public var height: Int { pool.images.shape[2] }
    public var width: Int { pool.images.shape[3] }
    /// [3, H, W].
    public var sampleShape: [Int] { [3, height, width] }

    /// The pool indices of `n` stacked samples drawn from `key` (see the type's description).
    public func sources(_ n: Int, key: RandomKey) -> [ChannelTriple] {
        precondition(n >= 0, "StackedImagePool: cannot draw \(n) samples")
        var stream = RandomStream(key: key)
        let p = poolCount
        return (0..<n).map { _ in
            let red = stream.nextInt(below: p), green = stream.nextInt(below: p)
            return ChannelTriple(red: red, green: green, blue: stream.nextInt(below: p))
        }
    }

    /// The stacked samples whose channels are the given pool images.
    public func stack(_ sources: [ChannelTriple]) -> StackedImages {
        let plane = height * width
        var images = Tensor.zeros([sources.count, 3, height, width])
        pool.images.withUnsafeBufferPointer(as: Float.self) { source in
            images.withUnsafeMutableBufferPointer(as: Float.self) { target in
                for (sample, triple) in sources.enumerated() {
                    for (channel, index) in [triple.red, triple.green, triple.blue].enumerated() {
                        precondition((0..<poolCount).contains(index), "StackedImagePool: pool index \(index) is not in 0..<\(poolCount)")
                        let from = index * plane, to = (sample * 3 + channel) * plane
                        for i in 0..<plane { target[to + i] = source[from + i] }
                    }
                }
            }
        }
        let labels = sources.map { ChannelTriple(red: pool.labels[$0.red], green: pool.labels[$0.green], blue: pool.labels[$0.blue]) }
        return StackedImages(images: images, sources: sources, labels: labels)
    }

    /// `n` stacked samples drawn from `key`, with their sources and label triples.
    public func batch(_ n: Int, key: RandomKey) -> StackedImages { stack(sources(n, key: key)) }

    /// A materialised training set: `count` samples (128,000 as published) drawn from `key`;
    /// the same samples as `batch(count, key: key)`. Memory: count × 3 × H × W Floats.
    public func trainingSet(count: Int = standardCount, key: RandomKey) -> StackedImages { batch(count, key: key) }

    /// `Distribution`: the images of `batch(n, key: key)`, in `dtype`.
    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        batch(n, key: key).images.cast(to: dtype)
    }
}
