import NN
import Tensor
import Testing

@Suite struct MaxoutTests {
    @Test func equalsLinearThenGroupMax() {
        var key = RandomKey(seed: 41)
        let layer = Maxout(3, 4, pieces: 5, key: key.split(), dtype: .float64)
        #expect(layer.parameters["weight"]!.shape == [20, 3])
        let x = Tensor.normal([6, 3], key: key.split(), dtype: .float64)
        let y = layer(x)
        #expect(y.shape == [6, 4])
        let affine = layer.linear(x).doubles
        for n in 0..<6 {
            for j in 0..<4 {
                let group = (0..<5).map { affine[n * 20 + $0 * 4 + j] }
                #expect(y[n, j] == group.max()!)
            }
        }
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 42)
        let layer = Maxout(3, 2, pieces: 3, key: key.split(), dtype: .float64)
        GradientCheck(layer, input: .normal([4, 3], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
