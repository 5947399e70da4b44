import NN
import Tensor
import Testing

@Suite struct BatchNormTests {
    /// A Float64 BatchNorm holding the fixture's affine parameters and initial running statistics.
    private func layer(from f: Fixture, training: Bool) throws -> BatchNorm {
        let suffix = training ? "_init" : ""
        let bn = BatchNorm(f["weight"].count, dtype: .float64)
        try bn.setParameters(["weight": f["weight"], "bias": f["bias"]])
        try bn.setState(["running_mean": f["running_mean" + suffix], "running_var": f["running_var" + suffix],
                         "num_batches_tracked": Tensor(scalar: 0, dtype: .float64)])
        bn.isTraining = training
        return bn
    }

    @Test(arguments: ["batchnorm1d_train", "batchnorm2d_train", "batchnorm1d_eval", "batchnorm2d_eval"])
    func matchesPyTorch(name: String) throws {
        let f = try Fixture(name)
        let training = name.hasSuffix("train")
        let bn = try layer(from: f, training: training)
        let x = f["x"].requiringGrad()
        let y = bn(x)
        expectClose(y, f["y"], "\(name) y")
        let grads = gradients(of: (y * f["gy"]).sum(), wrt: [x, bn.weight!, bn.bias!])
        expectClose(grads[0], f["grad_x"], "\(name) grad_x")
        expectClose(grads[1], f["grad_weight"], "\(name) grad_weight")
        expectClose(grads[2], f["grad_bias"], "\(name) grad_bias")
        if training {
            expectClose(bn.runningMean, f["running_mean_out"], "\(name) running_mean")
            expectClose(bn.runningVariance, f["running_var_out"], "\(name) running_var (unbiased update)")
            #expect(bn.batchesTracked.item == 1)
        } else {
            expectClose(bn.runningMean, f["running_mean"], "\(name) running_mean unchanged")
            #expect(bn.batchesTracked.item == 0)
        }
        #expect(!bn.runningMean.requiresGrad && !bn.runningVariance.requiresGrad)
    }

    @Test func trainingAndEvaluationDiffer() throws {
        let f = try Fixture("batchnorm2d_train")
        let bn = try layer(from: f, training: true)
        let train = bn(f["x"])
        bn.isTraining = false
        let eval = bn(f["x"])
        #expect(maxRelativeError(train, eval) > 1e-2)
        // In evaluation the output does not depend on the rest of the batch.
        let single = bn(f["x"].slice(axis: 0, 0..<1))
        expectClose(single, eval.slice(axis: 0, 0..<1), "eval is per sample")
    }

    @Test func trainingOutputIsNormalisedPerChannel() {
        var key = RandomKey(seed: 20)
        let bn = BatchNorm(3, dtype: .float64)
        let x = Tensor.normal([8, 3, 2, 2], mean: 4, std: 3, key: key.split(), dtype: .float64)
        let y = bn(x)
        let mean = y.mean(axes: [0, 2, 3])
        let variance = y.squared().mean(axes: [0, 2, 3])
        #expect(mean.doubles.allSatisfy { abs($0) < 1e-12 })
        #expect(variance.doubles.allSatisfy { abs($0 - 1) < 1e-3 })
        #expect(bn.state.keys.sorted() == ["num_batches_tracked", "running_mean", "running_var"])
    }

    @Test func finiteDifferences() throws {
        var key = RandomKey(seed: 14)
        for training in [true, false] {
            let bn1d = BatchNorm(3, dtype: .float64)
            try bn1d.setParameters(["weight": .normal([3], mean: 1, std: 0.3, key: key.split(), dtype: .float64),
                                    "bias": .normal([3], key: key.split(), dtype: .float64)])
            let bn2d = BatchNorm(2, dtype: .float64)
            try bn2d.setParameters(["weight": .normal([2], mean: 1, std: 0.3, key: key.split(), dtype: .float64),
                                    "bias": .normal([2], key: key.split(), dtype: .float64)])
            for bn in [bn1d, bn2d] {
                try bn.setState(["running_mean": .normal([bn.features], std: 0.3, key: key.split(), dtype: .float64),
                                 "running_var": .uniform([bn.features], low: 0.5, high: 1.5, key: key.split(), dtype: .float64),
                                 "num_batches_tracked": Tensor(scalar: 0, dtype: .float64)])
                bn.isTraining = training
            }
            GradientCheck(bn1d, input: .normal([6, 3], key: key.split(), dtype: .float64), key: key.split()).run()
            GradientCheck(bn2d, input: .normal([3, 2, 2, 2], key: key.split(), dtype: .float64), key: key.split()).run()
        }
    }
}
