import NN
import Tensor
import Testing

@Suite struct Conv2dTests {
    @Test(arguments: [("conv2d_s1p0", 1, 0), ("conv2d_s2p1", 2, 1)])
    func matchesPyTorch(name: String, stride: Int, padding: Int) throws {
        let f = try Fixture(name)
        let layer = Conv2d(weight: f["weight"], bias: f["bias"], stride: stride, padding: padding)
        let x = f["x"].requiringGrad()
        let y = layer(x)
        expectClose(y, f["y"], "\(name) y")
        let grads = gradients(of: (y * f["gy"]).sum(), wrt: [x, layer.weight, layer.bias!])
        expectClose(grads[0], f["grad_x"], "\(name) grad_x")
        expectClose(grads[1], f["grad_weight"], "\(name) grad_weight")
        expectClose(grads[2], f["grad_bias"], "\(name) grad_bias")
    }

    @Test func shapesAndDefaultInit() {
        let layer = Conv2d(3, 8, kernelSize: 4, stride: 2, padding: 1, key: RandomKey(seed: 2))
        #expect(layer.weight.shape == [8, 3, 4, 4] && layer.bias!.shape == [8])
        #expect(layer(Tensor.zeros([2, 3, 16, 16])).shape == [2, 8, 8, 8])
        let bound = 1 / Double(3 * 4 * 4).squareRoot()
        #expect(layer.weight.doubles.allSatisfy { abs($0) <= bound })
        #expect(Conv2d(3, 8, kernelSize: 3, bias: false, key: RandomKey(seed: 2)).parameterNames == ["weight"])
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 12)
        let layer = Conv2d(2, 3, kernelSize: 3, stride: 2, padding: 1, key: key.split(), dtype: .float64)
        GradientCheck(layer, input: .normal([2, 2, 5, 5], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
