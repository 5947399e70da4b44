import NN
import Tensor
import Testing

/// Double backward through whole networks against PyTorch: the per-sample gradient penalty
/// P = mean_i (‖∇ₓ f(x_i)‖ − 1)² and its gradient with respect to every parameter.
@Suite struct GradientPenaltyTests {
    /// Checks f(x), ∇ₓ Σf, the per-sample norms, P and dP/dθ; `names` maps fixture names to ours.
    private func check(_ network: Sequential, fixture f: Fixture, names: [String: String]) throws {
        var values: [String: Tensor] = [:]
        for (theirs, ours) in names { values[ours] = f[theirs] }
        try network.setParameters(values)
        let x = f["x"].requiringGrad()
        let out = network(x)
        expectClose(out, f["f"], "\(f.name) f")
        let gx = gradients(of: out.sum(), wrt: [x], createGraph: true)[0]
        expectClose(gx, f["grad_x_f"], "\(f.name) grad_x_f")
        let norms = gx.norm(axes: Array(1..<gx.rank))
        expectClose(norms, f["grad_norms"], "\(f.name) grad_norms")
        let penalty = (norms - 1).squared().mean()
        expectClose(penalty, f["P"], "\(f.name) P")
        let parameters = network.parameters
        let sorted = names.keys.sorted()
        let grads = gradients(of: penalty, wrt: sorted.map { parameters[names[$0]!]! })
        for (theirs, g) in zip(sorted, grads) {
            expectClose(g, f["grad_" + theirs], "\(f.name) dP/d\(theirs)")
        }
    }

    @Test func mlp() throws {
        let key = RandomKey(seed: 50)
        let network = Sequential(Linear(2, 8, key: key, dtype: .float64), ActivationLayer(.leakyRelu(slope: 0.2)),
                                 Linear(8, 8, key: key, dtype: .float64), ActivationLayer(.tanh),
                                 Linear(8, 1, key: key, dtype: .float64))
        try check(network, fixture: Fixture("mlp_double_backward"),
                  names: ["l1.weight": "0.weight", "l1.bias": "0.bias", "l2.weight": "2.weight",
                          "l2.bias": "2.bias", "l3.weight": "4.weight", "l3.bias": "4.bias"])
    }

    @Test func convolutional() throws {
        let key = RandomKey(seed: 51)
        let network = Sequential(Conv2d(1, 2, kernelSize: 3, stride: 2, padding: 1, key: key, dtype: .float64),
                                 ActivationLayer(.softplus), Flatten(), Linear(18, 1, key: key, dtype: .float64))
        try check(network, fixture: Fixture("conv_double_backward"),
                  names: ["conv.weight": "0.weight", "conv.bias": "0.bias", "fc.weight": "3.weight", "fc.bias": "3.bias"])
    }
}
