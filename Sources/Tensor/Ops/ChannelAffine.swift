/// Per-channel scale and shift (axis 1), and per-channel sums: batch norm's affine step and
/// the bias gradient of convolutions as single passes split over the kernel threads.
///
/// Composed from broadcast ops, x·γ + β costs two passes forward, and its backward four
/// more, three of them serial (the broadcast multiply and the two reductions to [1, C, 1, 1]).
/// These ops give the same bits as that composition: the same one rounding per product and
/// sum forward, and the reductions in `sum(toShape:)`'s order (`OrderedChannelSums`).
extension Tensor {
    /// y = x·scale_c + shift_c for x [N, C, …] and scale, shift [C]. Differentiable to every
    /// order: first-order gradients of plain data come from one fused pass, gradients that
    /// carry a graph (a gradient penalty through a batch norm) from the composed rule.
    public func channelAffine(scale: Tensor, shift: Tensor) -> Tensor {
        precondition(rank >= 2, "channelAffine: input must be [N, C, …], got \(shape)")
        let channels = shape[1]
        precondition(scale.shape == [channels] && shift.shape == [channels],
                     "channelAffine: scale \(scale.shape) and shift \(shift.shape) must both be [\(channels)] for input \(shape)")
        precondition(scale.dtype == dtype && shift.dtype == dtype,
                     "channelAffine: dtypes differ (input \(dtype), scale \(scale.dtype), shift \(shift.dtype))")
        let n = shape[0]
        let plane = count / Swift.max(n * channels, 1)
        let out = TensorStorage(count: count, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let (px, ps, pb, po) = (storage.typed(T.self), scale.storage.typed(T.self), shift.storage.typed(T.self), out.typed(T.self))
            forEachRange(channels, minimum: Swift.max(1, (1 << 15) / Swift.max(1, n * plane))) { range in
                for c in range {
                    let (s, b) = (ps[c], pb[c])
                    for i in 0..<n {
                        let offset = (i * channels + c) * plane
                        for k in 0..<plane {
                            // Two roundings, as x·γ and then + β (no fused multiply-add).
                            let product = px[offset + k] * s
                            po[offset + k] = product + b
                        }
                    }
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return Tensor.record("channel_affine", output: out, shape: shape, inputs: [self, scale, shift]) { ctx in
            let (x, s, g) = (ctx.inputs[0], ctx.inputs[1], ctx.grad)
            if x.node == nil && s.node == nil && g.node == nil {
                return Tensor.channelAffineGradients(x: x, scale: s, grad: g, needs: ctx.needsGrad)
            }
            var broadcastShape = [Int](repeating: 1, count: x.rank)
            broadcastShape[1] = x.shape[1]
            return [ctx.needsGrad[0] ? g * s.reshaped(broadcastShape) : nil,
                    ctx.needsGrad[1] ? (g * x).sum(toShape: broadcastShape).reshaped([x.shape[1]]) : nil,
                    ctx.needsGrad[2] ? g.sum(toShape: broadcastShape).reshaped([x.shape[1]]) : nil]
        }
    }

    /// The fused first-order rule on plain data, in one pass per channel: ∂x = g·scale_c,
    /// ∂scale_c = Σ g·x and ∂shift_c = Σ g, summed as `sum(toShape:)` sums.
    private static func channelAffineGradients(x: Tensor, scale: Tensor, grad g: Tensor, needs: [Bool]) -> [Tensor?] {
        let channels = x.shape[1]
        let plane = x.count / Swift.max(x.shape[0] * channels, 1)
        let inputGrad = needs[0] ? TensorStorage(count: x.count, dtype: x.dtype) : nil
        let scaleGrad = TensorStorage(count: channels, dtype: x.dtype)
        let shiftGrad = TensorStorage(count: channels, dtype: x.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let (px, ps, pg) = (x.storage.typed(T.self), scale.storage.typed(T.self), g.storage.typed(T.self))
            let pi = inputGrad?.typed(T.self)
            OrderedChannelSums.run(shape: x.shape, scaleGrad.typed(T.self), shiftGrad.typed(T.self)) { c, offset, products, _ in
                let s = ps[c]
                for k in 0..<plane {
                    let gk = pg[offset + k]
                    products[k] = gk * px[offset + k]
                    pi?[offset + k] = gk * s
                }
                // ∂shift sums the gradient itself: read in place.
                return (UnsafePointer(products), UnsafePointer(pg + offset))
            }
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return affineGradientList(input: inputGrad, scale: scaleGrad, shift: shiftGrad, shape: x.shape, needs: needs)
    }

    /// The gradient list of an op with inputs (x, scale [C], shift [C]): ∂x when it was
    /// computed, ∂scale and ∂shift when they were asked for.
    static func affineGradientList(input: TensorStorage?, scale: TensorStorage, shift: TensorStorage, shape: [Int],
                                   needs: [Bool]) -> [Tensor?] {
        [input.map { Tensor(storage: $0, shape: shape) },
         needs[1] ? Tensor(storage: scale, shape: [shape[1]]) : nil,
         needs[2] ? Tensor(storage: shift, shape: [shape[1]]) : nil]
    }

    /// Σ over every axis but 1: [N, C, …] → [C], the same bits as
    /// `sum(toShape: [1, C, 1, …]).reshaped([C])`, with the channels split over the kernel
    /// threads. Its gradient broadcasts back, as a sum's does.
    public func sumPerChannel() -> Tensor {
        precondition(rank >= 2, "sumPerChannel: input must be [N, C, …], got \(shape)")
        let channels = shape[1]
        let out = TensorStorage(count: channels, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let px = storage.typed(T.self)
            OrderedChannelSums.run(shape: shape, out.typed(T.self), nil) { _, offset, _, _ in
                (UnsafePointer(px + offset), UnsafePointer(px + offset))
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        // Recorded as the composition records it, a kept-dimensions sum and then a reshape:
        // the graph's shape fixes the order in which a tensor's gradient contributions are
        // added, so the same shape keeps whole training runs bit for bit.
        var keptShape = [Int](repeating: 1, count: rank)
        keptShape[1] = channels
        let (kept, inputShape) = (keptShape, shape)
        return Tensor.record("sum", output: out, shape: kept, inputs: [self]) { ctx in
            [ctx.grad.reshaped(kept).expanded(to: inputShape)]
        }.reshaped([channels])
    }
}
