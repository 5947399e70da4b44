import Testing
import Tensor
import Optim

@Suite struct RMSPropTests {
    @Test(arguments: ["rmsprop", "rmsprop_momentum_centered"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Fixture(name)
        let rmsprop = RMSProp(learningRate: f.double("lr"), alpha: f.double("alpha"), epsilon: f.double("eps"),
                              momentum: f.double("momentum"), centered: f.bool("centered"), weightDecay: f.double("weight_decay"))
        let deviations = fixtureDeviations(f, rmsprop)
        #expect(deviations.allSatisfy { $0 < 1e-12 }, "\(name): \(deviations)")
    }

    @Test func slotsFollowConfiguration() {
        var plain = RMSProp(), full = RMSProp(momentum: 0.9, centered: true)
        var p1 = ["w": Tensor([1.0])], p2 = p1
        plain.step(&p1, gradients: ["w": Tensor([1.0])])
        full.step(&p2, gradients: ["w": Tensor([1.0])])
        #expect(Set(plain.state.keys) == ["lr", "step.w", "square_avg.w"])
        #expect(Set(full.state.keys) == ["lr", "step.w", "square_avg.w", "momentum_buffer.w", "grad_avg.w"])
    }
}
