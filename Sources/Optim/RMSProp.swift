import Tensor

/// RMSProp exactly as `torch.optim.RMSprop` defines it. With g = ∇θ (negated when
/// `maximize`), per step:
///
///     g ← g + λ·θ
///     s ← α·s + (1 − α)·g²
///     centered:  a ← lerp(a, g, 1 − α);  d ← √(s − a²) + ε      otherwise  d ← √s + ε
///     momentum μ > 0:  b ← μ·b + g / d;  θ ← θ − η·b           otherwise  θ ← θ − η·g / d
///
/// ε is added outside the square root. State: "lr", "step.<p>", "square_avg.<p>" (s), plus
/// "momentum_buffer.<p>" (b) when μ > 0 and "grad_avg.<p>" (a) when centered.
public struct RMSProp: Optimizer {
    public var learningRate: Double
    public let alpha: Double
    public let epsilon: Double
    public let momentum: Double
    public let centered: Bool
    public let weightDecay: Double
    public let maximize: Bool
    private var slots: ParameterSlots

    public init(learningRate: Double = 1e-2, alpha: Double = 0.99, epsilon: Double = 1e-8, momentum: Double = 0,
                centered: Bool = false, weightDecay: Double = 0, maximize: Bool = false) {
        precondition(learningRate >= 0, "RMSProp: learning rate must be non-negative, got \(learningRate)")
        precondition(alpha >= 0 && alpha <= 1, "RMSProp: alpha must be in [0, 1], got \(alpha)")
        precondition(epsilon >= 0, "RMSProp: epsilon must be non-negative, got \(epsilon)")
        precondition(momentum >= 0, "RMSProp: momentum must be non-negative, got \(momentum)")
        precondition(weightDecay >= 0, "RMSProp: weight decay must be non-negative, got \(weightDecay)")
        self.learningRate = learningRate
        self.alpha = alpha
        self.epsilon = epsilon
        self.momentum = momentum
        self.centered = centered
        self.weightDecay = weightDecay
        self.maximize = maximize
        self.slots = ParameterSlots(
            optimizer: "RMSProp",
            slots: ["square_avg"] + (momentum > 0 ? ["momentum_buffer"] : []) + (centered ? ["grad_avg"] : []),
            countsSteps: true)
    }

    public var state: [String: Tensor] { slots.state(learningRate: learningRate) }

    public mutating func loadState(_ state: [String: Tensor]) throws {
        learningRate = try slots.load(state)
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor]) {
        slots.step(&parameters, gradients: gradients, rule: Rule(
            lr: learningRate, alpha: alpha, epsilon: epsilon, momentum: momentum, centered: centered,
            weightDecay: weightDecay, maximize: maximize))
    }

    private struct Rule: ElementwiseRule {
        let lr, alpha, epsilon, momentum: Double
        let centered: Bool
        let weightDecay: Double
        let maximize: Bool

        func update<T: TensorScalar>(parameter p: UpdateView<T>, buffers: [UpdateView<T>], gradient: UnsafeBufferPointer<T>,
                                     step: Int, fresh: Bool) {
            let square = buffers[0]
            let buffer: UpdateView<T>? = momentum > 0 ? buffers[1] : nil
            let average: UpdateView<T>? = centered ? buffers[momentum > 0 ? 2 : 1] : nil
            let lr = T(lr), a = T(alpha), w = T(1 - alpha), eps = T(epsilon), mu = T(momentum), wd = T(weightDecay)
            for i in 0..<p.count {
                var g = maximize ? -gradient[i] : gradient[i]
                if weightDecay != 0 { g = g + wd * p.old[i] }
                let squareNew = square.old[i] * a + w * g * g
                square.new[i] = squareNew
                var denominator: T
                if let average {
                    let averageNew = lerp(average.old[i], g, w)
                    average.new[i] = averageNew
                    denominator = (squareNew + (-1) * averageNew * averageNew).squareRoot()
                } else {
                    denominator = squareNew.squareRoot()
                }
                denominator = denominator + eps
                if let buffer {
                    let bufferNew = buffer.old[i] * mu + g / denominator
                    buffer.new[i] = bufferNew
                    p.new[i] = p.old[i] + (-lr) * bufferNew
                } else {
                    p.new[i] = p.old[i] + (-lr) * g / denominator
                }
            }
        }
    }
}
