import Testing
@testable import Tensor

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
