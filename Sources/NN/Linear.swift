import Tensor

/// y = x·Wᵀ + b with PyTorch's layout: weight [out, in], bias [out]; input [N, in].
///
/// Default init is PyTorch's: weight and bias ~ U(±1/√in) (`kaiming_uniform_(a: √5)` and the
/// matching bias bound). Parameters: "weight", "bias" (absent when `bias: false`).
public final class Linear: WeightedLayer {
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor?
    public var isTraining = true

    public var inputFeatures: Int { weight.shape[1] }
    public var outputFeatures: Int { weight.shape[0] }
    public var outputAxis: Int { 0 }

    public init(_ inputFeatures: Int, _ outputFeatures: Int, bias: Bool = true, key: RandomKey, dtype: DType = .float32) {
        precondition(inputFeatures >= 1 && outputFeatures >= 1,
                     "Linear: features must be positive, got \(inputFeatures) → \(outputFeatures)")
        let keys = key.split(into: 2)
        weight = Initializer.pytorchDefault([outputFeatures, inputFeatures], fanIn: inputFeatures, key: keys[0], dtype: dtype).asParameter
        self.bias = bias ? Initializer.pytorchDefault([outputFeatures], fanIn: inputFeatures, key: keys[1], dtype: dtype).asParameter : nil
    }

    /// A layer with the given values (e.g. loaded weights); `bias` nil means no bias.
    public init(weight: Tensor, bias: Tensor?) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Linear: bias \(bias.shape) does not match weight \(weight.shape)")
            precondition(bias.dtype == weight.dtype, "Linear: bias dtype \(bias.dtype) differs from weight dtype \(weight.dtype)")
        }
        self.weight = weight.asParameter
        self.bias = bias?.asParameter
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, weight: weight) }

    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        precondition(x.rank == 2 && x.shape[1] == inputFeatures,
                     "Linear(\(inputFeatures) → \(outputFeatures)): input must be [N, \(inputFeatures)], got \(x.shape)")
        return Tensor.linear(x, weight: weight, bias: bias)
    }

    public var parameters: [String: Tensor] {
        var result = ["weight": weight]
        if let bias { result["bias"] = bias }
        return result
    }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "Linear")
        weight = values["weight"]!.asParameter
        if bias != nil { bias = values["bias"]!.asParameter }
    }

    public var state: [String: Tensor] { [:] }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "Linear")
    }

    public func cast(to dtype: DType) {
        weight = weight.cast(to: dtype).asParameter
        bias = bias?.cast(to: dtype).asParameter
    }
}
