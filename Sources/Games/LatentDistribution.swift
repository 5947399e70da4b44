import Tensor

/// The generator's input distribution p_z.
public enum LatentDistribution: Sendable, Hashable, Codable {
    /// z ~ N(0, I) in `dimension` dimensions.
    case normal(dimension: Int)
    /// z ~ U[low, high)^dimension (the DRAGAN notebook uses U[−1, 1)^100).
    case uniform(dimension: Int, low: Double, high: Double)

    public var dimension: Int {
        switch self {
        case .normal(let d), .uniform(let d, _, _): return d
        }
    }

    /// A batch z of shape [n, dimension].
    public func sample(_ n: Int, key: RandomKey, dtype: DType = .float32) -> Tensor {
        switch self {
        case .normal(let d):
            return Tensor.normal([n, d], key: key, dtype: dtype)
        case let .uniform(d, low, high):
            return Tensor.uniform([n, d], low: low, high: high, key: key, dtype: dtype)
        }
    }
}
