import Tensor

/// A fully connected network, the workhorse of synthetic-data GAN players.
///
/// `MLP([2, 400, 400, 2], activation: .relu, batchNorm: true, key: k)` builds, for each hidden
/// width w: Linear(previous, w·f) [→ BatchNorm(w·f)] → activation, then a final
/// Linear(previous, last) → `outputActivation`; f is the activation's width factor (`pieces`
/// for `.maxout`, so maxout layers compute w·pieces affine features and keep w). Layers live in
/// a `Sequential`, so names are PyTorch's for the equivalent `nn.Sequential`: with batch norm,
/// "0.weight", "1.weight", "1.running_mean", "3.weight", …; an identity output activation adds
/// no layer.
public final class MLP: Layer {
    public let widths: [Int]
    public let body: Sequential

    public var isTraining: Bool {
        get { body.isTraining }
        set { body.isTraining = newValue }
    }

    public init(_ widths: [Int], activation: Activation, batchNorm: Bool = false, outputActivation: Activation = .identity,
                key: RandomKey, dtype: DType = .float32) {
        precondition(widths.count >= 2 && widths.allSatisfy { $0 >= 1 },
                     "MLP: needs at least an input and an output width, all positive; got \(widths)")
        precondition(outputActivation.widthFactor == 1, "MLP: the output activation cannot be maxout")
        self.widths = widths
        let keys = key.split(into: widths.count - 1)
        var layers: [any Layer] = []
        for i in 0..<(widths.count - 2) {
            let features = widths[i + 1] * activation.widthFactor
            layers.append(Linear(widths[i], features, key: keys[i], dtype: dtype))
            if batchNorm { layers.append(BatchNorm(features, dtype: dtype)) }
            if activation != .identity { layers.append(ActivationLayer(activation)) }
        }
        layers.append(Linear(widths[widths.count - 2], widths[widths.count - 1], key: keys[widths.count - 2], dtype: dtype))
        if outputActivation != .identity { layers.append(ActivationLayer(outputActivation)) }
        body = Sequential(layers)
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { body(x) }

    public var parameters: [String: Tensor] { body.parameters }
    public func setParameters(_ values: [String: Tensor]) throws { try body.setParameters(values) }
    public var state: [String: Tensor] { body.state }
    public func setState(_ values: [String: Tensor]) throws { try body.setState(values) }
    public func cast(to dtype: DType) { body.cast(to: dtype) }
}
