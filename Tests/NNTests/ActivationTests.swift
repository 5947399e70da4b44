import Foundation
import NN
import Tensor
import Testing

@Suite struct ActivationTests {
    @Test func valuesAtKnownPoints() {
        let x = Tensor([-2, -0.5, 0.5, 2] as [Double])
        func values(_ a: Activation) -> [Double] { ActivationLayer(a)(x).doubles }
        #expect(values(.identity) == x.doubles)
        #expect(values(.relu) == [0, 0, 0.5, 2])
        #expect(values(.leakyRelu(slope: 0.1)).elementsEqual([-0.2, -0.05, 0.5, 2]) { abs($0 - $1) < 1e-15 })
        #expect(abs(values(.elu(alpha: 1))[0] - (exp(-2.0) - 1)) < 1e-15)
        #expect(abs(values(.tanh)[3] - tanh(2.0)) < 1e-15)
        #expect(abs(values(.sigmoid)[2] - 1 / (1 + exp(-0.5))) < 1e-15)
        #expect(abs(values(.softplus)[1] - log(1 + exp(-0.5))) < 1e-15)
    }

    @Test func maxoutTakesGroupMaxima() {
        // Features 0..<6, 3 pieces → 2 outputs (piece-major): max of (0,2,4) and of (1,3,5).
        let x = Tensor([1, 5, 2, -1, -3, -2, 0, 0, 9, 4, 4, 3] as [Double], shape: [2, 6])
        let y = Activation.maxout(pieces: 3).apply(x)
        #expect(y.shape == [2, 2])
        #expect(y.doubles == [2, 5, 9, 4])
        // Channels of an image group the same way.
        #expect(Activation.maxout(pieces: 2).apply(.zeros([2, 6, 3, 3])).shape == [2, 3, 3, 3])
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 40)
        let activations: [Activation] = [.relu, .leakyRelu(slope: 0.2), .elu(alpha: 1), .tanh, .sigmoid, .softplus, .maxout(pieces: 2)]
        for activation in activations {
            // Random inputs keep away from the kinks (probability zero of landing within h).
            let x = Tensor.normal([3, 4], key: key.split(), dtype: .float64)
            GradientCheck(ActivationLayer(activation), input: x, key: key.split()).run()
        }
    }
}
