/// Batch normalisation's core as one op: per channel (axis 1) the input is centred and
/// scaled by the batch statistics. Composing it from mean, subtract, square, mean, sqrt and
/// divide costs about five passes over the activations forward and ten backward; this op
/// makes three each way, which matters in convolutional players whose activations are
/// hundreds of thousands of values.
extension Tensor {
    /// The batch statistics of `batchNormalized(epsilon:)`, per channel, as plain values.
    public struct ChannelStatistics: Sendable {
        /// Mean per channel, [C], detached.
        public let mean: Tensor
        /// Biased (1/n) variance per channel, [C], detached.
        public let variance: Tensor
    }

    /// x̂ = (x − μ_c) / √(σ²_c + ε) with μ_c and σ²_c (biased) taken over every axis but 1.
    ///
    /// Differentiable to every order: first-order gradients of plain data use the fused rule
    /// ∂x = (g − mean(g) − x̂·mean(g·x̂)) / √(σ² + ε); when the gradient itself must carry a
    /// graph (a gradient penalty through a BatchNorm discriminator), the same rule is built from
    /// differentiable ops instead.
    public func batchNormalized(epsilon: Double) -> (output: Tensor, statistics: ChannelStatistics) {
        precondition(rank >= 2, "batchNormalized: input must be [N, C, …], got \(shape)")
        let (n, channels) = (shape[0], shape[1])
        let plane = count / Swift.max(n * channels, 1)
        let perChannel = n * plane
        precondition(perChannel > 1, "batchNormalized: needs more than one value per channel, got input \(shape)")
        let out = TensorStorage(count: count, dtype: dtype)
        let means = TensorStorage(count: channels, dtype: dtype)
        let variances = TensorStorage(count: channels, dtype: dtype)
        var inverses = [Double](repeating: 0, count: channels)
        func run<T: TensorScalar>(_: T.Type) {
            let (px, po, pm, pv) = (storage.typed(T.self), out.typed(T.self), means.typed(T.self), variances.typed(T.self))
            for c in 0..<channels {
                // Two passes in Float64 (mean, then centred squares) keep the variance exact
                // enough for large activations with a small spread.
                var sum = 0.0
                for i in 0..<n {
                    let row = px + (i * channels + c) * plane
                    for k in 0..<plane { sum += Double(row[k]) }
                }
                let mean = sum / Double(perChannel)
                var squares = 0.0
                for i in 0..<n {
                    let row = px + (i * channels + c) * plane
                    for k in 0..<plane {
                        let d = Double(row[k]) - mean
                        squares += d * d
                    }
                }
                let variance = squares / Double(perChannel)
                inverses[c] = 1 / (variance + epsilon).squareRoot()
                let inverse = T(inverses[c])
                let m = T(mean)
                for i in 0..<n {
                    let offset = (i * channels + c) * plane
                    let (row, target) = (px + offset, po + offset)
                    for k in 0..<plane { target[k] = (row[k] - m) * inverse }
                }
                pm[c] = m
                pv[c] = T(variance)
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        let statistics = ChannelStatistics(mean: Tensor(storage: means, shape: [channels]),
                                           variance: Tensor(storage: variances, shape: [channels]))
        let output = Tensor.record("batch_norm", output: out, shape: shape, inputs: [self]) { [inverses] ctx in
            let (x, g) = (ctx.inputs[0], ctx.grad)
            if x.node == nil && g.node == nil {
                return [Tensor.batchNormInputGradient(normalised: ctx.output, grad: g, inverseDeviations: inverses)]
            }
            return [Tensor.composedBatchNormInputGradient(x: x, grad: g, epsilon: epsilon)]
        }
        return (output, statistics)
    }

    /// The fused first-order rule on plain data; `inverseDeviations` are the forward pass's
    /// 1/√(σ²_c + ε).
    static func batchNormInputGradient(normalised: Tensor, grad: Tensor, inverseDeviations: [Double]) -> Tensor {
        let (n, channels) = (normalised.shape[0], normalised.shape[1])
        let plane = normalised.count / (n * channels)
        let perChannel = Double(n * plane)
        let out = TensorStorage(count: normalised.count, dtype: normalised.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let (ph, pg, po) = (normalised.storage.typed(T.self), grad.storage.typed(T.self), out.typed(T.self))
            for c in 0..<channels {
                var gradSum = 0.0, gradDot = 0.0
                for i in 0..<n {
                    let offset = (i * channels + c) * plane
                    for k in 0..<plane {
                        let gk = Double(pg[offset + k])
                        gradSum += gk
                        gradDot += gk * Double(ph[offset + k])
                    }
                }
                let (gMean, gDot, scale) = (T(gradSum / perChannel), T(gradDot / perChannel), T(inverseDeviations[c]))
                for i in 0..<n {
                    let offset = (i * channels + c) * plane
                    for k in 0..<plane {
                        po[offset + k] = (pg[offset + k] - gMean - ph[offset + k] * gDot) * scale
                    }
                }
            }
        }
        switch normalised.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return Tensor(storage: out, shape: normalised.shape)
    }

    /// The same rule from differentiable ops, for gradients that are differentiated again.
    static func composedBatchNormInputGradient(x: Tensor, grad g: Tensor, epsilon: Double) -> Tensor {
        let axes = (0..<x.rank).filter { $0 != 1 }
        let mean = x.mean(axes: axes, keepDims: true)
        let centred = x - mean
        let inverse = 1 / (centred.squared().mean(axes: axes, keepDims: true) + epsilon).sqrt()
        let normalised = centred * inverse
        let gMean = g.mean(axes: axes, keepDims: true)
        let gDot = (g * normalised).mean(axes: axes, keepDims: true)
        return (g - gMean - normalised * gDot) * inverse
    }
}
