import NN
import Tensor
import Testing

@Suite struct SequentialTests {
    @Test func namesFollowPyTorchIndices() {
        var key = RandomKey(seed: 60)
        let inner = Sequential(Linear(4, 4, key: key.split()), BatchNorm(4))
        let network = Sequential(Linear(3, 4, key: key.split()), ActivationLayer(.relu), inner)
        #expect(network.parameterNames == ["0.bias", "0.weight", "2.0.bias", "2.0.weight", "2.1.bias", "2.1.weight"])
        #expect(network.state.keys.sorted() == ["2.1.num_batches_tracked", "2.1.running_mean", "2.1.running_var"])
        #expect(network(.zeros([5, 3])).shape == [5, 4])
    }

    @Test func trainingModeReachesEveryChild() {
        let bn = BatchNorm(2)
        let network = Sequential(Sequential(bn))
        network.isTraining = false
        #expect(!bn.isTraining)
        network.isTraining = true
        #expect(bn.isTraining)
    }

    @Test func setParametersReachesChildrenAsLeaves() throws {
        var key = RandomKey(seed: 61)
        let first = Linear(2, 3, key: key.split(), dtype: .float64)
        let network = Sequential(first, ActivationLayer(.tanh), Linear(3, 1, key: key.split(), dtype: .float64))
        var values = network.parameters
        values["0.weight"] = Tensor.ones([3, 2], dtype: .float64)
        try network.setParameters(values)
        #expect(first.weight.doubles == [1, 1, 1, 1, 1, 1])
        #expect(first.weight.requiresGrad)
        // The tensors `parameters` returns are the ones the forward pass uses.
        let x = Tensor.normal([4, 2], key: key.split(), dtype: .float64)
        let grads = gradients(of: network(x).sum(), wrt: Array(network.parameters.values))
        #expect(grads.allSatisfy { $0.doubles.contains { $0 != 0 } })
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 62)
        let network = Sequential(Conv2d(1, 2, kernelSize: 3, padding: 1, key: key.split(), dtype: .float64),
                                 BatchNorm(2, dtype: .float64), ActivationLayer(.elu(alpha: 1)), Flatten(),
                                 Linear(18, 2, key: key.split(), dtype: .float64))
        GradientCheck(network, input: .normal([2, 1, 3, 3], key: key.split(), dtype: .float64), key: key.split()).run()
    }
}
