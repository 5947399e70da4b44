import Testing
import NN
import Tensor
import Optim

@Suite struct ExponentialMovingAverageTests {
    @Test func handComputedUpdates() {
        var ema = ExponentialMovingAverage(decay: 0.9, parameters: ["w": Tensor([1.0, 2.0])])
        ema.update(from: ["w": Tensor([3.0, 2.0])])
        #expect(maxAbsDifference(ema.shadow["w"]!, Tensor([1.2, 2.0])) < 1e-15)
        ema.update(from: ["w": Tensor([1.2, 0.0])])
        #expect(maxAbsDifference(ema.shadow["w"]!, Tensor([1.2, 1.8])) < 1e-15)
        #expect(ema.updateCount == 2)
    }

    @Test func warmupUsesTensorFlowSchedule() {
        var ema = ExponentialMovingAverage(decay: 0.999, parameters: ["w": Tensor([0.0])], warmup: true)
        #expect(ema.currentDecay == 0.1)
        ema.update(from: ["w": Tensor([10.0])])          // s = 0 + 0.9·10
        #expect(abs(ema.shadow["w"]!.item - 9) < 1e-14)
        #expect(abs(ema.currentDecay - 2.0 / 11.0) < 1e-15)
        ema.update(from: ["w": Tensor([20.0])])          // s = 9 + (9/11)·11
        #expect(abs(ema.shadow["w"]!.item - 18) < 1e-13)
    }

    @Test func shadowIsIndependentOfLaterParameterUpdatesAndAppliesToModule() throws {
        let module = TinyModule(parameters: ["w": Tensor([1.0, 1.0])])
        var ema = ExponentialMovingAverage(decay: 0.5, module: module)
        var sgd = SGD(learningRate: 1)
        try sgd.update(module, gradients: ["w": Tensor([2.0, -2.0])])     // w = [−1, 3]
        #expect(ema.shadow["w"]!.doubles == [1.0, 1.0])
        ema.update(from: module)
        #expect(ema.shadow["w"]!.doubles == [0.0, 2.0])
        let evaluation = TinyModule(parameters: ["w": Tensor([9.0, 9.0])])
        try ema.apply(to: evaluation)
        #expect(evaluation.parameters["w"]!.doubles == [0.0, 2.0])
        #expect(evaluation.parameters["w"]!.requiresGrad)
    }

    @Test func stateRoundTripAndErrors() throws {
        var ema = ExponentialMovingAverage(decay: 0.9, parameters: ["w": Tensor([1.0])], warmup: true)
        ema.update(from: ["w": Tensor([2.0])])
        var copy = ExponentialMovingAverage(decay: 0.9, parameters: ["w": Tensor([0.0])], warmup: true)
        try copy.loadState(ema.state)
        #expect(copy.updateCount == 1)
        #expect(bitIdentical(copy.shadow["w"]!, ema.shadow["w"]!))
        var state = ema.state
        state["shadow.v"] = Tensor([1.0])
        #expect(throws: OptimizerStateError.unknownParameter(key: "shadow.v", parameter: "v")) { try copy.loadState(state) }
        state = ema.state
        state.removeValue(forKey: "shadow.w")
        #expect(throws: OptimizerStateError.missingKey("shadow.w", optimizer: "ExponentialMovingAverage")) { try copy.loadState(state) }
    }
}
