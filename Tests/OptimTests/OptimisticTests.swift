import Foundation
import Testing
import Tensor
import Optim

@Suite struct OptimisticTests {
    @Test func optimisticSGDHandComputed() {
        // θ ← θ − 2η·g_t + η·g_{t−1}, g_0 = 0, η = 0.1.
        var parameters = ["x": Tensor([1.0, -2.0])]
        var omd = OptimisticSGD(learningRate: 0.1)
        let gradients = [[1.0, 2.0], [3.0, -1.0], [0.5, 0.5]]
        let expected = [[0.8, -2.4], [0.3, -2.0], [0.5, -2.2]]
        for (g, want) in zip(gradients, expected) {
            omd.step(&parameters, gradients: ["x": Tensor(g)])
            #expect(maxAbsDifference(parameters["x"]!, Tensor(want)) < 1e-15)
        }
        #expect(omd.state["prev_grad.x"]!.doubles == [0.5, 0.5])
    }

    @Test func optimisticAdamHandComputed() {
        // β1 = 0.5, β2 = 0.9, ε = 0, η = 0.1, gradients 2, −1, 3.
        var parameters = ["x": Tensor([1.0])]
        var oadam = OptimisticAdam(learningRate: 0.1, beta1: 0.5, beta2: 0.9, epsilon: 0)
        // Step 1: m = 1, v = 0.4, m̂ = 2, v̂ = 4, u1 = 1; θ = 1 − 0.2·1.
        oadam.step(&parameters, gradients: ["x": Tensor([2.0])])
        #expect(abs(parameters["x"]!.item - 0.8) < 1e-15)
        // Step 2: m = 0 so u2 = 0; θ = 0.8 − 0 + 0.1·u1.
        oadam.step(&parameters, gradients: ["x": Tensor([-1.0])])
        #expect(abs(parameters["x"]!.item - 0.9) < 1e-15)
        // Step 3: m = 1.5, v = 0.9·0.46 + 0.1·9 = 1.314; θ = 0.9 − 0.2·u3 + 0.1·u2.
        oadam.step(&parameters, gradients: ["x": Tensor([3.0])])
        let u3 = (1.5 / (1 - 0.125)) / (1.314 / (1 - 0.729)).squareRoot()
        #expect(abs(parameters["x"]!.item - (0.9 - 0.2 * u3)) < 1e-14)
        #expect(abs(oadam.state["prev_update.x"]!.item - u3) < 1e-14)
    }

    @Test func optimisticAdamIsTwiceAdamStepMinusPrevious() throws {
        // Adam moves θ by −η·u_t; optimistic Adam must move it by −2η·u_t + η·u_{t−1}.
        let f = try Fixture("adam")
        var adam = Adam(learningRate: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-8)
        var oadam = OptimisticAdam(learningRate: 0.01, beta1: 0.5, beta2: 0.999, epsilon: 1e-8)
        var a = ["p": f["param0"]], o = ["p": f["param0"]]
        var previousAdamMove = f["param0"].zerosLike()
        for k in 0..<5 {
            let before = a["p"]!, optimisticBefore = o["p"]!
            adam.step(&a, gradients: ["p": f["grad\(k)"]])
            oadam.step(&o, gradients: ["p": f["grad\(k)"]])
            let adamMove = a["p"]! - before
            let expected = adamMove * 2 - previousAdamMove
            #expect(maxAbsDifference(o["p"]! - optimisticBefore, expected) < 1e-12)
            previousAdamMove = adamMove
        }
    }

    @Test func optimisticAdamStateKeys() {
        var oadam = OptimisticAdam()
        var parameters = ["w": Tensor([1.0, 2.0])]
        oadam.step(&parameters, gradients: ["w": Tensor([1.0, 1.0])])
        #expect(Set(oadam.state.keys) == ["lr", "step.w", "exp_avg.w", "exp_avg_sq.w", "prev_update.w"])
    }
}
