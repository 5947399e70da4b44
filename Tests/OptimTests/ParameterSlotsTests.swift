import Testing
import Tensor
import Optim

/// The shared update loop (`ParameterSlots`): an update writes shared parameters and buffers
/// into fresh storage (`UpdateView`) and unshared ones in place. Both ways must give the same
/// bits for every rule, and whatever still holds the old values (a module's tensors, the
/// trainer's roll-back copy of the optimiser) must keep them unchanged.
@Suite struct ParameterSlotsTests {
    static let optimizers: [(String, any Optimizer)] = [
        ("SGD momentum nesterov", SGD(learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01)),
        ("SGD dampened", SGD(learningRate: 0.05, momentum: 0.5, dampening: 0.1)),
        ("RMSProp centred momentum", RMSProp(learningRate: 0.01, momentum: 0.8, centered: true, weightDecay: 0.01)),
        ("RMSProp", RMSProp(learningRate: 0.01)),
        ("Adam", Adam(learningRate: 0.01, weightDecay: 0.01)),
        ("AdamW", AdamW(learningRate: 0.01)),
        ("OptimisticAdam", OptimisticAdam(learningRate: 0.01, weightDecay: 0.01)),
        ("OptimisticSGD", OptimisticSGD(learningRate: 0.05)),
    ]

    @Test(arguments: 0..<optimizers.count, [DType.float32, .float64])
    func sharedAndUnsharedUpdatesAgreeAndLeaveOldValuesAlone(_ index: Int, _ dtype: DType) {
        let (name, initial) = Self.optimizers[index]
        var key = RandomKey(seed: UInt64(40 + index))
        // 37 elements: a vector body and a tail in the Float kernels.
        let start = ["w": Tensor.normal([37], key: key.split(), dtype: dtype), "b": Tensor.normal([3], key: key.split(), dtype: dtype)]
        let grads = (0..<4).map { _ in start.mapValues { Tensor.normal($0.shape, key: key.split(), dtype: dtype) } }

        // Unshared: the dictionary holds the only reference to every tensor after the first step.
        var plain = initial
        var plainParameters = start.mapValues { $0 + 0 }
        for g in grads { plain.step(&plainParameters, gradients: g) }

        // Shared: before every step, keep the parameters (as a module does) and a copy of the
        // optimiser (as the trainer's roll-back state does), then check them after the step.
        var shared = initial
        var sharedParameters = start
        for g in grads {
            let keptParameters = sharedParameters.mapValues { ($0, $0.doubles) }
            let keptOptimizer = shared
            let keptState = keptOptimizer.state.mapValues(\.doubles)
            shared.step(&sharedParameters, gradients: g)
            for (k, (tensor, values)) in keptParameters { #expect(tensor.doubles == values, "\(name): parameter \(k) changed") }
            #expect(keptOptimizer.state.mapValues(\.doubles) == keptState, "\(name): the kept optimiser's state changed")
        }
        for k in start.keys {
            #expect(plainParameters[k]!.doubles == sharedParameters[k]!.doubles, "\(name) \(dtype): \(k)")
            #expect(plainParameters[k]!.doubles != start[k]!.doubles, "\(name) \(dtype): \(k) did not move")
        }
        #expect(plain.state.mapValues(\.doubles) == shared.state.mapValues(\.doubles), "\(name) \(dtype): state")
    }
}
