import Tensor

/// 2-D convolution (cross-correlation) with PyTorch's layout: weight [Cout, Cin, k, k],
/// bias [Cout]; input [N, Cin, H, W] → [N, Cout, (H + 2p − k)/s + 1, …].
///
/// Default init is PyTorch's: weight and bias ~ U(±1/√(Cin·k²)).
public final class Conv2d: WeightedLayer {
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor?
    public let stride: Int
    public let padding: Int
    public var isTraining = true

    public var inputChannels: Int { weight.shape[1] }
    public var outputChannels: Int { weight.shape[0] }
    public var kernelSize: Int { weight.shape[2] }
    public var outputAxis: Int { 0 }

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                bias: Bool = true, key: RandomKey, dtype: DType = .float32) {
        precondition(inputChannels >= 1 && outputChannels >= 1 && kernelSize >= 1,
                     "Conv2d: channels and kernel size must be positive, got \(inputChannels) → \(outputChannels), k \(kernelSize)")
        let keys = key.split(into: 2)
        let fanIn = inputChannels * kernelSize * kernelSize
        weight = Initializer.pytorchDefault([outputChannels, inputChannels, kernelSize, kernelSize], fanIn: fanIn,
                                            key: keys[0], dtype: dtype).asParameter
        self.bias = bias ? Initializer.pytorchDefault([outputChannels], fanIn: fanIn, key: keys[1], dtype: dtype).asParameter : nil
        self.stride = stride
        self.padding = padding
    }

    /// A layer with the given values; `bias` nil means no bias.
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                     "Conv2d: weight must be [Cout, Cin, k, k], got \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[0]], "Conv2d: bias \(bias.shape) does not match weight \(weight.shape)")
            precondition(bias.dtype == weight.dtype, "Conv2d: bias dtype \(bias.dtype) differs from weight dtype \(weight.dtype)")
        }
        self.weight = weight.asParameter
        self.bias = bias?.asParameter
        self.stride = stride
        self.padding = padding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, weight: weight) }

    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        Tensor.conv2d(x, weight: weight, bias: bias, stride: stride, padding: padding)
    }

    public var parameters: [String: Tensor] {
        var result = ["weight": weight]
        if let bias { result["bias"] = bias }
        return result
    }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "Conv2d")
        weight = values["weight"]!.asParameter
        if bias != nil { bias = values["bias"]!.asParameter }
    }

    public var state: [String: Tensor] { [:] }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "Conv2d")
    }

    public func cast(to dtype: DType) {
        weight = weight.cast(to: dtype).asParameter
        bias = bias?.cast(to: dtype).asParameter
    }
}
