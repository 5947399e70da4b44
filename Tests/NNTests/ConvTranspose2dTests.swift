import NN
import Tensor
import Testing

@Suite struct ConvTranspose2dTests {
    @Test(arguments: [("convtranspose2d_s1p0", 1, 0), ("convtranspose2d_s2p1", 2, 1)])
    func matchesPyTorch(name: String, stride: Int, padding: Int) throws {
        let f = try Fixture(name)
        let layer = ConvTranspose2d(weight: f["weight"], bias: f["bias"], stride: stride, padding: padding)
        let x = f["x"].requiringGrad()
        let y = layer(x)
        expectClose(y, f["y"], "\(name) y")
        let grads = gradients(of: (y * f["gy"]).sum(), wrt: [x, layer.weight, layer.bias!])
        expectClose(grads[0], f["grad_x"], "\(name) grad_x")
        expectClose(grads[1], f["grad_weight"], "\(name) grad_weight")
        expectClose(grads[2], f["grad_bias"], "\(name) grad_bias")
    }

    @Test func shapesAndDefaultInit() {
        let layer = ConvTranspose2d(8, 3, kernelSize: 4, stride: 2, padding: 1, key: RandomKey(seed: 3))
        #expect(layer.weight.shape == [8, 3, 4, 4] && layer.bias!.shape == [3])
        #expect(layer(Tensor.zeros([2, 8, 7, 7])).shape == [2, 3, 14, 14])
        let padded = ConvTranspose2d(8, 3, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, key: RandomKey(seed: 3))
        #expect(padded(Tensor.zeros([1, 8, 7, 7])).shape == [1, 3, 14, 14])
        // PyTorch's fan_in for this layout comes from weight.shape[1] (Cout).
        let bound = 1 / Double(3 * 4 * 4).squareRoot()
        #expect(layer.weight.doubles.allSatisfy { abs($0) <= bound })
        #expect(layer.weight.doubles.contains { abs($0) > 1 / Double(8 * 4 * 4).squareRoot() })
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 13)
        let layer = ConvTranspose2d(2, 2, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, key: key.split(), dtype: .float64)
        GradientCheck(layer, input: .normal([2, 2, 3, 3], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
