import Tensor

/// The nonlinearities GAN players use, as values (for builders such as `MLP`) and, through
/// `ActivationLayer`, as layers.
public enum Activation: Sendable, Equatable {
    case identity
    case relu
    case leakyRelu(slope: Double)
    case elu(alpha: Double)
    case tanh
    case sigmoid
    case softplus
    /// sin x: a periodic, high-frequency-friendly activation (SIREN-style, without its
    /// frequency scaling), one of the discriminator types of the particle-model sweeps.
    case sin
    /// Maximum over `pieces` groups of axis 1: [N, pieces·F, …] → [N, F, …]; feature j of the
    /// output is the max of inputs j, F + j, …, (pieces − 1)·F + j (piece-major, so the
    /// reduction compares whole contiguous rows).
    case maxout(pieces: Int)

    /// How many inputs each output feature consumes along axis 1 (`pieces` for maxout, else 1).
    public var widthFactor: Int {
        if case .maxout(let pieces) = self { return pieces }
        return 1
    }

    public func apply(_ x: Tensor) -> Tensor {
        switch self {
        case .identity: return x
        case .relu: return x.relu()
        case .leakyRelu(let slope): return x.leakyRelu(slope)
        case .elu(let alpha): return x.elu(alpha)
        case .tanh: return x.tanh()
        case .sigmoid: return x.sigmoid()
        case .softplus: return x.softplus()
        case .sin: return x.sin()
        case .maxout(let pieces):
            precondition(pieces >= 1, "maxout: pieces must be at least 1, got \(pieces)")
            precondition(x.rank >= 2 && x.shape[1] % pieces == 0,
                         "maxout(\(pieces)): axis 1 of input \(x.shape) is not a multiple of \(pieces)")
            // Piece-major grouping: output feature j is the max of features j, F + j, 2F + j, …
            // (F = features / pieces), so the reduction runs over whole contiguous rows.
            var grouped = x.shape
            grouped.replaceSubrange(1...1, with: [pieces, x.shape[1] / pieces])
            return x.reshaped(grouped).max(axis: 1)
        }
    }
}

/// An `Activation` as a layer.
public final class ActivationLayer: ParameterFreeLayer {
    public let activation: Activation
    public var isTraining = true

    public init(_ activation: Activation) { self.activation = activation }

    public func callAsFunction(_ x: Tensor) -> Tensor { activation.apply(x) }
}
