import Foundation
import Tensor

/// Optimistic Adam (Daskalakis, Ilyas, Syrgkanis, Zeng, "Training GANs with Optimism",
/// ICLR 2018): Adam's normalised direction applied with optimism, i.e. twice the current
/// direction minus the previous one, which damps the cycling of simultaneous gradient play.
///
/// With g = ∇θ (+ λ·θ; negated when `maximize`), step t (per parameter):
///
///     m ← lerp(m, g, 1 − β1);   v ← β2·v + (1 − β2)·g²          (as Adam)
///     u_t = m̂_t / (√v̂_t + ε),   m̂_t = m / (1 − β1ᵗ),  √v̂_t = √v / √(1 − β2ᵗ)
///     θ ← θ − 2η·u_t + η·u_{t−1}                                  (u_0 = 0)
///
/// ε sits outside the square root after bias correction, as in PyTorch's Adam, so with the
/// optimism removed this is exactly `Adam`. The first step is θ − 2η·u_1 (the previous
/// direction starts at zero, as the moments do in the authors' code). u is stored without η,
/// so after a learning-rate change both terms use the current η.
/// State: "lr", "step.<p>", "exp_avg.<p>", "exp_avg_sq.<p>", "prev_update.<p>" (u_{t−1}).
public struct OptimisticAdam: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    public let maximize: Bool
    private var slots = ParameterSlots(optimizer: "OptimisticAdam", slots: ["exp_avg", "exp_avg_sq", "prev_update"], countsSteps: true)

    public init(learningRate: Double = 1e-3, beta1: Double = 0.5, beta2: Double = 0.9, epsilon: Double = 1e-8,
                weightDecay: Double = 0, maximize: Bool = false) {
        AdamRule.check("OptimisticAdam", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.weightDecay = weightDecay
        self.maximize = maximize
    }

    public var state: [String: Tensor] { slots.state(learningRate: learningRate) }

    public mutating func loadState(_ state: [String: Tensor]) throws {
        learningRate = try slots.load(state)
    }

    public mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor]) {
        slots.step(&parameters, gradients: gradients, rule: Rule(
            lr: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay, maximize: maximize))
    }

    private struct Rule: ElementwiseRule {
        let lr, beta1, beta2, epsilon, weightDecay: Double
        let maximize: Bool

        func update<T: TensorScalar>(parameter p: UpdateView<T>, buffers: [UpdateView<T>], gradient: UnsafeBufferPointer<T>,
                                     step: Int, fresh: Bool) {
            let m = buffers[0], v = buffers[1], previous = buffers[2]
            let bc1 = T(1 - Foundation.pow(beta1, Double(step)))
            let bc2Sqrt = T((1 - Foundation.pow(beta2, Double(step))).squareRoot())
            let w1 = T(1 - beta1), b2 = T(beta2), w2 = T(1 - beta2), eps = T(epsilon), wd = T(weightDecay), lr = T(lr)
            for i in 0..<p.count {
                var g = maximize ? -gradient[i] : gradient[i]
                if weightDecay != 0 { g = g + wd * p.old[i] }
                let mNew = lerp(m.old[i], g, w1), vNew = v.old[i] * b2 + w2 * g * g
                m.new[i] = mNew
                v.new[i] = vNew
                let u = (mNew / bc1) / (vNew.squareRoot() / bc2Sqrt + eps)
                p.new[i] = p.old[i] - 2 * lr * u + lr * previous.old[i]
                previous.new[i] = u
            }
        }
    }
}
