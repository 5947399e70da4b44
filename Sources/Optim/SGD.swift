import Tensor

/// Stochastic gradient descent exactly as `torch.optim.SGD` defines it.
///
/// With g = ∇θ (negated when `maximize`), per step:
///
///     g ← g + λ·θ                                   (weight decay λ, L2 form)
///     b ← g                       on the first step (momentum μ ≠ 0)
///     b ← μ·b + (1 − τ)·g         afterwards        (dampening τ)
///     g ← g + μ·b  (Nesterov)  or  g ← b
///     θ ← θ − η·g
///
/// State: "lr" and, when μ ≠ 0, "momentum_buffer.<parameter>". No step count (PyTorch keeps
/// none for SGD: the buffer's existence marks the first step).
public struct SGD: Optimizer {
    public var learningRate: Double
    public let momentum: Double
    public let dampening: Double
    public let nesterov: Bool
    public let weightDecay: Double
    public let maximize: Bool
    private var slots: ParameterSlots

    public init(learningRate: Double, momentum: Double = 0, dampening: Double = 0, nesterov: Bool = false,
                weightDecay: Double = 0, maximize: Bool = false) {
        precondition(learningRate >= 0, "SGD: learning rate must be non-negative, got \(learningRate)")
        precondition(momentum >= 0, "SGD: momentum must be non-negative, got \(momentum)")
        precondition(weightDecay >= 0, "SGD: weight decay must be non-negative, got \(weightDecay)")
        precondition(!nesterov || (momentum > 0 && dampening == 0),
                     "SGD: Nesterov momentum requires momentum > 0 and zero dampening (got momentum \(momentum), dampening \(dampening))")
        self.learningRate = learningRate
        self.momentum = momentum
        self.dampening = dampening
        self.nesterov = nesterov
        self.weightDecay = weightDecay
        self.maximize = maximize
        self.slots = ParameterSlots(optimizer: "SGD", slots: momentum != 0 ? ["momentum_buffer"] : [], countsSteps: false)
    }

    public var state: [String: Tensor] { slots.state(learningRate: learningRate) }

    public mutating func loadState(_ state: [String: Tensor]) throws {
        learningRate = try slots.load(state)
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor]) {
        slots.step(&parameters, gradients: gradients, rule: Rule(
            lr: learningRate, momentum: momentum, dampening: dampening, nesterov: nesterov,
            weightDecay: weightDecay, maximize: maximize))
    }

    private struct Rule: ElementwiseRule {
        let lr, momentum, dampening: Double
        let nesterov: Bool
        let weightDecay: Double
        let maximize: Bool

        func update<T: TensorScalar>(parameter p: UpdateView<T>, buffers: [UpdateView<T>], gradient: UnsafeBufferPointer<T>,
                                     step: Int, fresh: Bool) {
            let lr = T(lr), mu = T(momentum), keep = T(1 - dampening), wd = T(weightDecay)
            let buffer = buffers.first
            for i in 0..<p.count {
                var g = maximize ? -gradient[i] : gradient[i]
                if weightDecay != 0 { g = g + wd * p.old[i] }
                if let buffer {
                    let b = fresh ? g : buffer.old[i] * mu + keep * g
                    buffer.new[i] = b
                    g = nesterov ? g + mu * b : b
                }
                p.new[i] = p.old[i] - lr * g
            }
        }
    }
}
