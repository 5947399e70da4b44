import Testing
import Tensor
import Optim

@Suite struct SGDTests {
    @Test(arguments: ["sgd_plain", "sgd_momentum_dampening", "sgd_momentum_nesterov_wd"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Fixture(name)
        let sgd = SGD(learningRate: f.double("lr"), momentum: f.double("momentum"), dampening: f.double("dampening"),
                      nesterov: f.bool("nesterov"), weightDecay: f.double("weight_decay"))
        let deviations = fixtureDeviations(f, sgd)
        #expect(deviations.count == 5)
        #expect(deviations.allSatisfy { $0 < 1e-12 }, "\(name): \(deviations)")
    }

    @Test func stepKeepsLeafIdentityAndSkipsParametersWithoutGradient() {
        let w = Tensor([1.0, 2.0]).requiringGrad(), b = Tensor([5.0]).requiringGrad()
        var parameters = ["w": w, "b": b]
        var sgd = SGD(learningRate: 0.5)
        sgd.step(&parameters, gradients: ["w": Tensor([2.0, -4.0])])
        #expect(parameters["w"]!.doubles == [0.0, 4.0])
        #expect(parameters["w"]!.isSameNode(as: w))
        #expect(parameters["b"]!.doubles == [5.0])
        // The caller's original tensor is a value: the step did not change it.
        #expect(w.doubles == [1.0, 2.0])
    }

    @Test func float32MatchesFloat64WithinRounding() throws {
        let f = try Fixture("sgd_momentum_dampening")
        var sgd = SGD(learningRate: 0.1, momentum: 0.9, dampening: 0.1)
        var parameters = ["p": f["param0"].cast(to: .float32)]
        for k in 0..<5 { sgd.step(&parameters, gradients: ["p": f["grad\(k)"].cast(to: .float32)]) }
        #expect(parameters["p"]!.dtype == .float32)
        #expect(maxAbsDifference(parameters["p"]!, f["param5"]) < 1e-5)
        #expect(sgd.state["momentum_buffer.p"]!.dtype == .float32)
    }

    @Test func maximizeAscends() {
        var parameters = ["x": Tensor([1.0])]
        var sgd = SGD(learningRate: 0.1, maximize: true)
        sgd.step(&parameters, gradients: ["x": Tensor([2.0])])
        #expect(parameters["x"]!.doubles == [1.2])
    }
}
