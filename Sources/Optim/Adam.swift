import Foundation
import Tensor

/// Adam exactly as `torch.optim.Adam` (amsgrad off) defines it, with L2 weight decay
/// folded into the gradient. With g = ∇θ (negated when `maximize`), step t (per parameter):
///
///     g ← g + λ·θ
///     m ← lerp(m, g, 1 − β1)            (= β1·m + (1 − β1)·g)
///     v ← β2·v + (1 − β2)·g²
///     θ ← θ − (η / (1 − β1ᵗ)) · m / (√v / √(1 − β2ᵗ) + ε)
///
/// ε is added outside the square root, after bias correction, as PyTorch does.
/// State: "lr", "step.<p>", "exp_avg.<p>" (m), "exp_avg_sq.<p>" (v).
public struct Adam: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    public let maximize: Bool
    private var slots = ParameterSlots(optimizer: "Adam", slots: ["exp_avg", "exp_avg_sq"], countsSteps: true)

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 0, maximize: Bool = false) {
        AdamRule.check("Adam", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
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
        slots.step(&parameters, gradients: gradients, rule: AdamRule(
            lr: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupled: false, maximize: maximize))
    }
}

/// AdamW exactly as `torch.optim.AdamW` (amsgrad off) defines it: weight decay is decoupled
/// from the gradient and applied to the parameter before the Adam update,
///
///     θ ← θ·(1 − η·λ)
///
/// then the Adam step above with λ = 0. State as Adam's.
public struct AdamW: Optimizer {
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let weightDecay: Double
    public let maximize: Bool
    private var slots = ParameterSlots(optimizer: "AdamW", slots: ["exp_avg", "exp_avg_sq"], countsSteps: true)

    public init(learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8,
                weightDecay: Double = 1e-2, maximize: Bool = false) {
        AdamRule.check("AdamW", learningRate: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon, weightDecay: weightDecay)
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
        slots.step(&parameters, gradients: gradients, rule: AdamRule(
            lr: learningRate, beta1: beta1, beta2: beta2, epsilon: epsilon,
            weightDecay: weightDecay, decoupled: true, maximize: maximize))
    }
}

/// The shared Adam/AdamW update, in PyTorch's operation order (`_single_tensor_adam`).
struct AdamRule: ElementwiseRule {
    let lr, beta1, beta2, epsilon, weightDecay: Double
    let decoupled: Bool
    let maximize: Bool

    static func check(_ name: String, learningRate: Double, beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double) {
        precondition(learningRate >= 0, "\(name): learning rate must be non-negative, got \(learningRate)")
        precondition((0..<1).contains(beta1), "\(name): beta1 must be in [0, 1), got \(beta1)")
        precondition((0..<1).contains(beta2), "\(name): beta2 must be in [0, 1), got \(beta2)")
        precondition(epsilon >= 0, "\(name): epsilon must be non-negative, got \(epsilon)")
        precondition(weightDecay >= 0, "\(name): weight decay must be non-negative, got \(weightDecay)")
    }

    func update<T: TensorScalar>(parameter p: UnsafeMutableBufferPointer<T>, buffers: [UnsafeMutableBufferPointer<T>],
                                 gradient: UnsafeBufferPointer<T>, step: Int, fresh: Bool) {
        let m = buffers[0], v = buffers[1]
        // Scalars are computed in Double (Python floats in PyTorch), then rounded to T once.
        let biasCorrection1 = 1 - Foundation.pow(beta1, Double(step))
        let biasCorrection2Sqrt = (1 - Foundation.pow(beta2, Double(step))).squareRoot()
        let stepSize = T(lr / biasCorrection1), bc2 = T(biasCorrection2Sqrt)
        let w1 = T(1 - beta1), b2 = T(beta2), w2 = T(1 - beta2), eps = T(epsilon)
        let wd = T(weightDecay), shrink = T(1 - lr * weightDecay)
        let sign: T = maximize ? -1 : 1
        let lowWeight = w1 < 0.5, oneMinusW1 = 1 - w1
        let pp = p.baseAddress!, mp = m.baseAddress!, vp = v.baseAddress!, gp = gradient.baseAddress!
        if T.self == Float.self {
            // Through the generic T the loop stays scalar (sqrtss/divss); explicit SIMD lanes
            // run the same IEEE operations in the same order, element by element.
            let f = { (x: UnsafeMutablePointer<T>) in UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self) }
            let kernel = AdamFloatKernel(
                stepSize: Float(lr / biasCorrection1), bc2: Float(biasCorrection2Sqrt), w1: Float(1 - beta1),
                b2: Float(beta2), w2: Float(1 - beta2), eps: Float(epsilon), wd: Float(weightDecay),
                shrink: Float(1 - lr * weightDecay), sign: maximize ? -1 : 1,
                decay: weightDecay != 0, decoupled: decoupled
            )
            let (fp, fm, fv) = (f(pp), f(mp), f(vp))
            let fg = UnsafeRawPointer(gp).assumingMemoryBound(to: Float.self)
            // Element by element, so splitting a large parameter over the kernel threads
            // changes no bit.
            KernelThreads.forEachSlice(of: p.count) { range in
                let start = range.lowerBound
                kernel.run(p: fp + start, m: fm + start, v: fv + start, g: fg + start, count: range.count)
            }
            return
        }
        // Float64 (and the reference for the Float kernel): one loop body, specialised for
        // with/without weight decay; the `lerp` split is a select on a loop-invariant
        // condition and ±1·g is exact.
        @inline(__always) func run(decay: Bool) {
            for i in 0..<p.count {
                var g = sign * gp[i]
                if decay {
                    if decoupled { pp[i] = pp[i] * shrink } else { g = g + wd * pp[i] }
                }
                let mi = mp[i]
                let mNew = lowWeight ? mi + w1 * (g - mi) : g - (g - mi) * oneMinusW1
                mp[i] = mNew
                let vNew = vp[i] * b2 + w2 * g * g
                vp[i] = vNew
                let denominator = vNew.squareRoot() / bc2 + eps
                pp[i] = pp[i] + (-stepSize) * mNew / denominator
            }
        }
        if weightDecay != 0 { run(decay: true) } else { run(decay: false) }
    }
}

