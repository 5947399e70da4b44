import Tensor

/// Transposed 2-D convolution with PyTorch's layout: weight [Cin, Cout, k, k], bias [Cout];
/// input [N, Cin, H, W] → [N, Cout, (H − 1)s − 2p + k + outputPadding, …].
///
/// Default init is PyTorch's, including its fan convention for this layout: fan_in is computed
/// from weight.shape[1] = Cout, so weight and bias ~ U(±1/√(Cout·k²)).
public final class ConvTranspose2d: WeightedLayer {
    public private(set) var weight: Tensor
    public private(set) var bias: Tensor?
    public let stride: Int
    public let padding: Int
    public let outputPadding: Int
    public var isTraining = true

    public var inputChannels: Int { weight.shape[0] }
    public var outputChannels: Int { weight.shape[1] }
    public var kernelSize: Int { weight.shape[2] }
    /// Output channels index axis 1 of this layout (PyTorch's spectral_norm uses dim = 1 here).
    public var outputAxis: Int { 1 }

    public init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Int, stride: Int = 1, padding: Int = 0,
                outputPadding: Int = 0, bias: Bool = true, key: RandomKey, dtype: DType = .float32) {
        precondition(inputChannels >= 1 && outputChannels >= 1 && kernelSize >= 1,
                     "ConvTranspose2d: channels and kernel size must be positive, got \(inputChannels) → \(outputChannels), k \(kernelSize)")
        let keys = key.split(into: 2)
        let fanIn = outputChannels * kernelSize * kernelSize
        weight = Initializer.pytorchDefault([inputChannels, outputChannels, kernelSize, kernelSize], fanIn: fanIn,
                                            key: keys[0], dtype: dtype).asParameter
        self.bias = bias ? Initializer.pytorchDefault([outputChannels], fanIn: fanIn, key: keys[1], dtype: dtype).asParameter : nil
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }

    /// A layer with the given values; `bias` nil means no bias.
    public init(weight: Tensor, bias: Tensor?, stride: Int = 1, padding: Int = 0, outputPadding: Int = 0) {
        precondition(weight.rank == 4 && weight.shape[2] == weight.shape[3],
                     "ConvTranspose2d: weight must be [Cin, Cout, k, k], got \(weight.shape)")
        if let bias {
            precondition(bias.shape == [weight.shape[1]], "ConvTranspose2d: bias \(bias.shape) does not match weight \(weight.shape)")
            precondition(bias.dtype == weight.dtype, "ConvTranspose2d: bias dtype \(bias.dtype) differs from weight dtype \(weight.dtype)")
        }
        self.weight = weight.asParameter
        self.bias = bias?.asParameter
        self.stride = stride
        self.padding = padding
        self.outputPadding = outputPadding
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { callAsFunction(x, weight: weight) }

    public func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor {
        Tensor.convTranspose2d(x, weight: weight, bias: bias, stride: stride, padding: padding, outputPadding: outputPadding)
    }

    public var parameters: [String: Tensor] {
        var result = ["weight": weight]
        if let bias { result["bias"] = bias }
        return result
    }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "ConvTranspose2d")
        weight = values["weight"]!.asParameter
        if bias != nil { bias = values["bias"]!.asParameter }
    }

    public var state: [String: Tensor] { [:] }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "ConvTranspose2d")
    }

    public func cast(to dtype: DType) {
        weight = weight.cast(to: dtype).asParameter
        bias = bias?.cast(to: dtype).asParameter
    }
}
