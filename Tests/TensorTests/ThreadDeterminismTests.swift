import Testing
@testable import Tensor

/// Same inputs → bit-identical results whatever the number of BLAS threads: OpenBLAS splits
/// GEMM over M and N, never over K, so each output element sees the same summation order.
/// Serialized because the BLAS thread count is process-wide.
@Suite(.serialized)
struct ThreadDeterminismTests {
    @Test func matmulAndConvolutionAreIdenticalOnOneAndTwoThreads() {
        var key = RandomKey(seed: 11)
        let a = Tensor.normal([300, 257], key: key.split()), b = Tensor.normal([257, 190], key: key.split())
        let x = Tensor.normal([4, 3, 17, 17], key: key.split()), w = Tensor.normal([8, 3, 3, 3], key: key.split())
        let before = BLASThreads.current
        defer { BLASThreads.set(before) }
        BLASThreads.set(1)
        let product1 = a.matmul(b).floats, conv1 = Tensor.conv2d(x, weight: w, stride: 2, padding: 1).floats
        BLASThreads.set(2)
        let product2 = a.matmul(b).floats, conv2 = Tensor.conv2d(x, weight: w, stride: 2, padding: 1).floats
        #expect(product1 == product2)
        #expect(conv1 == conv2)
    }

    @Test func randomTensorsDependOnlyOnKeyAndIndex() {
        let key = RandomKey(seed: 5)
        let long = Tensor.normal([1001], key: key).floats
        let short = Tensor.normal([37], key: key).floats
        #expect(Array(long.prefix(37)) == short)
    }
}
