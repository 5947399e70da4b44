import NN
import Tensor
import Testing

@Suite struct LayerNormTests {
    @Test func matchesPyTorch() throws {
        let f = try Fixture("layernorm")
        let ln = LayerNorm(6, dtype: .float64)
        try ln.setParameters(["weight": f["weight"], "bias": f["bias"]])
        let x = f["x"].requiringGrad()
        let y = ln(x)
        expectClose(y, f["y"], "y")
        let grads = gradients(of: (y * f["gy"]).sum(), wrt: [x, ln.weight!, ln.bias!])
        expectClose(grads[0], f["grad_x"], "grad_x")
        expectClose(grads[1], f["grad_weight"], "grad_weight")
        expectClose(grads[2], f["grad_bias"], "grad_bias")
    }

    @Test func normalisesTrailingAxes() {
        let ln = LayerNorm([2, 3], affine: false, dtype: .float64)
        #expect(ln.parameters.isEmpty)
        let x = Tensor.normal([4, 2, 3], mean: 5, std: 2, key: RandomKey(seed: 21), dtype: .float64)
        let y = ln(x)
        #expect(y.shape == [4, 2, 3])
        #expect(y.mean(axes: [1, 2]).doubles.allSatisfy { abs($0) < 1e-12 })
    }

    @Test func finiteDifferences() throws {
        var key = RandomKey(seed: 15)
        let ln = LayerNorm([2, 3], dtype: .float64)
        try ln.setParameters(["weight": .normal([2, 3], mean: 1, std: 0.3, key: key.split(), dtype: .float64),
                              "bias": .normal([2, 3], key: key.split(), dtype: .float64)])
        GradientCheck(ln, input: .normal([3, 2, 3], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
