/// Sums, means, maxima and log-sum-exp along axes; broadcasting (`expanded`) and its adjoint
/// (`sum(toShape:)`), which every broadcasting op's backward uses.
extension Tensor {
    func reduceStorage(_ mode: ReduceMode, axis: Int, argmax: UnsafeMutablePointer<Int>? = nil) -> (TensorStorage, [Int]) {
        let outer = ShapeMath.count(Array(shape[..<axis]))
        let n = shape[axis]
        let inner = ShapeMath.count(Array(shape[(axis + 1)...]))
        var outShape = shape
        outShape[axis] = 1
        let out = TensorStorage(count: outer * inner, dtype: dtype)
        if n == 0 {
            precondition(mode == .sum, "max: cannot reduce an empty axis \(axis) of shape \(shape)")
            out.pointer.initializeMemory(as: UInt8.self, repeating: 0, count: outer * inner * dtype.byteSize)
            return (out, outShape)
        }
        switch dtype {
        case .float32:
            reduceKernel(mode, storage.typed(Float.self), outer: outer, n: n, inner: inner, out.typed(Float.self), argmax: argmax)
        case .float64:
            reduceKernel(mode, storage.typed(Double.self), outer: outer, n: n, inner: inner, out.typed(Double.self), argmax: argmax)
        }
        return (out, outShape)
    }

    /// Sum over all elements: a rank-0 tensor.
    public func sum() -> Tensor {
        reshaped([count]).sum(axes: [0])
    }

    /// Sum over `axes` (negative axes count from the end).
    public func sum(axes: [Int], keepDims: Bool = false) -> Tensor {
        let resolved = Set(axes.map { ShapeMath.axis($0, rank: rank, op: "sum") })
        var keptShape = shape
        for a in resolved { keptShape[a] = 1 }
        let finalShape = keepDims ? keptShape : shape.enumerated().filter { !resolved.contains($0.offset) }.map(\.element)
        // Reduce one axis at a time, from the last, on plain data; record a single node.
        var current = self.detached()
        for a in resolved.sorted(by: >) where shape[a] != 1 {
            let (out, outShape) = current.reduceStorage(.sum, axis: a)
            current = Tensor(storage: out, shape: outShape)
        }
        let inputShape = shape, kept = keptShape
        return Tensor.record("sum", output: current.storage, shape: finalShape, inputs: [self]) { ctx in
            [ctx.grad.reshaped(kept).expanded(to: inputShape)]
        }
    }

    public func sum(axis: Int, keepDims: Bool = false) -> Tensor { sum(axes: [axis], keepDims: keepDims) }

    public func mean() -> Tensor { sum() * (1 / Double(Swift.max(count, 1))) }

    public func mean(axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = axes.map { shape[ShapeMath.axis($0, rank: rank, op: "mean")] }.reduce(1, *)
        return sum(axes: axes, keepDims: keepDims) * (1 / Double(Swift.max(n, 1)))
    }

    public func mean(axis: Int, keepDims: Bool = false) -> Tensor { mean(axes: [axis], keepDims: keepDims) }

    /// Maximum along one axis; the gradient flows to the first maximal element.
    public func max(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = ShapeMath.axis(axis, rank: rank, op: "max")
        let (values, indices) = maxWithIndices(axis: a)
        var outShape = shape
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        let inputShape = shape
        return Tensor.record("max", output: values.storage, shape: outShape, inputs: [self]) { ctx in
            var kept = inputShape
            kept[a] = 1
            return [ctx.grad.reshaped(kept).placed(along: a, at: indices, size: inputShape[a])]
        }
    }

