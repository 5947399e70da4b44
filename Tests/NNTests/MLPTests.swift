import NN
import Tensor
import Testing

@Suite struct MLPTests {
    @Test func shapesAndNames() {
        var key = RandomKey(seed: 70)
        let g = MLP([2, 400, 400, 2], activation: .relu, batchNorm: true, key: key.split())
        #expect(g(.zeros([10, 2])).shape == [10, 2])
        #expect(g.parameterNames == ["0.bias", "0.weight", "1.bias", "1.weight", "3.bias", "3.weight",
                                     "4.bias", "4.weight", "6.bias", "6.weight"])
        #expect(g.parameters["3.weight"]!.shape == [400, 400])
        #expect(g.state["4.running_var"]!.shape == [400])
        #expect(g.parameterCount == (2 * 400 + 400) + 2 * 400 + (400 * 400 + 400) + 2 * 400 + (400 * 2 + 2))

        let d = MLP([2, 200, 200, 1], activation: .maxout(pieces: 5), outputActivation: .sigmoid, key: key.split())
        #expect(d.parameters["0.weight"]!.shape == [1000, 2])
        #expect(d.parameters["2.weight"]!.shape == [1000, 200])
        #expect(d.parameters["4.weight"]!.shape == [1, 200])
        let p = d(.normal([7, 2], key: key.split()))
        #expect(p.shape == [7, 1] && p.doubles.allSatisfy { $0 > 0 && $0 < 1 })
    }

    @Test func differentKeysGiveDifferentWeights() {
        let a = MLP([3, 4, 1], activation: .tanh, key: RandomKey(seed: 1))
        let b = MLP([3, 4, 1], activation: .tanh, key: RandomKey(seed: 1))
        let c = MLP([3, 4, 1], activation: .tanh, key: RandomKey(seed: 2))
        #expect(a.parameters["0.weight"]!.doubles == b.parameters["0.weight"]!.doubles)
        #expect(a.parameters["0.weight"]!.doubles != c.parameters["0.weight"]!.doubles)
        #expect(a.parameters["0.weight"]!.doubles != a.parameters["2.weight"]!.doubles.prefix(12).map { $0 })
    }

    @Test func learnsXORWithPlainSGD() throws {
        let net = MLP([2, 8, 1], activation: .tanh, key: RandomKey(seed: 71), dtype: .float64)
        let x = Tensor([0, 0, 0, 1, 1, 0, 1, 1] as [Double], shape: [4, 2])
        let t = Tensor([0, 1, 1, 0] as [Double], shape: [4, 1])
        let names = net.parameterNames
        var loss = Double.infinity
        for _ in 0..<2000 {
            let parameters = net.parameters
            let objective = Loss.binaryCrossEntropy(logits: net(x), targets: t)
            loss = objective.item
            if loss < 0.05 { break }
            let grads = gradients(of: objective, wrt: names.map { parameters[$0]! })
            var updated: [String: Tensor] = [:]
            for (name, g) in zip(names, grads) { updated[name] = parameters[name]! - g * 0.5 }
            try net.setParameters(updated)
        }
        #expect(loss < 0.05)
        let predictions = net(x).sigmoid().doubles.map { $0 > 0.5 ? 1.0 : 0.0 }
        #expect(predictions == [0, 1, 1, 0])
    }

    @Test func finiteDifferencesWithBatchNorm() {
        var key = RandomKey(seed: 72)
        let net = MLP([3, 4, 2], activation: .softplus, batchNorm: true, key: key.split(), dtype: .float64)
        GradientCheck(net, input: .normal([5, 3], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
