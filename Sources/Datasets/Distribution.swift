import Tensor

/// Anything a GAN can learn from: draws batches of samples, row-major [n, dimension...].
///
/// Sampling takes an explicit key, so the same key always yields the same batch (finite
/// datasets draw indices from it; analytic distributions draw values from it).
public protocol Distribution: Sendable {
    /// Shape of one sample (e.g. [2] for points in the plane, [1, 28, 28] for images).
    var sampleShape: [Int] { get }
    /// A batch of `n` samples, shape [n] + sampleShape, in `dtype`.
    func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor
}

extension Distribution {
    /// Flattened sample size.
    public var dimension: Int { sampleShape.reduce(1, *) }

    public func sample(_ n: Int, key: RandomKey) -> Tensor { sample(n, key: key, dtype: .float32) }
}

/// A distribution with known, well-separated modes (Gaussian-mixture presets): what the
/// mode-coverage metrics need.
public protocol ModalDistribution: Distribution {
    /// Mode centres, [K, dimension].
    var modes: [[Double]] { get }
    /// Per-axis standard deviation of each mode (after any rescaling), length K.
    var modeStandardDeviations: [Double] { get }
}
