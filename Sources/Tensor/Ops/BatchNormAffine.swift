/// Batch normalisation with its affine step as one op: y = x̂·γ_c + β_c with
/// x̂ = (x − μ_c)/√(σ²_c + ε) over every axis but 1.
///
/// `batchNormalized` followed by `channelAffine` writes x̂ and reads it back forward, and
/// backward writes ∂x̂ = g·γ, reads it twice for the normalisation's sums and rule, and reads
/// x̂ three times: seven passes over the activations beside the two of the statistics. Here
/// x̂ and ∂x̂ are recomputed where they are needed, never stored: one pass forward (x → y) and
/// two backward (the sums, then ∂x). The forward values and statistics are the two ops' bits;
/// the first-order gradients agree with theirs to rounding (the channel sums are taken in
/// Float64; tested), and gradients that carry a graph are built as the two ops build them.
extension Tensor {
    /// y = x̂·scale + shift with x̂ as in `batchNormalized(epsilon:)`; scale and shift are [C].
    /// Differentiable to every order: first-order gradients of plain data come from the fused
    /// passes; gradients that carry a graph are built as the two ops build them.
    public func batchNormalized(epsilon: Double, scale: Tensor, shift: Tensor) -> (output: Tensor, statistics: ChannelStatistics) {
        precondition(rank >= 2, "batchNormalized: input must be [N, C, …], got \(shape)")
        let (n, channels) = (shape[0], shape[1])
        let plane = count / Swift.max(n * channels, 1)
        precondition(n * plane > 1, "batchNormalized: needs more than one value per channel, got input \(shape)")
        precondition(scale.shape == [channels] && shift.shape == [channels],
                     "batchNormalized: scale \(scale.shape) and shift \(shift.shape) must both be [\(channels)] for input \(shape)")
        precondition(scale.dtype == dtype && shift.dtype == dtype,
                     "batchNormalized: dtypes differ (input \(dtype), scale \(scale.dtype), shift \(shift.dtype))")
        let out = TensorStorage(count: count, dtype: dtype)
        let moments = channelMoments(epsilon: epsilon)
        let inverses = moments.inverses
        func run<T: TensorScalar>(_: T.Type) {
            let (px, po, pm) = (storage.typed(T.self), out.typed(T.self), moments.means.typed(T.self))
            let (ps, pb) = (scale.storage.typed(T.self), shift.storage.typed(T.self))
            if plane == 1 {
                inverses.map { T($0) }.withUnsafeBufferPointer { buffer in
                    let inverse = buffer.baseAddress!
                    Tensor.forEachFeature(n: n, features: channels) { c, index in
                        let normalised = (px[index] - pm[c]) * inverse[c]
                        let product = normalised * ps[c]
                        po[index] = product + pb[c]
                    }
                }
                return
            }
            forEachRange(channels, minimum: Swift.max(1, (1 << 15) / (n * plane))) { range in
                for c in range {
                    let (m, inverse, s, b) = (pm[c], T(inverses[c]), ps[c], pb[c])
                    for i in 0..<n {
                        let offset = (i * channels + c) * plane
                        let (row, target) = (px + offset, po + offset)
                        for k in 0..<plane {
                            // Three roundings, as x̂, then x̂·γ, then + β (no fused multiply-add).
                            let normalised = (row[k] - m) * inverse
                            let product = normalised * s
                            target[k] = product + b
                        }
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        let statistics = ChannelStatistics(mean: Tensor(storage: moments.means, shape: [channels]),
                                           variance: Tensor(storage: moments.variances, shape: [channels]))
        let means = statistics.mean
        let output = Tensor.record("batch_norm_affine", output: out, shape: shape, inputs: [self, scale, shift]) { [inverses] ctx in
            let (x, s, g) = (ctx.inputs[0], ctx.inputs[1], ctx.grad)
            if x.node == nil && s.node == nil && g.node == nil {
                return Tensor.batchNormAffineGradients(x: x, means: means, inverses: inverses, scale: s, grad: g, needs: ctx.needsGrad)
            }
            // The graph the two ops would have built: channel_affine's rule, then batch_norm's
            // composed rule, on an x̂ recomputed by the same kernel (so the same values).
            var broadcastShape = [Int](repeating: 1, count: x.rank)
            broadcastShape[1] = x.shape[1]
            return [ctx.needsGrad[0] ? Tensor.composedBatchNormInputGradient(x: x, grad: g * s.reshaped(broadcastShape), epsilon: epsilon) : nil,
                    ctx.needsGrad[1] ? (g * x.batchNormalized(epsilon: epsilon).output).sum(toShape: broadcastShape).reshaped([x.shape[1]]) : nil,
                    ctx.needsGrad[2] ? g.sum(toShape: broadcastShape).reshaped([x.shape[1]]) : nil]
        }
        return (output, statistics)
    }

    /// The first-order rule on plain data in two passes. Pass one, per channel, in Float64
    /// (`channelSums`): Σ g and Σ g·x̂, with x̂ recomputed as the forward pass computed it; they
    /// are ∂β and ∂γ, and γ times them are Σ ∂x̂ and Σ ∂x̂·x̂ (∂x̂ = g·γ). Pass two:
    /// ∂x = (∂x̂ − mean ∂x̂ − x̂·mean(∂x̂·x̂))/√(σ² + ε).
    ///
    /// ∂γ and ∂β are rounded once from Float64 sums, not added in `sum(toShape:)`'s order in
    /// the tensor's dtype as `channelAffine`'s backward adds them: that order reduces each
    /// image's plane through short partial sums that stay scalar. Measured with `perf` on a
    /// one-thread plain DCGAN step, this backward fell from 6.4 % of the step to 2.4 %.
    private static func batchNormAffineGradients(x: Tensor, means: Tensor, inverses: [Double], scale: Tensor, grad g: Tensor,
                                                 needs: [Bool]) -> [Tensor?] {
        let (n, channels) = (x.shape[0], x.shape[1])
        let plane = x.count / Swift.max(n * channels, 1)
        let perChannel = Double(n * plane)
        let inputGrad = needs[0] ? TensorStorage(count: x.count, dtype: x.dtype) : nil
        let scaleGrad = TensorStorage(count: channels, dtype: x.dtype)
        let shiftGrad = TensorStorage(count: channels, dtype: x.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let (px, pm, ps, pg) = (x.storage.typed(T.self), means.storage.typed(T.self), scale.storage.typed(T.self),
                                    g.storage.typed(T.self))
            let typedInverses = inverses.map { T($0) }
            let sums = typedInverses.withUnsafeBufferPointer { inverse in
                Tensor.channelSums(n: n, channels: channels, plane: plane,
                                   AffineGradientTerm(x: px, grad: pg, means: pm, inverses: inverse.baseAddress!))
            }
            let (pScale, pShift) = (scaleGrad.typed(T.self), shiftGrad.typed(T.self))
            for c in 0..<channels {
                pShift[c] = T(sums[c].0)
                pScale[c] = T(sums[c].1)
            }
            guard let pi = inputGrad?.typed(T.self) else { return }
            if plane == 1 {
                // Per feature: mean ∂x̂, mean ∂x̂·x̂ and the inverse deviation, rounded as below.
                let γ = (0..<channels).map { Double(ps[$0]) }
                let constants = (0..<channels).map { T(γ[$0] * sums[$0].0 / perChannel) }
                    + (0..<channels).map { T(γ[$0] * sums[$0].1 / perChannel) } + typedInverses
                constants.withUnsafeBufferPointer { buffer in
                    let (gMean, gDot, inverse) = (buffer.baseAddress!, buffer.baseAddress! + channels, buffer.baseAddress! + 2 * channels)
                    Tensor.forEachFeature(n: n, features: channels) { c, index in
                        let normalised = (px[index] - pm[c]) * inverse[c]
                        let normalisedGrad = pg[index] * ps[c]
                        pi[index] = (normalisedGrad - gMean[c] - normalised * gDot[c]) * inverse[c]
                    }
                }
                return
            }
            forEachRange(channels, minimum: Swift.max(1, (1 << 15) / (n * plane))) { range in
                for c in range {
                    let (m, inverse, s) = (pm[c], typedInverses[c], ps[c])
                    let γ = Double(s)
                    let (gMean, gDot) = (T(γ * sums[c].0 / perChannel), T(γ * sums[c].1 / perChannel))
                    for i in 0..<n {
                        let offset = (i * channels + c) * plane
                        let (row, gradRow, target) = (px + offset, pg + offset, pi + offset)
                        for k in 0..<plane {
                            let normalised = (row[k] - m) * inverse
                            let normalisedGrad = gradRow[k] * s
                            target[k] = (normalisedGrad - gMean - normalised * gDot) * inverse
                        }
                    }
                }
            }
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return affineGradientList(input: inputGrad, scale: scaleGrad, shift: shiftGrad, shape: x.shape, needs: needs)
    }
}
