import Tensor

/// Layer normalisation over the trailing `normalizedShape` axes of each sample, as PyTorch's
/// LayerNorm: mean and biased variance over those axes, then an elementwise affine map.
///
/// Parameters: "weight" (init 1) and "bias" (init 0), of shape `normalizedShape`, absent when
/// `affine: false`. No state; training and evaluation behave the same.
public final class LayerNorm: Layer {
    public let normalizedShape: [Int]
    public let epsilon: Double
    public private(set) var weight: Tensor?
    public private(set) var bias: Tensor?
    public var isTraining = true

    public init(_ normalizedShape: [Int], epsilon: Double = 1e-5, affine: Bool = true, dtype: DType = .float32) {
        precondition(!normalizedShape.isEmpty && normalizedShape.allSatisfy { $0 >= 1 },
                     "LayerNorm: normalizedShape must be non-empty and positive, got \(normalizedShape)")
        self.normalizedShape = normalizedShape
        self.epsilon = epsilon
        weight = affine ? Tensor.ones(normalizedShape, dtype: dtype).asParameter : nil
        bias = affine ? Tensor.zeros(normalizedShape, dtype: dtype).asParameter : nil
    }

    public convenience init(_ features: Int, epsilon: Double = 1e-5, affine: Bool = true, dtype: DType = .float32) {
        self.init([features], epsilon: epsilon, affine: affine, dtype: dtype)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        let k = normalizedShape.count
        precondition(x.rank > k && Array(x.shape.suffix(k)) == normalizedShape,
                     "LayerNorm(\(normalizedShape)): input \(x.shape) must end with \(normalizedShape)")
        let axes = Array((x.rank - k)..<x.rank)
        let centred = x - x.mean(axes: axes, keepDims: true)
        let variance = centred.squared().mean(axes: axes, keepDims: true)
        let normalised = centred / (variance + epsilon).sqrt()
        guard let weight, let bias else { return normalised }
        // Trailing-axis broadcasting lines the affine parameters up with the normalised axes.
        return normalised * weight + bias
    }

    public var parameters: [String: Tensor] {
        guard let weight, let bias else { return [:] }
        return ["weight": weight, "bias": bias]
    }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "LayerNorm")
        if weight != nil {
            weight = values["weight"]!.asParameter
            bias = values["bias"]!.asParameter
        }
    }

    public var state: [String: Tensor] { [:] }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "LayerNorm")
    }

    public func cast(to dtype: DType) {
        weight = weight?.cast(to: dtype).asParameter
        bias = bias?.cast(to: dtype).asParameter
    }
}
