import NN
import Tensor
import Testing

@Suite struct ReshapeTests {
    @Test func flattenKeepsBatchAndRowMajorOrder() {
        let x = Tensor.arange(24, dtype: .float64).reshaped([2, 3, 2, 2])
        let y = Flatten()(x)
        #expect(y.shape == [2, 12])
        #expect(y.doubles == x.doubles)
    }

    @Test func reshapeKeepsBatch() {
        let y = Reshape([4, 2, -1])(Tensor.zeros([3, 32]))
        #expect(y.shape == [3, 4, 2, 4])
        #expect(Reshape([8])(Tensor.zeros([5, 2, 4])).shape == [5, 8])
    }

    @Test func gradientsPassThrough() {
        var key = RandomKey(seed: 43)
        GradientCheck(Reshape([2, 3]), input: .normal([2, 6], key: key.split(), dtype: .float64), key: key.split()).run()
        GradientCheck(Flatten(), input: .normal([2, 2, 3], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