    /// Zeros of this shape with axis `axis` grown to `size`, holding this tensor's entries at
    /// the positions `indices` along that axis (one index per position of the other axes):
    /// max's backward, without materialising a one-hot mask. Its adjoint is `picked`.
    func placed(along axis: Int, at indices: [Int], size: Int) -> Tensor {
        precondition(shape[axis] == 1, "placed(along:): axis \(axis) of \(shape) must have length 1")
        let outer = ShapeMath.count(Array(shape[..<axis])), inner = ShapeMath.count(Array(shape[(axis + 1)...]))
        var outShape = shape
        outShape[axis] = size
        let out = TensorStorage(zeros: ShapeMath.count(outShape), dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.typed(T.self)
            for o in 0..<outer {
                for j in 0..<inner {
                    d[(o * size + indices[o * inner + j]) * inner + j] = s[o * inner + j]
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return Tensor.record("place_along", output: out, shape: outShape, inputs: [self]) { ctx in
            [ctx.grad.picked(along: axis, at: indices)]
        }
    }

    /// The entries at `indices` along `axis` (that axis shrinks to length 1); the adjoint of
    /// `placed(along:at:size:)`.
    func picked(along axis: Int, at indices: [Int]) -> Tensor {
        let size = shape[axis]
        let outer = ShapeMath.count(Array(shape[..<axis])), inner = ShapeMath.count(Array(shape[(axis + 1)...]))
        var outShape = shape
        outShape[axis] = 1
        let out = TensorStorage(count: outer * inner, dtype: dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.typed(T.self)
            for o in 0..<outer {
                for j in 0..<inner {
                    d[o * inner + j] = s[(o * size + indices[o * inner + j]) * inner + j]
                }
            }
        }
        switch dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return Tensor.record("pick_along", output: out, shape: outShape, inputs: [self]) { ctx in
            [ctx.grad.placed(along: axis, at: indices, size: size)]
        }
    }

    /// Maximum of all elements (rank 0).
    public func max() -> Tensor { reshaped([count]).max(axis: 0) }

    /// Index of the maximum along `axis` (first one at ties).
    public func argmax(axis: Int) -> [Int] {
        maxWithIndices(axis: ShapeMath.axis(axis, rank: rank, op: "argmax")).1
    }

    func maxWithIndices(axis: Int) -> (Tensor, [Int]) {
        let outer = ShapeMath.count(Array(shape[..<axis])), inner = ShapeMath.count(Array(shape[(axis + 1)...]))
        var indices = [Int](repeating: 0, count: outer * inner)
        let (out, outShape) = indices.withUnsafeMutableBufferPointer { reduceStorage(.max, axis: axis, argmax: $0.baseAddress) }
        return (Tensor(storage: out, shape: outShape), indices)
    }

    /// log Σ exp along `axis`, computed stably (shifted by the maximum).
    public func logSumExp(axis: Int, keepDims: Bool = false) -> Tensor {
        let a = ShapeMath.axis(axis, rank: rank, op: "logSumExp")
        let plain = detached()
        let m = plain.max(axis: a, keepDims: true)
        let shiftedMax = Tensor.where(m.isFiniteMask(), m, m.zerosLike())
        let lse = (plain - shiftedMax).exp().sum(axis: a, keepDims: true).log() + shiftedMax
        var outShape = shape
        if keepDims { outShape[a] = 1 } else { outShape.remove(at: a) }
        let inputShape = shape
        return Tensor.record("logsumexp", output: lse.storage, shape: outShape, inputs: [self]) { ctx in
            var kept = inputShape
            kept[a] = 1
            let softmax = (ctx.inputs[0] - ctx.output.reshaped(kept)).exp()
            return [ctx.grad.reshaped(kept) * softmax]
        }
    }

    /// Softmax along `axis`.
    public func softmax(axis: Int) -> Tensor { logSoftmax(axis: axis).exp() }

    /// log-softmax along `axis`.
    public func logSoftmax(axis: Int) -> Tensor { self - logSumExp(axis: axis, keepDims: true) }

    /// 1 where finite, else 0 (no gradient).
    func isFiniteMask() -> Tensor {
        let out = TensorStorage(count: count, dtype: dtype)
        switch dtype {
        case .float32:
            let s = storage.typed(Float.self), d = out.typed(Float.self)
            for i in 0..<count { d[i] = s[i].isFinite ? 1 : 0 }
        case .float64:
            let s = storage.typed(Double.self), d = out.typed(Double.self)
            for i in 0..<count { d[i] = s[i].isFinite ? 1 : 0 }
        }
        return Tensor(storage: out, shape: shape)
    }

    /// Broadcasts to `target` (materialised). The adjoint is `sum(toShape:)`.
    public func expanded(to target: [Int]) -> Tensor {
        if shape == target { return self }
        precondition(target.count >= rank && ShapeMath.broadcast(shape, target, op: "expanded(to:)") == target,
                     "expanded(to:): shape \(shape) cannot be broadcast to \(target)")
        let out = TensorStorage(count: ShapeMath.count(target), dtype: dtype)
        switch dtype {
        case .float32: expandKernel(storage.typed(Float.self), shape, out.typed(Float.self), target)
        case .float64: expandKernel(storage.typed(Double.self), shape, out.typed(Double.self), target)
        }
        let source = shape
        return Tensor.record("expand", output: out, shape: target, inputs: [self]) { ctx in
            [ctx.grad.sum(toShape: source)]
        }
    }

    /// Sums a broadcast result back to `target`: leading axes and axes where `target` is 1.
    public func sum(toShape target: [Int]) -> Tensor {
        if shape == target { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "sum(toShape:): cannot reduce shape \(shape) to larger rank \(target)")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[i + lead] != 1 { axes.append(i + lead) }
        for (i, d) in target.enumerated() {
            precondition(d == 1 || d == shape[i + lead], "sum(toShape:): shape \(shape) does not broadcast from \(target)")
        }
        return sum(axes: axes, keepDims: true).reshaped(target)
    }

    /// Elementwise selection: `a` where `condition` ≠ 0, else `b`, all broadcast together.
    /// Differentiable in `a` and `b`; the condition is treated as a constant.
    public static func `where`(_ condition: Tensor, _ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.dtype == b.dtype && condition.dtype == a.dtype,
                     "where: dtypes differ (condition \(condition.dtype), a \(a.dtype), b \(b.dtype))")
        let shape = ShapeMath.broadcast(ShapeMath.broadcast(condition.shape, a.shape, op: "where"), b.shape, op: "where")
        let c = condition.detached().expanded(to: shape), x = a.detached().expanded(to: shape), y = b.detached().expanded(to: shape)
        let out = TensorStorage(count: ShapeMath.count(shape), dtype: a.dtype)
        let n = out.count
        switch a.dtype {
        case .float32:
            let cp = c.storage.typed(Float.self), xp = x.storage.typed(Float.self), yp = y.storage.typed(Float.self)
            let o = out.typed(Float.self)
            for i in 0..<n { o[i] = cp[i] != 0 ? xp[i] : yp[i] }
        case .float64:
            let cp = c.storage.typed(Double.self), xp = x.storage.typed(Double.self), yp = y.storage.typed(Double.self)
            let o = out.typed(Double.self)
            for i in 0..<n { o[i] = cp[i] != 0 ? xp[i] : yp[i] }
        }
        let cond = condition.detached()
        return record("where", output: out, shape: shape, inputs: [a, b]) { ctx in
            let zero = ctx.grad.zerosLike()
            return [ctx.needsGrad[0] ? Tensor.where(cond, ctx.grad, zero).sum(toShape: ctx.inputs[0].shape) : nil,
                    ctx.needsGrad[1] ? Tensor.where(cond, zero, ctx.grad).sum(toShape: ctx.inputs[1].shape) : nil]
        }
    }

    /// L2 norm over `axes` (all axes when nil). The gradient at a zero vector is zero, as in
    /// PyTorch, so per-sample gradient penalties never produce NaN.
    public func norm(axes: [Int]? = nil, keepDims: Bool = false) -> Tensor {
        let axes = axes ?? Array(0..<rank)
        let plain = detached()
        let value = plain.squared().sum(axes: axes, keepDims: keepDims).sqrt()
        var keptShape = shape
        for a in axes { keptShape[ShapeMath.axis(a, rank: rank, op: "norm")] = 1 }
        let kept = keptShape
        return Tensor.record("norm", output: value.storage, shape: value.shape, inputs: [self]) { ctx in
            let n = ctx.output.reshaped(kept)
            let safe = Tensor.where(n.greater(0), n, Tensor.full([], .infinity, dtype: n.dtype))
            return [ctx.inputs[0] * (ctx.grad.reshaped(kept) / safe)]
        }
    }
}
