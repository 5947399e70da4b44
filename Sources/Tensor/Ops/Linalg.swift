/// Matrix products through BLAS, and the fused affine map used by `Linear`.
extension Tensor {
    /// op(A)·op(B) for rank-2 tensors, or batched over a leading axis when either is rank 3
    /// (a rank-2 operand is shared across the batch).
    public func matmul(_ other: Tensor, transposeSelf: Bool = false, transposeOther: Bool = false) -> Tensor {
        Tensor.matmul(self, other, transA: transposeSelf, transB: transposeOther)
    }

    static func matmul(_ a: Tensor, _ b: Tensor, transA: Bool, transB: Bool) -> Tensor {
        precondition(a.dtype == b.dtype, "matmul: dtypes differ (\(a.dtype) and \(b.dtype))")
        precondition((a.rank == 2 || a.rank == 3) && (b.rank == 2 || b.rank == 3),
                     "matmul: operands must be rank 2 or 3, got \(a.shape) and \(b.shape)")
        let batch = a.rank == 3 ? a.shape[0] : (b.rank == 3 ? b.shape[0] : 0)
        if a.rank == 3 && b.rank == 3 {
            precondition(a.shape[0] == b.shape[0], "matmul: batch sizes differ, \(a.shape) and \(b.shape)")
        }
        let (ar, ac) = (a.shape[a.rank - 2], a.shape[a.rank - 1])
        let (br, bc) = (b.shape[b.rank - 2], b.shape[b.rank - 1])
        let (m, k) = transA ? (ac, ar) : (ar, ac)
        let (k2, n) = transB ? (bc, br) : (br, bc)
        precondition(k == k2, "matmul: inner dimensions differ: \(a.shape)\(transA ? "ᵀ" : "") · \(b.shape)\(transB ? "ᵀ" : "") (\(k) vs \(k2))")
        let outShape = batch > 0 ? [batch, m, n] : [m, n]
        let out = TensorStorage(count: ShapeMath.count(outShape), dtype: a.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let pa = a.storage.typed(T.self), pb = b.storage.typed(T.self), pc = out.typed(T.self)
            let strideA = a.rank == 3 ? ar * ac : 0, strideB = b.rank == 3 ? br * bc : 0
            for i in 0..<Swift.max(batch, 1) {
                BlockedGEMM.run(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 1, pa + i * strideA, lda: ac,
                                pb + i * strideB, ldb: bc, beta: 0, pc + i * m * n, ldc: n)
            }
        }
        switch a.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return record("matmul", output: out, shape: outShape, inputs: [a, b]) { ctx in
            let (x, y, g) = (ctx.inputs[0], ctx.inputs[1], ctx.grad)
            var ga: Tensor? = nil, gb: Tensor? = nil
            if ctx.needsGrad[0] {
                // C = op(A)op(B): dA follows from dC·op(B)ᵀ, transposed back when A was.
                ga = transA ? matmul(y, g, transA: transB, transB: true) : matmul(g, y, transA: false, transB: !transB)
                if ga!.rank == 3 && x.rank == 2 { ga = ga!.sum(axis: 0) }
            }
            if ctx.needsGrad[1] {
                gb = transB ? matmul(g, x, transA: true, transB: transA) : matmul(x, g, transA: !transA, transB: false)
                if gb!.rank == 3 && y.rank == 2 { gb = gb!.sum(axis: 0) }
            }
            return [ga, gb]
        }
    }

    /// x·Wᵀ + b, the affine map with PyTorch's weight layout [out, in]: one GEMM whose output
    /// starts as the broadcast bias (beta = 1), so no separate bias pass is needed.
    public static func linear(_ x: Tensor, weight w: Tensor, bias b: Tensor?) -> Tensor {
        precondition(x.rank == 2 && w.rank == 2, "linear: input \(x.shape) and weight \(w.shape) must be rank 2")
        precondition(x.shape[1] == w.shape[1],
                     "linear: input has \(x.shape[1]) features but weight \(w.shape) expects \(w.shape[1])")
        precondition(x.dtype == w.dtype && (b == nil || b!.dtype == x.dtype), "linear: dtypes differ")
        let (m, k, n) = (x.shape[0], x.shape[1], w.shape[0])
        if let b { precondition(b.shape == [n], "linear: bias shape \(b.shape) does not match \(n) outputs") }
        let out = TensorStorage(count: m * n, dtype: x.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            let pc = out.typed(T.self)
            if let b {
                let pb = b.storage.typed(T.self)
                for i in 0..<m { (pc + i * n).update(from: pb, count: n) }
            }
            BlockedGEMM.run(transA: false, transB: true, m: m, n: n, k: k, alpha: 1, x.storage.typed(T.self), lda: k,
                            w.storage.typed(T.self), ldb: k, beta: b == nil ? 0 : 1, pc, ldc: n, splitRows: false)
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        let inputs = b.map { [x, w, $0] } ?? [x, w]
        return record("linear", output: out, shape: [m, n], inputs: inputs) { ctx in
            let g = ctx.grad
            var result: [Tensor?] = [
                ctx.needsGrad[0] ? matmul(g, ctx.inputs[1], transA: false, transB: false) : nil,
                ctx.needsGrad[1] ? matmul(g, ctx.inputs[0], transA: true, transB: false) : nil,
            ]
            if ctx.inputs.count == 3 { result.append(ctx.needsGrad[2] ? g.sum(axis: 0) : nil) }
            return result
        }
    }

    /// Inner product of two equally shaped tensors (rank 0).
    public func dot(_ other: Tensor) -> Tensor { (self * other).sum() }
}
