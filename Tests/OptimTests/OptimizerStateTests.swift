import Testing
import NN
import Tensor
import Optim

@Suite struct OptimizerStateTests {
    /// Runs `steps` updates of an optimiser on fixture gradients.
    func train(_ optimizer: inout some Optimizer, _ parameters: inout [String: Tensor], from: Int, to: Int, _ f: Fixture) {
        for k in from..<to { optimizer.step(&parameters, gradients: ["p": f["grad\(k)"].cast(to: parameters["p"]!.dtype)]) }
    }

    @Test(arguments: [DType.float32, .float64])
    func saveLoadContinuesBitIdentically(dtype: DType) throws {
        let f = try Fixture("rmsprop_momentum_centered")
        func check(_ make: () -> some Optimizer) throws {
            var straight = make(), parameters = ["p": f["param0"].cast(to: dtype)]
            train(&straight, &parameters, from: 0, to: 5, f)

            var first = make(), resumedParameters = ["p": f["param0"].cast(to: dtype)]
            train(&first, &resumedParameters, from: 0, to: 2, f)
            var second = make()
            second.learningRate = 123    // restored from the state
            try second.loadState(first.state)
            #expect(second.learningRate == first.learningRate)
            train(&second, &resumedParameters, from: 2, to: 5, f)
            #expect(bitIdentical(parameters["p"]!, resumedParameters["p"]!))
            for (key, value) in straight.state { #expect(bitIdentical(value, second.state[key]!), "\(key)") }
        }
        try check { SGD(learningRate: 0.1, momentum: 0.9, nesterov: true) }
        try check { Adam(learningRate: 0.01, beta1: 0.5) }
        try check { AdamW(learningRate: 0.01, weightDecay: 0.1) }
        try check { RMSProp(momentum: 0.9, centered: true) }
        try check { OptimisticAdam(learningRate: 0.01) }
        try check { OptimisticSGD(learningRate: 0.05) }
    }

    func adamState() -> [String: Tensor] {
        var adam = Adam(learningRate: 0.01)
        var parameters = ["w": Tensor([1.0, 2.0])]
        adam.step(&parameters, gradients: ["w": Tensor([0.5, -0.5])])
        return adam.state
    }

    @Test func loadRejectsInconsistentStates() {
        var adam = Adam()
        var state = adamState()
        state["momentum_buffer.w"] = Tensor([0.0, 0.0])
        #expect(throws: OptimizerStateError.unknownKey("momentum_buffer.w", optimizer: "Adam",
                                                       expected: ["lr", "step.<parameter>", "exp_avg.<parameter>", "exp_avg_sq.<parameter>"])) {
            try adam.loadState(state)
        }
        state = adamState()
        state.removeValue(forKey: "exp_avg_sq.w")
        #expect(throws: OptimizerStateError.missingKey("exp_avg_sq.w", optimizer: "Adam")) { try adam.loadState(state) }
        state = adamState()
        state.removeValue(forKey: "lr")
        #expect(throws: OptimizerStateError.missingKey("lr", optimizer: "Adam")) { try adam.loadState(state) }
        state = adamState()
        state["exp_avg_sq.w"] = Tensor([0.0, 0.0, 0.0])
        #expect(throws: OptimizerStateError.shapeMismatch(key: "exp_avg_sq.w", expected: [2], got: [3])) { try adam.loadState(state) }
        state = adamState()
        state["exp_avg_sq.w"] = Tensor([Float(0), 0])
        #expect(throws: OptimizerStateError.dtypeMismatch(key: "exp_avg_sq.w", expected: .float64, got: .float32)) { try adam.loadState(state) }
        state = adamState()
        state["step.w"] = Tensor(scalar: 1.5, dtype: .float64)
        #expect(throws: OptimizerStateError.invalidValue(key: "step.w", value: 1.5)) { try adam.loadState(state) }
        state = adamState()
        state["step.w"] = Tensor(scalar: 1, dtype: .float32)
        #expect(throws: OptimizerStateError.dtypeMismatch(key: "step.w", expected: .float64, got: .float32)) { try adam.loadState(state) }

        // SGD without momentum keeps no buffers: loading some is an error, not silently ignored.
        var plain = SGD(learningRate: 0.1)
        #expect(throws: OptimizerStateError.self) {
            try plain.loadState(["lr": Tensor(scalar: 0.1, dtype: .float64), "momentum_buffer.w": Tensor([1.0])])
        }
        // A failed load leaves the optimiser as it was.
        #expect(adam.state.keys.sorted() == ["lr"])
    }

    @Test func validateStateAgainstParameters() throws {
        var adam = Adam()
        try adam.loadState(adamState())
        try adam.validateState(for: ["w": Tensor([0.0, 0.0])])
        do {
            try adam.validateState(for: ["v": Tensor([0.0, 0.0])])
            Issue.record("expected unknownParameter")
        } catch {
            guard case .unknownParameter(_, let parameter) = error else { Issue.record("got \(error)"); return }
            #expect(parameter == "w")
        }
        do {
            try adam.validateState(for: ["w": Tensor([0.0, 0.0, 0.0])])
            Issue.record("expected shapeMismatch")
        } catch {
            guard case .shapeMismatch(_, [3], [2]) = error else { Issue.record("got \(error)"); return }
        }
    }

    @Test func updateModuleWritesBackNewLeaves() throws {
        let module = TinyModule(parameters: ["w": Tensor([1.0, 2.0]), "b": Tensor([0.0])])
        let before = module.parameters["w"]!
        let snapshot = module.snapshot()
        var sgd = SGD(learningRate: 0.5)
        try sgd.update(module, gradients: ["w": Tensor([1.0, 1.0])])
        #expect(module.parameters["w"]!.doubles == [0.5, 1.5])
        #expect(module.parameters["w"]!.requiresGrad)
        #expect(module.parameters["b"]!.doubles == [0.0])
        // Snapshots and earlier reads keep their values (copy-on-write, no aliasing).
        #expect(snapshot.parameters["w"]!.doubles == [1.0, 2.0])
        #expect(before.doubles == [1.0, 2.0])
    }
}
