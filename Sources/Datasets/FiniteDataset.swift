import Tensor

/// How a finite dataset is walked epoch by epoch.
public enum EpochOrder: String, Sendable, Codable {
    /// Every epoch reads the rows in a fresh permutation drawn from (key, epoch).
    case reshuffled
    /// Every epoch reads the rows in stored order (WGAN-GP's toy loop: the set was shuffled
    /// once when drawn and is then read sequentially, epoch after epoch).
    case sequential
}

/// A fixed set of N samples drawn once (PacGAN's 100,000 training points; WGAN-GP-25's
/// 100,000-point set). Stored in Float64 so nothing is lost before the caller picks a dtype.
///
/// `sample(_:key:dtype:)` draws n distinct rows uniformly from the key (n ≤ N). For epoch
/// training, `batch(step:batchSize:key:order:)` gives the rows of step s directly, and
/// `EpochBatches` walks the epochs without recomputing the permutation every step.
public struct FiniteDataset: Distribution {
    /// All samples, [N] + sampleShape, Float64.
    public let samples: Tensor

    public init(samples: Tensor) {
        precondition(samples.rank >= 1 && samples.shape[0] > 0, "FiniteDataset: need at least one sample, got shape \(samples.shape)")
        self.samples = samples.detached().cast(to: .float64)
    }

    /// Draws `count` samples from `distribution` once, with `key`.
    public init(drawing count: Int, from distribution: some Distribution, key: RandomKey) {
        self.init(samples: distribution.sample(count, key: key, dtype: .float64))
    }

    public var count: Int { samples.shape[0] }
    public var sampleShape: [Int] { Array(samples.shape.dropFirst()) }

    /// The rows at `indices`, in that order.
    public func rows(_ indices: [Int], dtype: DType = .float32) -> Tensor {
        let gathered = samples.gathering(rows: indices)
        return dtype == .float64 ? gathered : gathered.cast(to: dtype)
    }

    /// n distinct rows chosen uniformly from the key (Floyd's algorithm), so a batch never
    /// repeats a point; n must not exceed N.
    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        rows(FiniteDataset.distinctIndices(n, from: count, key: key), dtype: dtype)
    }

    /// Batches per epoch; the last partial batch is dropped when `dropLast` (as WGAN-GP's
    /// `len(dataset) / BATCH_SIZE` loop does), kept otherwise.
    public func batchesPerEpoch(batchSize: Int, dropLast: Bool = true) -> Int {
        precondition(batchSize > 0 && batchSize <= count, "FiniteDataset: batch size \(batchSize) must be in 1...\(count)")
        return dropLast ? count / batchSize : (count + batchSize - 1) / batchSize
    }

    /// The row order of `epoch`: a permutation from key.folded(in: epoch), or 0..<N.
    public func epochOrder(_ epoch: Int, key: RandomKey, order: EpochOrder) -> [Int] {
        switch order {
        case .reshuffled: return Random.permutation(count, key: key.folded(in: UInt64(epoch)))
        case .sequential: return Array(0..<count)
        }
    }

    /// The batch of training step `step` (0-based) under epoch-style reading, with the last
    /// partial batch of each epoch dropped. A pure function of (step, key): it recomputes the
    /// epoch's permutation, so use `EpochBatches` in training loops.
    public func batch(step: Int, batchSize: Int, key: RandomKey, order: EpochOrder = .reshuffled,
                      dtype: DType = .float32) -> Tensor {
        let perEpoch = batchesPerEpoch(batchSize: batchSize)
        let (epoch, index) = step.quotientAndRemainder(dividingBy: perEpoch)
        let rowOrder = epochOrder(epoch, key: key, order: order)
        return rows(Array(rowOrder[index * batchSize ..< (index + 1) * batchSize]), dtype: dtype)
    }

    /// n distinct integers from 0..<N, uniformly, determined by the key (Floyd's algorithm).
    public static func distinctIndices(_ n: Int, from total: Int, key: RandomKey) -> [Int] {
        precondition(n >= 0 && n <= total, "FiniteDataset.sample: cannot draw \(n) distinct rows from \(total)")
        var stream = RandomStream(key: key)
        var chosen = Set<Int>(minimumCapacity: n)
        var order: [Int] = []
        order.reserveCapacity(n)
        for j in (total - n)..<total {
            let t = stream.nextInt(below: j + 1)
            let pick = chosen.contains(t) ? j : t
            chosen.insert(pick)
            order.append(pick)
        }
        return order
    }
}

/// Walks a finite dataset in epochs of whole batches (the last partial batch dropped), caching
/// each epoch's permutation. Step s yields the same rows as `FiniteDataset.batch(step: s, …)`.
public struct EpochBatches: Sendable {
    public let dataset: FiniteDataset
    public let batchSize: Int
    public let key: RandomKey
    public let order: EpochOrder
    /// The next step to be returned.
    public private(set) var step: Int
    private var cachedEpoch = -1
    private var cachedOrder: [Int] = []

    public init(dataset: FiniteDataset, batchSize: Int, key: RandomKey, order: EpochOrder = .reshuffled, startStep: Int = 0) {
        precondition(startStep >= 0, "EpochBatches: start step must be ≥ 0, got \(startStep)")
        _ = dataset.batchesPerEpoch(batchSize: batchSize)
        self.dataset = dataset
        self.batchSize = batchSize
        self.key = key
        self.order = order
        self.step = startStep
    }

    public var batchesPerEpoch: Int { dataset.batchesPerEpoch(batchSize: batchSize) }
    public var epoch: Int { step / batchesPerEpoch }

    public mutating func next(dtype: DType = .float32) -> Tensor {
        let (e, index) = step.quotientAndRemainder(dividingBy: batchesPerEpoch)
        if e != cachedEpoch {
            cachedOrder = dataset.epochOrder(e, key: key, order: order)
            cachedEpoch = e
        }
        step += 1
        return dataset.rows(Array(cachedOrder[index * batchSize ..< (index + 1) * batchSize]), dtype: dtype)
    }
}

/// A finite dataset drawn from a Gaussian mixture: batches come from the fixed set, while the
/// mode geometry (for the coverage metrics) comes from the mixture it was drawn from.
public struct FiniteMixtureDataset: ModalDistribution {
    public let mixture: GaussianMixture
    public let dataset: FiniteDataset

    public init(mixture: GaussianMixture, dataset: FiniteDataset) {
        precondition(dataset.sampleShape == mixture.sampleShape,
                     "FiniteMixtureDataset: dataset samples have shape \(dataset.sampleShape), mixture \(mixture.sampleShape)")
        self.mixture = mixture
        self.dataset = dataset
    }

    public var sampleShape: [Int] { dataset.sampleShape }
    public var modes: [[Double]] { mixture.modes }
    public var modeStandardDeviations: [Double] { mixture.modeStandardDeviations }
    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor { dataset.sample(n, key: key, dtype: dtype) }
}
