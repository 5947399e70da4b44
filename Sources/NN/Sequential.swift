import Tensor

/// Layers applied in order. Child i is named "i", so its tensors appear as "i.weight",
/// "i.running_mean", … (nested: "1.0.weight"), exactly as in PyTorch's `nn.Sequential`.
/// Setting `isTraining` sets it on every child.
public final class Sequential: Layer {
    public let layers: [any Layer]

    public var isTraining = true {
        didSet { for layer in layers { layer.isTraining = isTraining } }
    }

    public init(_ layers: [any Layer]) {
        self.layers = layers
        for layer in layers { layer.isTraining = isTraining }
    }

    public convenience init(_ layers: any Layer...) { self.init(layers) }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        layers.reduce(x) { h, layer in layer(h) }
    }

    public var parameters: [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            result.merge(NamedTensorValidation.prefixed(layer.parameters, by: String(i))) { a, _ in a }
        }
        return result
    }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "Sequential")
        for (i, layer) in layers.enumerated() {
            try layer.setParameters(NamedTensorValidation.entries(values, under: String(i)))
        }
    }

    public var state: [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (i, layer) in layers.enumerated() {
            result.merge(NamedTensorValidation.prefixed(layer.state, by: String(i))) { a, _ in a }
        }
        return result
    }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "Sequential")
        for (i, layer) in layers.enumerated() {
            try layer.setState(NamedTensorValidation.entries(values, under: String(i)))
        }
    }

    public func cast(to dtype: DType) {
        for layer in layers { layer.cast(to: dtype) }
    }
}
