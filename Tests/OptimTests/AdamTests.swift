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
}
