import Tensor

/// A maxout unit layer (Goodfellow et al. 2013): an affine map to `outputFeatures·pieces`
/// features, then for each output j the maximum of features j, F + j, … (piece-major groups,
/// see `Activation.maxout`).
///
/// Parameters are the affine map's, "weight" [out·pieces, in] and "bias" [out·pieces], with
/// PyTorch's default Linear init.
public final class Maxout: Layer {
    public let linear: Linear
    public let pieces: Int
    public var isTraining = true

    public init(_ inputFeatures: Int, _ outputFeatures: Int, pieces: Int, key: RandomKey, dtype: DType = .float32) {
        precondition(pieces >= 1, "Maxout: pieces must be at least 1, got \(pieces)")
        linear = Linear(inputFeatures, outputFeatures * pieces, key: key, dtype: dtype)
        self.pieces = pieces
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        Activation.maxout(pieces: pieces).apply(linear(x))
    }

    public var parameters: [String: Tensor] { linear.parameters }
    public func setParameters(_ values: [String: Tensor]) throws { try linear.setParameters(values) }
    public var state: [String: Tensor] { [:] }
    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "Maxout")
    }
    public func cast(to dtype: DType) { linear.cast(to: dtype) }
}
