import Testing
import Tensor
import Optim

@Suite struct AdamTests {
    @Test(arguments: ["adam", "adam_wd"])
    func adamMatchesPyTorch(_ name: String) throws {
        let f = try Fixture(name)
        #expect(f.bool("amsgrad") == false)
        let adam = Adam(learningRate: f.double("lr"), beta1: f.double("beta1"), beta2: f.double("beta2"),
                        epsilon: f.double("eps"), weightDecay: f.double("weight_decay"))
        let deviations = fixtureDeviations(f, adam)
        #expect(deviations.allSatisfy { $0 < 1e-12 }, "\(name): \(deviations)")
    }

    @Test func adamWMatchesPyTorch() throws {
        let f = try Fixture("adamw")
        let adamW = AdamW(learningRate: f.double("lr"), beta1: f.double("beta1"), beta2: f.double("beta2"),
                          epsilon: f.double("eps"), weightDecay: f.double("weight_decay"))
        let deviations = fixtureDeviations(f, adamW)
        #expect(deviations.allSatisfy { $0 < 1e-12 }, "adamw: \(deviations)")
    }

    @Test func stateIsNamedPerParameter() {
        var adam = Adam(learningRate: 0.01)
        var parameters = ["layers.0.weight": Tensor([1.0, 2.0]), "bias": Tensor([0.5])]
        adam.step(&parameters, gradients: ["layers.0.weight": Tensor([0.1, 0.2])])
        adam.step(&parameters, gradients: ["layers.0.weight": Tensor([0.1, 0.2]), "bias": Tensor([1.0])])
        let state = adam.state
        #expect(Set(state.keys) == ["lr", "step.layers.0.weight", "exp_avg.layers.0.weight", "exp_avg_sq.layers.0.weight",
                                    "step.bias", "exp_avg.bias", "exp_avg_sq.bias"])
        #expect(state["step.layers.0.weight"]!.item == 2)
        #expect(state["step.bias"]!.item == 1)
        #expect(state["lr"]!.item == 0.01)
        // After one step m = (1 − β1)·g: the first moment of the bias.
        #expect(abs(state["exp_avg.bias"]!.item - 0.1) < 1e-15)
    }

    /// A parameter large enough to be split over the kernel threads gets the same bits on
    /// one thread and two (the update is element by element).
    @Test func largeParameterSameBitsOnOneThreadAndTwo() {
        defer { KernelThreads.set(1) }
        var key = RandomKey(seed: 31)
        let start = Tensor.normal([300_001], key: key.split())
        let grads = (0..<3).map { _ in Tensor.normal([300_001], key: key.split()) }
        func run(threads: Int) -> [Float] {
            KernelThreads.set(threads)
            var adam = Adam(learningRate: 0.01, weightDecay: 0.1)
            var parameters = ["w": start]
            for g in grads { adam.step(&parameters, gradients: ["w": g]) }
            return parameters["w"]!.floats
        }
        let one = run(threads: 1)
        #expect(one == run(threads: 2))
        #expect(one != start.floats)
    }
}
