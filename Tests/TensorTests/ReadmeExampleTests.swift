import Testing
import Tensor

/// The README's library example, run as written, checked against its closed form:
/// for f(x) = x·wᵀ + b, ∇ₓf = w for every sample, so the penalty is (‖w‖ − 1)² and
/// ∂/∂w = 2(‖w‖ − 1)·w/‖w‖, ∂/∂b = 0.
struct ReadmeExampleTests {
    @Test func linearCriticGradientPenaltyMatchesClosedForm() {
        var key = RandomKey(seed: 7)
        let x = Tensor.normal([64, 2], key: key.split()).requiringGrad()
        let w = (Tensor.normal([1, 2], key: key.split()) * 0.5).requiringGrad()
        let b = Tensor.zeros([1]).requiringGrad()

        let f = Tensor.linear(x, weight: w, bias: b)
        let gx = gradients(of: f.sum(), wrt: [x], createGraph: true)[0]
        let penalty = (gx.norm(axes: [1]) - 1).squared().mean()
        let g = gradients(of: penalty, wrt: [w, b])

        let wv = w.doubles, n = (wv[0] * wv[0] + wv[1] * wv[1]).squareRoot()
        #expect(abs(penalty.item - (n - 1) * (n - 1)) < 1e-5)
        #expect(abs(g[0].doubles[0] - 2 * (n - 1) * wv[0] / n) < 1e-5)
        #expect(abs(g[0].doubles[1] - 2 * (n - 1) * wv[1] / n) < 1e-5)
        #expect(g[1].doubles == [0])
    }
}