/// The Adam/AdamW update for Float32 tensors, eight lanes at a time, then a scalar tail. Each
/// lane performs exactly the scalar rule's operations (no fused multiply-add), so results
/// equal `AdamRule`'s generic loop bit for bit.
struct AdamFloatKernel {
    let stepSize, bc2, w1, b2, w2, eps, wd, shrink, sign: Float
    let decay, decoupled: Bool

    func run(p: UnsafeMutablePointer<Float>, m: UnsafeMutablePointer<Float>, v: UnsafeMutablePointer<Float>,
             g: UnsafePointer<Float>, count n: Int) {
        switch (decay, decoupled) {
        case (false, _): loop(p, m, v, g, n, decayMode: 0)
        case (true, false): loop(p, m, v, g, n, decayMode: 1)
        case (true, true): loop(p, m, v, g, n, decayMode: 2)
        }
    }

    /// decayMode: 0 none, 1 L2 folded into the gradient, 2 decoupled (AdamW).
    @inline(__always)
    private func loop(_ p: UnsafeMutablePointer<Float>, _ m: UnsafeMutablePointer<Float>, _ v: UnsafeMutablePointer<Float>,
                      _ g: UnsafePointer<Float>, _ n: Int, decayMode: Int) {
        let lowWeight = w1 < 0.5, oneMinusW1 = 1 - w1, negativeStep = -stepSize
        typealias V = SIMD8<Float>
        @inline(__always) func load(_ x: UnsafePointer<Float>, _ i: Int) -> V {
            UnsafeRawPointer(x + i).loadUnaligned(as: V.self)
        }
        @inline(__always) func store(_ value: V, _ x: UnsafeMutablePointer<Float>, _ i: Int) {
            UnsafeMutableRawPointer(x + i).storeBytes(of: value, as: V.self)
        }
        var i = 0
        while i + 8 <= n {
            var gi = V(repeating: sign) * load(g, i)
            var pi = load(p, i)
            if decayMode == 2 { pi = pi * shrink } else if decayMode == 1 { gi = gi + wd * pi }
            let mi = load(m, i)
            let mNew = lowWeight ? mi + w1 * (gi - mi) : gi - (gi - mi) * oneMinusW1
            store(mNew, m, i)
            let vNew = load(v, i) * b2 + w2 * gi * gi
            store(vNew, v, i)
            let denominator = vNew.squareRoot() / bc2 + eps
            store(pi + negativeStep * mNew / denominator, p, i)
            i += 8
        }
        while i < n {
            var gi = sign * g[i]
            var pi = p[i]
            if decayMode == 2 { pi = pi * shrink } else if decayMode == 1 { gi = gi + wd * pi }
            let mi = m[i]
            let mNew = lowWeight ? mi + w1 * (gi - mi) : gi - (gi - mi) * oneMinusW1
            m[i] = mNew
            let vNew = v[i] * b2 + w2 * gi * gi
            v[i] = vNew
            let denominator = vNew.squareRoot() / bc2 + eps
            p[i] = pi + negativeStep * mNew / denominator
            i += 1
        }
    }
}
