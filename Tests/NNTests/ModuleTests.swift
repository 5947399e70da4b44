import NN
import Tensor
import Testing

/// The Module contract as the layers implement it: validation, leaves, snapshots, casting.
@Suite struct ModuleTests {
    @Test func setParametersErrorsNameTheProblem() {
        let layer = Linear(3, 2, key: RandomKey(seed: 90))
        let good = layer.parameters
        var unknown = good
        unknown["weights"] = good["weight"]
        #expect(throws: ModuleError.unknownName("weights", module: "Linear")) { try layer.setParameters(unknown) }
        #expect(throws: ModuleError.missingName("bias", module: "Linear")) { try layer.setParameters(["weight": good["weight"]!]) }
        var badShape = good
        badShape["weight"] = Tensor.zeros([3, 2])
        #expect(throws: ModuleError.shapeMismatch(name: "weight", expected: [2, 3], got: [3, 2])) { try layer.setParameters(badShape) }
        var badType = good
        badType["bias"] = Tensor.zeros([2], dtype: .float64)
        #expect(throws: ModuleError.dtypeMismatch(name: "bias", expected: .float32, got: .float64)) { try layer.setParameters(badType) }
        #expect(ModuleError.shapeMismatch(name: "weight", expected: [2, 3], got: [3, 2]).description
                == "'weight': expected shape [2, 3], got [3, 2]")
        // A failed call changes nothing.
        #expect(layer.weight.doubles == good["weight"]!.doubles)
        // Composite modules report full dotted names.
        let network = Sequential(Linear(3, 2, key: RandomKey(seed: 91)))
        #expect(throws: ModuleError.missingName("0.bias", module: "Sequential")) {
            try network.setParameters(["0.weight": good["weight"]!])
        }
        #expect(throws: ModuleError.unknownName("running_mean", module: "Linear")) {
            try layer.setState(["running_mean": Tensor.zeros([2])])
        }
    }

    @Test func parametersStayLeaves() throws {
        let layer = Linear(2, 2, key: RandomKey(seed: 92), dtype: .float64)
        let x = Tensor.ones([1, 2], dtype: .float64).requiringGrad()
        let derived = layer.weight * x  // carries a graph
        try layer.setParameters(["weight": derived, "bias": layer.bias!])
        #expect(layer.weight.requiresGrad)
        // A fresh leaf: gradients stop at the new weight instead of reaching x.
        let grads = gradients(of: layer(x).sum(), wrt: [layer.weight, x])
        #expect(grads[0].doubles == [1, 1, 1, 1])
        #expect(grads[1].doubles == layer.weight.sum(axis: 0).doubles)
        try layer.updateParameters(["bias": Tensor([5, 6] as [Double])])
        #expect(layer.bias!.doubles == [5, 6] && layer.bias!.requiresGrad)
    }

    @Test func snapshotRoundTrip() throws {
        var key = RandomKey(seed: 93)
        let a = MLP([3, 5, 2], activation: .leakyRelu(slope: 0.2), batchNorm: true, key: key.split())
        _ = a(.normal([8, 3], key: key.split()))  // moves the running statistics
        let saved = a.snapshot()
        #expect(saved.parameters.values.allSatisfy { !$0.requiresGrad })
        let b = MLP([3, 5, 2], activation: .leakyRelu(slope: 0.2), batchNorm: true, key: key.split())
        try b.load(saved)
        for (name, value) in a.parameters { #expect(b.parameters[name]!.doubles == value.doubles) }
        for (name, value) in a.state { #expect(b.state[name]!.doubles == value.doubles) }
        a.isTraining = false
        b.isTraining = false
        let x = Tensor.normal([4, 3], key: key.split())
        #expect(a(x).doubles == b(x).doubles)
        // A snapshot does not follow later changes.
        _ = a(.normal([8, 3], key: key.split()))
        a.isTraining = true
        _ = a(.normal([8, 3], key: key.split()))
        #expect(a.state["1.running_mean"]!.doubles != saved.state["1.running_mean"]!.doubles)
        #expect(throws: ModuleError.self) { try MLP([3, 4, 2], activation: .relu, key: key.split()).load(saved) }
    }

    @Test func castChangesEveryTensorAndKeepsValues() {
        var key = RandomKey(seed: 94)
        let network = Sequential(SpectralNorm(Conv2d(1, 2, kernelSize: 3, key: key.split()), key: key.split()),
                                 BatchNorm(2), Flatten(), Maxout(2, 3, pieces: 2, key: key.split()), LayerNorm(3))
        let before = network.parameters
        network.cast(to: .float64)
        #expect(network.parameters.values.allSatisfy { $0.dtype == .float64 && $0.requiresGrad })
        #expect(network.state.allSatisfy { $0.value.dtype == .float64 })
        for (name, value) in before { #expect(network.parameters[name]!.doubles == value.doubles) }
        #expect(network(.normal([3, 1, 3, 3], key: key.split(), dtype: .float64)).dtype == .float64)
    }
}
