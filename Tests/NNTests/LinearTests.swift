import NN
import Tensor
import Testing

@Suite struct LinearTests {
    @Test func matchesPyTorch() throws {
        let f = try Fixture("linear")
        let layer = Linear(weight: f["weight"], bias: f["bias"])
        let x = f["x"].requiringGrad()
        let y = layer(x)
        expectClose(y, f["y"], "y")
        let grads = gradients(of: (y * f["gy"]).sum(), wrt: [x, layer.weight, layer.bias!])
        expectClose(grads[0], f["grad_x"], "grad_x")
        expectClose(grads[1], f["grad_weight"], "grad_weight")
        expectClose(grads[2], f["grad_bias"], "grad_bias")
    }

    @Test func shapesNamesAndDefaultInit() {
        let layer = Linear(5, 3, key: RandomKey(seed: 1))
        #expect(layer.parameterNames == ["bias", "weight"])
        #expect(layer.weight.shape == [3, 5] && layer.bias!.shape == [3])
        #expect(layer.weight.requiresGrad && layer.bias!.requiresGrad)
        #expect(layer(Tensor.zeros([7, 5])).shape == [7, 3])
        // PyTorch default: U(±1/√fan_in) for weight and bias.
        let bound = 1 / 5.0.squareRoot()
        #expect(layer.weight.doubles.allSatisfy { abs($0) <= bound })
        #expect(layer.bias!.doubles.allSatisfy { abs($0) <= bound })
        let plain = Linear(5, 3, bias: false, key: RandomKey(seed: 1))
        #expect(plain.parameterNames == ["weight"])
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 11)
        let layer = Linear(4, 3, key: key.split(), dtype: .float64)
        GradientCheck(layer, input: .normal([5, 4], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
