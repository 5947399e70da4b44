import Testing
@testable import Tensor

/// `evaluate()` on one kernel thread, then on two; the count is back at one afterwards.
/// For the tests that compare the two results bit for bit.
func onOneThreadAndTwo<T>(_ evaluate: () -> T) -> (one: T, two: T) {
    defer { KernelThreads.set(1) }
    KernelThreads.set(1)
    let one = evaluate()
    KernelThreads.set(2)
    return (one, evaluate())
}

/// Reproducibility: Equilibrium pins OpenBLAS to one thread (threaded OpenBLAS changes the
/// last bits of a GEMM with the thread count), so the same inputs give bit-identical results
/// on every call and every machine; random tensors depend only on (key, element index).
@Suite(.serialized)
struct ThreadDeterminismTests {
    @Test func blasIsPinnedToOneThreadByDefault() {
        _ = Tensor.ones([2, 2]).matmul(Tensor.ones([2, 2]))
        #expect(BLASThreads.current == 1)
    }

    @Test func repeatedProductsAndConvolutionsAreBitIdentical() {
        var key = RandomKey(seed: 11)
        let a = Tensor.normal([300, 257], key: key.split()), b = Tensor.normal([257, 190], key: key.split())
        let x = Tensor.normal([4, 3, 17, 17], key: key.split()), w = Tensor.normal([8, 3, 3, 3], key: key.split())
        #expect(a.matmul(b).floats == a.matmul(b).floats)
        #expect(Tensor.conv2d(x, weight: w, stride: 2, padding: 1).floats
                == Tensor.conv2d(x, weight: w, stride: 2, padding: 1).floats)
    }

    @Test func randomTensorsDependOnlyOnKeyAndIndex() {
        let key = RandomKey(seed: 5)
        let long = Tensor.normal([1001], key: key).floats
        let short = Tensor.normal([37], key: key).floats
        #expect(Array(long.prefix(37)) == short)
        let longUniform = Tensor.uniform([999], key: key, dtype: .float64).doubles
        #expect(Array(longUniform.prefix(5)) == Tensor.uniform([5], key: key, dtype: .float64).doubles)
    }
}

/// The batch-norm and element-wise kernels split their work over `KernelThreads`; large
/// enough inputs to engage the threads give the same bits on one thread and two, forward
/// and backward.
@Suite(.serialized)
struct KernelThreadsTests {
    static func evaluate(_ x: Tensor, _ r: Tensor) -> [[Float]] {
        let xl = x.requiringGrad()
        let (normalised, _) = xl.batchNormalized(epsilon: 1e-5)
        let y = ((normalised * 1.5 + 0.25).leakyRelu(0.2) * r).tanh() + Tensor.ones([1, x.shape[1], 1, 1])
        let g = gradients(of: y.sum(), wrt: [xl])[0]
        return [y.floats, g.floats]
    }

    @Test func batchNormAndElementwiseSameBitsOnOneThreadAndTwo() {
        var key = RandomKey(seed: 21)
        let x = Tensor.normal([64, 36, 14, 14], key: key.split())
        let r = Tensor.normal([64, 36, 14, 14], key: key.split())
        let (one, two) = onOneThreadAndTwo { Self.evaluate(x, r) }
        #expect(one == two)
    }

    /// Products cut into blocks for the kernel threads (`BlockedGEMM`), forward and through
    /// a linear layer's backward (weight gradient: row blocks; input gradient: column blocks).
    @Test func blockedProductsSameBitsOnOneThreadAndTwo() {
        var key = RandomKey(seed: 23)
        let x = Tensor.normal([64, 100], key: key.split())
        let w = Tensor.normal([6272, 100], key: key.split()), b = Tensor.normal([6272], key: key.split())
        let cotangent = Tensor.normal([64, 6272], key: key.split())
        func evaluate() -> [[Float]] {
            let (xl, wl, bl) = (x.requiringGrad(), w.requiringGrad(), b.requiringGrad())
            let y = Tensor.linear(xl, weight: wl, bias: bl)
            return [y.floats] + gradients(of: (y * cotangent).sum(), wrt: [xl, wl, bl]).map(\.floats)
        }
        let (one, two) = onOneThreadAndTwo(evaluate)
        #expect(one == two)
    }

    /// `linear` splits only its output features, never its rows (samples): a 2,500-sample
    /// evaluation batch through a 256 → 128 layer rounds exactly as one unblocked GEMM.
    @Test func linearKeepsLargeBatchesWhole() {
        defer { KernelThreads.set(1) }
        KernelThreads.set(2)
        var key = RandomKey(seed: 29)
        let x = Tensor.normal([2500, 256], key: key.split()), w = Tensor.normal([128, 256], key: key.split())
        let y = Tensor.linear(x, weight: w, bias: nil)
        var reference = [Float](repeating: 0, count: 2500 * 128)
        reference.withUnsafeMutableBufferPointer { out in
            gemm(transA: false, transB: true, m: 2500, n: 128, k: 256, alpha: Float(1), x.storage.typed(Float.self), lda: 256,
                 w.storage.typed(Float.self), ldb: 256, beta: 0, out.baseAddress!, ldc: 128)
        }
        #expect(y.floats == reference)
    }
}
