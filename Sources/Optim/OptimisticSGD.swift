import Tensor

/// Optimistic gradient descent, the Euclidean case of optimistic mirror descent (Rakhlin &
/// Sridharan 2013; used for GANs by Daskalakis et al. 2018): step with twice the current
/// gradient minus the previous one,
///
///     g_t ← ∇θ + λ·θ   (negated when `maximize`)
///     θ ← θ − 2η·g_t + η·g_{t−1}          (g_0 = 0, so the first step is θ − 2η·g_1)
///
/// The previous gradient is stored without η, so after a learning-rate change both terms use
/// the current η. State: "lr", "prev_grad.<p>" (g_{t−1}).
public struct OptimisticSGD: Optimizer {
    public var learningRate: Double
    public let weightDecay: Double
    public let maximize: Bool
    private var slots = ParameterSlots(optimizer: "OptimisticSGD", slots: ["prev_grad"], countsSteps: false)

    public init(learningRate: Double, weightDecay: Double = 0, maximize: Bool = false) {
        precondition(learningRate >= 0, "OptimisticSGD: learning rate must be non-negative, got \(learningRate)")
        precondition(weightDecay >= 0, "OptimisticSGD: weight decay must be non-negative, got \(weightDecay)")
        self.learningRate = learningRate
        self.weightDecay = weightDecay
        self.maximize = maximize
    }

    public var state: [String: Tensor] { slots.state(learningRate: learningRate) }

    public mutating func loadState(_ state: [String: Tensor]) throws {
        learningRate = try slots.load(state)
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor]) {
        slots.step(&parameters, gradients: gradients, rule: Rule(lr: learningRate, weightDecay: weightDecay, maximize: maximize))
    }

    private struct Rule: ElementwiseRule {
        let lr, weightDecay: Double
        let maximize: Bool

        func update<T: TensorScalar>(parameter p: UpdateView<T>, buffers: [UpdateView<T>], gradient: UnsafeBufferPointer<T>,
                                     step: Int, fresh: Bool) {
            let previous = buffers[0]
            let lr = T(lr), wd = T(weightDecay)
            for i in 0..<p.count {
                var g = maximize ? -gradient[i] : gradient[i]
                if weightDecay != 0 { g = g + wd * p.old[i] }
                p.new[i] = p.old[i] - 2 * lr * g + lr * previous.old[i]
                previous.new[i] = g
            }
        }
    }
}
