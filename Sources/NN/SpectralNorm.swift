import Tensor

/// A layer with one weight that can be swapped for another in the forward pass; spectral
/// normalisation wraps such layers.
public protocol WeightedLayer: Layer {
    var weight: Tensor { get }
    /// The axis of `weight` that indexes output features. Spectral norm views the weight as a
    /// matrix [weight.shape[outputAxis], rest], as PyTorch's `spectral_norm(dim:)` does
    /// (0 for Linear and Conv2d, 1 for ConvTranspose2d).
    var outputAxis: Int { get }
    /// The layer's map with `weight` in place of its own.
    func callAsFunction(_ x: Tensor, weight: Tensor) -> Tensor
}

/// Spectral normalisation (Miyato et al. 2018), as `torch.nn.utils.spectral_norm`.
///
/// The wrapped layer's weight W is stored as the parameter "weight_orig"; the forward pass uses
/// W/σ with σ = uᵀ·W_mat·v, where u and v (state "weight_u" [rows], "weight_v" [cols]) estimate
/// the top singular vectors of W_mat. In training each forward first runs `powerIterations`
/// steps v ← normalise(W_matᵀu), u ← normalise(W_mat v) on detached values and stores u, v;
/// in evaluation u and v are used as stored. Either way u and v are constants for
/// differentiation, so gradients flow through W in both the numerator and σ, like PyTorch.
/// Other parameters of the wrapped layer (its "bias") keep their names.
public final class SpectralNorm<Wrapped: WeightedLayer>: Layer {
    public let wrapped: Wrapped
    public let powerIterations: Int
    /// Guards normalisation of a zero vector (PyTorch's eps).
    public let epsilon: Double
    public private(set) var u: Tensor
    public private(set) var v: Tensor
    public var isTraining = true {
        didSet { wrapped.isTraining = isTraining }
    }

    /// - Parameters:
    ///   - key: draws the initial u and v, N(0, 1) then normalised, as PyTorch does.
    public init(_ wrapped: Wrapped, powerIterations: Int = 1, epsilon: Double = 1e-12, key: RandomKey) {
        precondition(powerIterations >= 1, "SpectralNorm: powerIterations must be at least 1, got \(powerIterations)")
        precondition(wrapped.parameters["weight_orig"] == nil, "SpectralNorm: the wrapped layer already has a 'weight_orig'")
        self.wrapped = wrapped
        self.powerIterations = powerIterations
        self.epsilon = epsilon
        let w = wrapped.weight
        let rows = w.shape[wrapped.outputAxis], cols = w.count / rows
        let keys = key.split(into: 2)
        u = SpectralNorm.normalised(.normal([rows], key: keys[0], dtype: w.dtype), epsilon: epsilon)
        v = SpectralNorm.normalised(.normal([cols], key: keys[1], dtype: w.dtype), epsilon: epsilon)
    }

    /// The weight as a matrix [output features, rest] (differentiable in W).
    private func weightMatrix(_ w: Tensor) -> Tensor {
        let axis = wrapped.outputAxis
        let leading = axis == 0 ? w : w.permuted([axis] + (0..<w.rank).filter { $0 != axis })
        return leading.reshaped([w.shape[axis], -1])
    }

    private static func normalised(_ x: Tensor, epsilon: Double) -> Tensor {
        x / max(x.norm().item, epsilon)
    }

    /// Runs the power iteration on the current weight and stores u and v.
    public func updateSingularVectors(iterations: Int) {
        let matrix = weightMatrix(wrapped.weight.detached())
        var (u, v) = (self.u, self.v)
        for _ in 0..<iterations {
            v = SpectralNorm.normalised(matrix.matmul(u.reshaped([-1, 1]), transposeSelf: true).reshaped([-1]), epsilon: epsilon)
            u = SpectralNorm.normalised(matrix.matmul(v.reshaped([-1, 1])).reshaped([-1]), epsilon: epsilon)
        }
        self.u = u
        self.v = v
    }

    /// σ = uᵀ W v with the stored u, v (differentiable in the weight).
    public var sigma: Tensor {
        let wv = weightMatrix(wrapped.weight).matmul(v.reshaped([-1, 1]))
        return (u.reshaped([-1, 1]) * wv).sum()
    }

    /// W/σ with the stored u, v: the weight the forward pass uses.
    public var normalizedWeight: Tensor { wrapped.weight / sigma }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        if isTraining { updateSingularVectors(iterations: powerIterations) }
        return wrapped(x, weight: normalizedWeight)
    }

    private static func renamedToOriginal(_ values: [String: Tensor]) -> [String: Tensor] {
        var result = values
        result["weight_orig"] = result.removeValue(forKey: "weight")
        return result
    }

    public var parameters: [String: Tensor] { SpectralNorm.renamedToOriginal(wrapped.parameters) }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "SpectralNorm")
        var inner = values
        inner["weight"] = inner.removeValue(forKey: "weight_orig")
        try wrapped.setParameters(inner)
    }

    public var state: [String: Tensor] {
        var result = wrapped.state
        result["weight_u"] = u
        result["weight_v"] = v
        return result
    }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "SpectralNorm")
        var inner = values
        u = inner.removeValue(forKey: "weight_u")!.asState
        v = inner.removeValue(forKey: "weight_v")!.asState
        try wrapped.setState(inner)
    }

    public func cast(to dtype: DType) {
        wrapped.cast(to: dtype)
        u = u.cast(to: dtype).asState
        v = v.cast(to: dtype).asState
    }
}
