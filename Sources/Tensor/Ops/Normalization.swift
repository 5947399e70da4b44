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
        let moments = channelMoments(epsilon: epsilon)
        func run<T: TensorScalar>(_: T.Type) {
            let (px, po, pm) = (storage.typed(T.self), out.typed(T.self), moments.means.typed(T.self))
            let inverses = moments.inverses
            if plane == 1 {
                inverses.map { T($0) }.withUnsafeBufferPointer { buffer in
                    let inverse = buffer.baseAddress!
                    Tensor.forEachFeature(n: n, features: channels) { c, index in po[index] = (px[index] - pm[c]) * inverse[c] }
                }
                return
            }
            forEachRange(channels, minimum: Swift.max(1, (1 << 15) / perChannel)) { range in
                for c in range {
                    let (m, inverse) = (pm[c], T(inverses[c]))
                    for i in 0..<n {
                        let offset = (i * channels + c) * plane
                        let (row, target) = (px + offset, po + offset)
                        for k in 0..<plane { target[k] = (row[k] - m) * inverse }
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        let (means, variances, inverses) = (moments.means, moments.variances, moments.inverses)
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

    /// Per channel (axis 1) of [N, C, …]: the mean and the biased variance, taken in Float64
    /// (two passes: the mean, then centred squares, which keeps the variance exact enough for
    /// large activations with a small spread) and stored in the tensor's dtype, and
    /// 1/√(σ² + ε) in Float64.
    func channelMoments(epsilon: Double) -> (means: TensorStorage, variances: TensorStorage, inverses: [Double]) {
        let (n, channels) = (shape[0], shape[1])
        let plane = count / Swift.max(n * channels, 1)
        let perChannel = Double(n * plane)
        let means = TensorStorage(count: channels, dtype: dtype)
        let variances = TensorStorage(count: channels, dtype: dtype)
        var inverses = [Double](repeating: 0, count: channels)
        func run<T: TensorScalar>(_: T.Type) {
            let (px, pm, pv) = (storage.typed(T.self), means.typed(T.self), variances.typed(T.self))
            let sums = Tensor.channelSums(n: n, channels: channels, plane: plane, ValueTerm(x: px))
            let meansF64 = sums.map { $0.0 / perChannel }
            let squares = meansF64.withUnsafeBufferPointer { means in
                Tensor.channelSums(n: n, channels: channels, plane: plane, CentredSquareTerm(x: px, means: means.baseAddress!))
            }
            for c in 0..<channels {
                let variance = squares[c].0 / perChannel
                inverses[c] = 1 / (variance + epsilon).squareRoot()
                pm[c] = T(meansF64[c])
                pv[c] = T(variance)
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return (means, variances, inverses)
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
            let sums = Tensor.channelSums(n: n, channels: channels, plane: plane, GradientTerm(grad: pg, normalised: ph))
            if plane == 1 {
                // Per feature: mean g, mean g·x̂ and the inverse deviation, rounded as above.
                let constants = sums.map { T($0.0 / perChannel) } + sums.map { T($0.1 / perChannel) }
                    + inverseDeviations.map { T($0) }
                constants.withUnsafeBufferPointer { buffer in
                    let (gMean, gDot, scale) = (buffer.baseAddress!, buffer.baseAddress! + channels, buffer.baseAddress! + 2 * channels)
                    forEachFeature(n: n, features: channels) { c, index in
                        po[index] = (pg[index] - gMean[c] - ph[index] * gDot[c]) * scale[c]
                    }
                }
                return
            }
            forEachRange(channels, minimum: Swift.max(1, (1 << 15) / (n * plane))) { range in
                for c in range {
                    let (gradSum, gradDot) = sums[c]
                    let (gMean, gDot, scale) = (T(gradSum / perChannel), T(gradDot / perChannel), T(inverseDeviations[c]))
                    for i in 0..<n {
                        let offset = (i * channels + c) * plane
                        for k in 0..<plane {
                            po[offset + k] = (pg[offset + k] - gMean - ph[offset + k] * gDot) * scale
                        }
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

    /// Per channel c of an [N, C, plane] layout, two Float64 sums of term(index, c), in a
    /// fixed order that depends only on the shape (so not on how channels are shared out over
    /// the kernel threads). Planes of 4 or more values: each channel on its own, its elements
    /// in four lanes by their position in the plane (k mod 4, images in order; the last
    /// plane mod 4 values of each image's plane go to lane 0), the lanes added at the end as
    /// (0 + 1) + (2 + 3): contiguous quads the processor converts and adds as vectors, in
    /// eight independent chains.
    /// Planes of 2 or 3: four channels advance together, each a chain over the images then the
    /// plane. Groups of channels go to the kernel threads. Plane 1 ([N, C] features): the same
    /// chains, row by row (`rowMajorSums`).
    /// `term` is a value of a concrete type, not a closure: the parallel body captures it, and
    /// a captured closure would be called indirectly for every element on the worker threads.
    @inline(__always)
    static func channelSums<Term: ChannelSumTerm>(n: Int, channels: Int, plane: Int, _ term: Term) -> [(Double, Double)] {
        var sums = [(Double, Double)](repeating: (0, 0), count: channels)
        sums.withUnsafeMutableBufferPointer { buffer in
            let out = buffer.baseAddress!
            if plane == 1 {
                rowMajorSums(n: n, features: channels, into: out, term)
                return
            }
            if plane >= 4 {
                forEachRange(channels, minimum: Swift.max(1, (1 << 15) / Swift.max(1, n * plane))) { range in
                    for c in range { out[c] = laneSums(n: n, channels: channels, plane: plane, channel: c, term) }
                }
                return
            }
            let groups = (channels + 3) / 4
            forEachRange(groups, minimum: Swift.max(1, (1 << 15) / Swift.max(1, 4 * n * plane))) { range in
                for group in range {
                    var c = 4 * group
                    if c + 4 <= channels {
                        var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
                        var (b0, b1, b2, b3) = (0.0, 0.0, 0.0, 0.0)
                        for i in 0..<n {
                            let base = (i * channels + c) * plane
                            for k in 0..<plane {
                                let t0 = term(base + k, c), t1 = term(base + plane + k, c + 1)
                                let t2 = term(base + 2 * plane + k, c + 2), t3 = term(base + 3 * plane + k, c + 3)
                                a0 += t0.0; a1 += t1.0; a2 += t2.0; a3 += t3.0
                                b0 += t0.1; b1 += t1.1; b2 += t2.1; b3 += t3.1
                            }
                        }
                        (out[c], out[c + 1], out[c + 2], out[c + 3]) = ((a0, b0), (a1, b1), (a2, b2), (a3, b3))
                        continue
                    }
                    while c < channels {
                        var (a, b) = (0.0, 0.0)
                        for i in 0..<n {
                            let base = (i * channels + c) * plane
                            for k in 0..<plane {
                                let t = term(base + k, c)
                                a += t.0
                                b += t.1
                            }
                        }
                        out[c] = (a, b)
                        c += 1
                    }
                }
            }
        }
        return sums
    }

    /// `channelSums` of an [N, C] tensor (plane 1): each feature's chain runs over the rows in
    /// order from 0, as the four-channel groups add them, so the bits are the same; but rows
    /// are read whole, features contiguous, so the terms convert and add as vectors instead
    /// of one strided element per feature and row.
    @inline(__always)
    private static func rowMajorSums<Term: ChannelSumTerm>(n: Int, features: Int, into out: UnsafeMutablePointer<(Double, Double)>,
                                                           _ term: Term) {
        forEachRange(features, minimum: Swift.max(1, (1 << 15) / Swift.max(1, n))) { range in
            let width = range.count
            withUnsafeTemporaryAllocation(of: Double.self, capacity: 2 * width) { buffer in
                let (first, second) = (buffer.baseAddress!, buffer.baseAddress! + width)
                first.initialize(repeating: 0, count: 2 * width)
                for i in 0..<n {
                    let row = i * features + range.lowerBound
                    for j in 0..<width {
                        let t = term(row &+ j, range.lowerBound &+ j)
                        first[j] += t.0
                        second[j] += t.1
                    }
                }
                for j in 0..<width { out[range.lowerBound + j] = (first[j], second[j]) }
            }
        }
    }

    /// Calls `body(feature, index)` for every element of an [N, F] tensor (a batch norm over
    /// features, plane 1): rows outer, features contiguous inside, so per-feature rules run as
    /// vectors over a row; features are split over the kernel threads. Each element's value is
    /// whatever `body` computes for it, so the order changes no bit.
    @inline(__always)
    static func forEachFeature(n: Int, features: Int, _ body: (_ feature: Int, _ index: Int) -> Void) {
        forEachRange(features, minimum: Swift.max(1, (1 << 15) / Swift.max(1, n))) { range in
            for i in 0..<n {
                let row = i * features
                for c in range { body(c, row &+ c) }
            }
        }
    }

    /// One channel's two sums in four lanes by k mod 4 (see `channelSums`).
    @inline(__always)
    private static func laneSums<Term: ChannelSumTerm>(n: Int, channels: Int, plane: Int, channel c: Int,
                                                       _ term: Term) -> (Double, Double) {
        var (a0, a1, a2, a3) = (0.0, 0.0, 0.0, 0.0)
        var (b0, b1, b2, b3) = (0.0, 0.0, 0.0, 0.0)
        let quads = plane / 4 * 4
        for i in 0..<n {
            let base = (i * channels + c) * plane
            var k = 0
            while k < quads {
                // Wrapping index arithmetic: overflow checks between the four would keep the
                // loads from merging into one vector load (indices stay below count).
                let at = base &+ k
                let t0 = term(at, c), t1 = term(at &+ 1, c), t2 = term(at &+ 2, c), t3 = term(at &+ 3, c)
                a0 += t0.0; a1 += t1.0; a2 += t2.0; a3 += t3.0
                b0 += t0.1; b1 += t1.1; b2 += t2.1; b3 += t3.1
                k &+= 4
            }
            while k < plane {
                let t = term(base + k, c)
                a0 += t.0; b0 += t.1
                k += 1
            }
        }
        return ((a0 + a1) + (a2 + a3), (b0 + b1) + (b2 + b3))
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

/// The summands of `Tensor.channelSums`: two values for element `index` of channel `channel`.
protocol ChannelSumTerm {
    func callAsFunction(_ index: Int, _ channel: Int) -> (Double, Double)
}

/// (x, 0): the channel sums of x.
struct ValueTerm<T: TensorScalar>: ChannelSumTerm {
    let x: UnsafeMutablePointer<T>
    @inline(__always)
    func callAsFunction(_ index: Int, _ channel: Int) -> (Double, Double) { (Double(x[index]), 0) }
}

/// ((x − mean_c)², 0) in Float64: the centred squares of the variance.
struct CentredSquareTerm<T: TensorScalar>: ChannelSumTerm {
    let x: UnsafeMutablePointer<T>
    let means: UnsafePointer<Double>
    @inline(__always)
    func callAsFunction(_ index: Int, _ channel: Int) -> (Double, Double) {
        let d = Double(x[index]) - means[channel]
        return (d * d, 0)
    }
}

/// (g, g·x̂): the sums of batch norm's first-order rule.
struct GradientTerm<T: TensorScalar>: ChannelSumTerm {
    let grad: UnsafeMutablePointer<T>
    let normalised: UnsafeMutablePointer<T>
    @inline(__always)
    func callAsFunction(_ index: Int, _ channel: Int) -> (Double, Double) {
        let gk = Double(grad[index])
        return (gk, gk * Double(normalised[index]))
    }
}

/// (g, g·x̂) with x̂ = (x − mean_c)·inverse_c computed in the tensor's dtype, as batch norm's
/// forward pass computes it: the sums of the fused batch norm + affine backward.
struct AffineGradientTerm<T: TensorScalar>: ChannelSumTerm {
    let x: UnsafeMutablePointer<T>
    let grad: UnsafeMutablePointer<T>
    let means: UnsafeMutablePointer<T>
    let inverses: UnsafePointer<T>
    @inline(__always)
    func callAsFunction(_ index: Int, _ channel: Int) -> (Double, Double) {
        let normalised = (x[index] - means[channel]) * inverses[channel]
        let gk = Double(grad[index])
        return (gk, gk * Double(normalised))
    }
}
