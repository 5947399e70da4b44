/// Reshaping, permuting, concatenating, slicing and row gathering.
extension Tensor {
    /// Same elements, new shape (one dimension may be −1 and is inferred). Shares storage.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var resolved = newShape
        if let inferred = newShape.firstIndex(of: -1) {
            let known = newShape.enumerated().filter { $0.offset != inferred }.map(\.element).reduce(1, *)
            precondition(known > 0 && count % known == 0,
                         "reshaped: cannot infer a dimension to reshape \(shape) (\(count) elements) to \(newShape)")
            resolved[inferred] = count / known
        }
        precondition(ShapeMath.count(resolved) == count,
                     "reshaped: shape \(shape) (\(count) elements) cannot become \(newShape) (\(ShapeMath.count(resolved)) elements)")
        if resolved == shape { return self }
        let source = shape
        return Tensor.record("reshape", output: storage, shape: resolved, inputs: [self]) { ctx in
            [ctx.grad.reshaped(source)]
        }
    }

    /// Flattens all axes from `start` on into one.
    public func flattened(from start: Int = 1) -> Tensor {
        let s = ShapeMath.axis(start, rank: rank, op: "flattened")
        return reshaped(Array(shape[..<s]) + [ShapeMath.count(Array(shape[s...]))])
    }

    /// Inserts an axis of length 1.
    public func unsqueezed(at axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "unsqueezed: axis \(axis) out of range for rank \(rank)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Reorders axes: result axis i is input axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.count == rank && Set(axes) == Set(0..<rank),
                     "permuted: \(axes) is not a permutation of the \(rank) axes of shape \(shape)")
        if axes == Array(0..<rank) { return self }
        let outShape = axes.map { shape[$0] }
        let inStrides = ShapeMath.strides(shape)
        let strides = axes.map { inStrides[$0] }
        let out = TensorStorage(count: count, dtype: dtype)
        switch dtype {
        case .float32: stridedCopyKernel(storage.typed(Float.self), strides, out.typed(Float.self), outShape)
        case .float64: stridedCopyKernel(storage.typed(Double.self), strides, out.typed(Double.self), outShape)
        }
        var inverseAxes = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverseAxes[a] = i }
        let inverse = inverseAxes
        return Tensor.record("permute", output: out, shape: outShape, inputs: [self]) { ctx in
            [ctx.grad.permuted(inverse)]
        }
    }

    /// Matrix transpose (rank 2), or swaps the last two axes (rank ≥ 2).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed: needs rank ≥ 2, got shape \(shape)")
        var axes = Array(0..<rank)
        axes.swapAt(rank - 1, rank - 2)
        return permuted(axes)
    }

    /// Joins tensors along `axis`; all other dimensions must agree.
    public static func concat(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concat: no tensors given")
        let first = tensors[0]
        let a = ShapeMath.axis(axis, rank: first.rank, op: "concat")
        for (i, t) in tensors.enumerated() {
            precondition(t.dtype == first.dtype, "concat: tensor \(i) is \(t.dtype), tensor 0 is \(first.dtype)")
            precondition(t.rank == first.rank && (0..<t.rank).allSatisfy { $0 == a || t.shape[$0] == first.shape[$0] },
                         "concat: tensor \(i) has shape \(t.shape), incompatible with \(first.shape) along axis \(a)")
        }
        var outShape = first.shape
        outShape[a] = tensors.reduce(0) { $0 + $1.shape[a] }
        let outer = ShapeMath.count(Array(first.shape[..<a]))
        let inner = ShapeMath.count(Array(first.shape[(a + 1)...]))
        let out = TensorStorage(count: ShapeMath.count(outShape), dtype: first.dtype)
        let bytes = first.dtype.byteSize
        let rowOut = outShape[a] * inner * bytes
        var offset = 0
        for t in tensors {
            let chunk = t.shape[a] * inner * bytes
            for o in 0..<outer {
                (out.pointer + o * rowOut + offset).copyMemory(from: t.storage.pointer + o * chunk, byteCount: chunk)
            }
            offset += chunk
        }
        let sizes = tensors.map { $0.shape[a] }
        return record("concat", output: out, shape: outShape, inputs: tensors) { ctx in
            var start = 0
            return sizes.enumerated().map { i, size in
                defer { start += size }
                return ctx.needsGrad[i] ? ctx.grad.slice(axis: a, start ..< start + size) : nil
            }
        }
    }

    /// Stacks equally shaped tensors along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        concat(tensors.map { $0.unsqueezed(at: axis) }, axis: axis)
    }

    /// The elements with index in `range` along `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = ShapeMath.axis(axis, rank: rank, op: "slice")
        precondition(range.lowerBound >= 0 && range.upperBound <= shape[a],
                     "slice: range \(range) out of bounds for axis \(a) of size \(shape[a]) (shape \(shape))")
        if range.count == shape[a] { return self }
        var outShape = shape
        outShape[a] = range.count
        let outer = ShapeMath.count(Array(shape[..<a])), inner = ShapeMath.count(Array(shape[(a + 1)...]))
        let bytes = dtype.byteSize
        let out = TensorStorage(count: ShapeMath.count(outShape), dtype: dtype)
        let chunk = range.count * inner * bytes, row = shape[a] * inner * bytes
        for o in 0..<outer {
            (out.pointer + o * chunk).copyMemory(from: storage.pointer + o * row + range.lowerBound * inner * bytes, byteCount: chunk)
        }
        let full = shape
        return Tensor.record("slice", output: out, shape: outShape, inputs: [self]) { ctx in
            [ctx.grad.embedded(into: full, axis: a, at: range.lowerBound)]
        }
    }

    /// Places this tensor into zeros of shape `full` at offset `start` along `axis`
    /// (the adjoint of `slice`).
    public func embedded(into full: [Int], axis: Int, at start: Int) -> Tensor {
        let a = ShapeMath.axis(axis, rank: rank, op: "embedded")
        precondition(full.count == rank && start >= 0 && start + shape[a] <= full[a]
                        && (0..<rank).allSatisfy { $0 == a || shape[$0] == full[$0] },
                     "embedded: shape \(shape) does not fit into \(full) at \(start) along axis \(axis)")
        let outer = ShapeMath.count(Array(shape[..<a])), inner = ShapeMath.count(Array(shape[(a + 1)...]))
        let bytes = dtype.byteSize
        let out = TensorStorage(zeros: ShapeMath.count(full), dtype: dtype)
        let chunk = shape[a] * inner * bytes, row = full[a] * inner * bytes
        for o in 0..<outer {
            (out.pointer + o * row + start * inner * bytes).copyMemory(from: storage.pointer + o * chunk, byteCount: chunk)
        }
        let length = shape[a]
        return Tensor.record("embed", output: out, shape: full, inputs: [self]) { ctx in
            [ctx.grad.slice(axis: a, start ..< start + length)]
        }
    }

    /// Rows (entries along axis 0) at `indices`, in that order; indices may repeat.
    public func gathering(rows indices: [Int]) -> Tensor {
        precondition(rank >= 1, "gathering(rows:): needs rank ≥ 1")
        let rowCount = shape[0]
        let rowBytes = (count / Swift.max(rowCount, 1)) * dtype.byteSize
        var outShape = shape
        outShape[0] = indices.count
        let out = TensorStorage(count: ShapeMath.count(outShape), dtype: dtype)
        for (i, r) in indices.enumerated() {
            precondition(r >= 0 && r < rowCount, "gathering(rows:): index \(r) out of range for \(rowCount) rows")
            (out.pointer + i * rowBytes).copyMemory(from: storage.pointer + r * rowBytes, byteCount: rowBytes)
        }
        return Tensor.record("gather_rows", output: out, shape: outShape, inputs: [self]) { ctx in
            [ctx.grad.scatteringRows(indices, rowCount: rowCount)]
        }
    }

    /// Adds row i of this tensor into row `indices[i]` of zeros with `rowCount` rows
    /// (the adjoint of `gathering(rows:)`).
    public func scatteringRows(_ indices: [Int], rowCount: Int) -> Tensor {
        precondition(shape[0] == indices.count, "scatteringRows: \(indices.count) indices for \(shape[0]) rows")
        var outShape = shape
        outShape[0] = rowCount
        let out = TensorStorage(zeros: ShapeMath.count(outShape), dtype: dtype)
        let width = count / Swift.max(shape[0], 1)
        func scatter<T: TensorScalar>(_: T.Type) {
            let s = storage.typed(T.self), d = out.typed(T.self)
            for (i, r) in indices.enumerated() {
                precondition(r >= 0 && r < rowCount, "scatteringRows: index \(r) out of range for \(rowCount) rows")
                for j in 0..<width { d[r * width + j] += s[i * width + j] }
            }
        }
        switch dtype {
        case .float32: scatter(Float.self)
        case .float64: scatter(Double.self)
        }
        return Tensor.record("scatter_rows", output: out, shape: outShape, inputs: [self]) { ctx in
            [ctx.grad.gathering(rows: indices)]
        }
    }
}
