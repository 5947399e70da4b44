import Foundation
import NN
import Tensor
import Testing

@Suite struct LossTests {
    @Test func binaryCrossEntropyMatchesPyTorch() throws {
        let f = try Fixture("softplus_bce")
        let z = f["logits"].requiringGrad()
        let loss = Loss.binaryCrossEntropy(logits: z, targets: f["targets"])
        expectClose(loss, f["loss"], "loss")
        let gz = gradient(of: loss, wrt: z, createGraph: true)
        expectClose(gz, f["grad_logits"], "dL/dz")
        expectClose(gradient(of: gz.squared().sum(), wrt: z), f["grad_gradsq"], "d‖dL/dz‖²/dz")
    }

    @Test func crossEntropyByHand() {
        // Row 0: logits (0, 0, ln 2) → softmax (¼, ¼, ½), label 2 → −ln ½.
        // Row 1: logits (1, 1, 1) → uniform, label 0 → ln 3.
        let z = Tensor([0, 0, log(2.0), 1, 1, 1] as [Double], shape: [2, 3]).requiringGrad()
        let loss = Loss.crossEntropy(logits: z, labels: [2, 0])
        #expect(abs(loss.item - (log(2.0) + log(3.0)) / 2) < 1e-12)
        // Gradient (softmax − onehot)/n.
        let expected: [Double] = [0.25, 0.25, -0.5, 1.0 / 3 - 1, 1.0 / 3, 1.0 / 3].map { $0 / 2 }
        for (g, e) in zip(gradient(of: loss, wrt: z).doubles, expected) { #expect(abs(g - e) < 1e-12) }
        // Large logits stay finite (log-sum-exp), and a confident correct row costs ≈ 0.
        let big = Loss.crossEntropy(logits: Tensor([1000, 0] as [Double], shape: [1, 2]), labels: [0])
        #expect(big.item.isFinite && big.item < 1e-12)
    }

    @Test func crossEntropyFiniteDifferencesFirstAndSecondOrder() {
        let labels = [1, 0, 2, 2]
        let base = Tensor.normal([4, 3], key: RandomKey(seed: 11), dtype: .float64).doubles
        func value(_ v: [Double]) -> Double { Loss.crossEntropy(logits: Tensor(v, shape: [4, 3]), labels: labels).item }
        // S(z) = ‖∂L/∂z‖², what a penalty on the classifier's gradient would build.
        func gradSquared(_ v: [Double]) -> Double {
            let z = Tensor(v, shape: [4, 3]).requiringGrad()
            return gradient(of: Loss.crossEntropy(logits: z, labels: labels), wrt: z).squared().sum().item
        }
        let z = Tensor(base, shape: [4, 3]).requiringGrad()
        let g = gradient(of: Loss.crossEntropy(logits: z, labels: labels), wrt: z, createGraph: true)
        let g2 = gradient(of: g.squared().sum(), wrt: z).doubles
        let h = 1e-6
        for k in base.indices {
            var plus = base, minus = base
            plus[k] += h
            minus[k] -= h
            #expect(abs(g.doubles[k] - (value(plus) - value(minus)) / (2 * h)) < 1e-7)
            #expect(abs(g2[k] - (gradSquared(plus) - gradSquared(minus)) / (2 * h)) < 1e-7)
        }
    }

    @Test func meanSquaredError() {
        let a = Tensor([1, 2, 3] as [Double]), b = Tensor([1, 0, 0] as [Double])
        #expect(Loss.meanSquaredError(a, b).item == 13.0 / 3.0)
    }
}
