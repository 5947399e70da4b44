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

    func update<T: TensorScalar>(parameter p: UpdateView<T>, buffers: [UpdateView<T>], gradient: UnsafeBufferPointer<T>,
                                 step: Int, fresh: Bool) {
        let m = buffers[0], v = buffers[1]
        // Scalars are computed in Double (Python floats in PyTorch), then rounded to T once.
        let biasCorrection1 = 1 - Foundation.pow(beta1, Double(step))
        let biasCorrection2Sqrt = (1 - Foundation.pow(beta2, Double(step))).squareRoot()
        let stepSize = T(lr / biasCorrection1), bc2 = T(biasCorrection2Sqrt)
        let w1 = T(1 - beta1), b2 = T(beta2), w2 = T(1 - beta2), eps = T(epsilon)
        let wd = T(weightDecay), shrink = T(1 - lr * weightDecay)
        let sign: T = maximize ? -1 : 1
        let lowWeight = w1 < 0.5, oneMinusW1 = 1 - w1
        let gp = gradient.baseAddress!
        if T.self == Float.self {
            // Through the generic T the loop stays scalar (sqrtss/divss); the concrete Float
            // loop below vectorises and runs the same IEEE operations in the same order.
            func float(_ view: UpdateView<T>) -> FloatUpdate {
                FloatUpdate(old: UnsafeRawPointer(view.old.baseAddress!).assumingMemoryBound(to: Float.self),
                            new: UnsafeMutableRawPointer(view.new.baseAddress!).assumingMemoryBound(to: Float.self))
            }
            let kernel = AdamFloatKernel(
                stepSize: Float(lr / biasCorrection1), bc2: Float(biasCorrection2Sqrt), w1: Float(1 - beta1),
                b2: Float(beta2), w2: Float(1 - beta2), eps: Float(epsilon), wd: Float(weightDecay),
                shrink: Float(1 - lr * weightDecay), sign: maximize ? -1 : 1,
                decay: weightDecay != 0, decoupled: decoupled
            )
            let (fp, fm, fv) = (float(p), float(m), float(v))
            let fg = UnsafeRawPointer(gp).assumingMemoryBound(to: Float.self)
            // Element by element, so splitting a large parameter over the kernel threads
            // changes no bit.
            KernelThreads.forEachSlice(of: p.count) { range in
                let start = range.lowerBound
                kernel.run(p: fp.advanced(by: start), m: fm.advanced(by: start), v: fv.advanced(by: start), g: fg + start,
                           count: range.count, inPlace: p.inPlace)
            }
            return
        }
        // Float64 (and the reference for the Float kernel): one loop body, specialised for
        // with/without weight decay; the `lerp` split is a select on a loop-invariant
        // condition and ±1·g is exact.
        @inline(__always) func run(decay: Bool) {
            for i in 0..<p.count {
                var g = sign * gp[i]
                var pi = p.old[i]
                if decay {
                    if decoupled { pi = pi * shrink } else { g = g + wd * pi }
                }
                let mi = m.old[i]
                let mNew = lowWeight ? mi + w1 * (g - mi) : g - (g - mi) * oneMinusW1
                m.new[i] = mNew
                let vNew = v.old[i] * b2 + w2 * g * g
                v.new[i] = vNew
                let denominator = vNew.squareRoot() / bc2 + eps
                p.new[i] = pi + (-stepSize) * mNew / denominator
            }
        }
        if weightDecay != 0 { run(decay: true) } else { run(decay: false) }
    }
}

/// The Adam/AdamW update for Float32 tensors as a scalar loop over plain pointers, which LLVM
/// vectorises. Each element gets exactly the scalar rule's operations in its order (Swift
/// contracts nothing into fused multiply-adds), so results equal `AdamRule`'s generic loop bit
/// for bit. An earlier version on explicit `SIMD8<Float>` lanes had its square root split into
/// eight scalar `sqrtf` calls with their errno branches (the generic SIMD `squareRoot()`), which
/// made Adam ~11 % of a `pacgan-ring` training step.
struct AdamFloatKernel {
    let stepSize, bc2, w1, b2, w2, eps, wd, shrink, sign: Float
    let decay, decoupled: Bool

    /// All three updates are in place (`old` and `new` the same memory) or all out of place
    /// (disjoint; see `UpdateView`). The two cases run separate copies of the loop: with one
    /// pointer for both, LLVM sees that element i is read before it is written and vectorises
    /// without the run-time overlap check that would send identical pointers down its scalar path.
    func run(p: FloatUpdate, m: FloatUpdate, v: FloatUpdate, g: UnsafePointer<Float>, count n: Int, inPlace: Bool) {
        if inPlace {
            run(FloatUpdate(inPlace: p.new), FloatUpdate(inPlace: m.new), FloatUpdate(inPlace: v.new), g, n)
        } else {
            run(p, m, v, g, n)
        }
    }

    @inline(__always)
    private func run(_ p: FloatUpdate, _ m: FloatUpdate, _ v: FloatUpdate, _ g: UnsafePointer<Float>, _ n: Int) {
        switch (decay, decoupled, w1 < 0.5) {
        case (false, _, true): loop(p, m, v, g, n, decayMode: 0, lowWeight: true)
        case (false, _, false): loop(p, m, v, g, n, decayMode: 0, lowWeight: false)
        case (true, false, true): loop(p, m, v, g, n, decayMode: 1, lowWeight: true)
        case (true, false, false): loop(p, m, v, g, n, decayMode: 1, lowWeight: false)
        case (true, true, true): loop(p, m, v, g, n, decayMode: 2, lowWeight: true)
        case (true, true, false): loop(p, m, v, g, n, decayMode: 2, lowWeight: false)
        }
    }

    /// decayMode: 0 none, 1 L2 folded into the gradient, 2 decoupled (AdamW). Both it and
    /// `lowWeight` are constants after inlining, so the loop body has no branch.
    @inline(__always)
    private func loop(_ p: FloatUpdate, _ m: FloatUpdate, _ v: FloatUpdate, _ g: UnsafePointer<Float>, _ n: Int,
                      decayMode: Int, lowWeight: Bool) {
        let oneMinusW1 = 1 - w1, negativeStep = -stepSize
        for i in 0..<n {
            var gi = sign * g[i]
            var pi = p.old[i]
            if decayMode == 2 { pi = pi * shrink } else if decayMode == 1 { gi = gi + wd * pi }
            let mi = m.old[i]
            let mNew = lowWeight ? mi + w1 * (gi - mi) : gi - (gi - mi) * oneMinusW1
            m.new[i] = mNew
            let vNew = v.old[i] * b2 + w2 * gi * gi
            v.new[i] = vNew
            // vNew ≥ 0 (or NaN, which `max` passes through unchanged): the max changes no value
            // but lets LLVM prove the root needs no errno path, so it becomes a vector sqrt.
            let denominator = Swift.max(vNew, 0).squareRoot() / bc2 + eps
            p.new[i] = pi + negativeStep * mNew / denominator
        }
    }
}

/// One Float tensor's `UpdateView` as raw pointers for `AdamFloatKernel`.
struct FloatUpdate {
    let old: UnsafePointer<Float>
    let new: UnsafeMutablePointer<Float>

    init(old: UnsafePointer<Float>, new: UnsafeMutablePointer<Float>) {
        self.old = old
        self.new = new
    }

    /// Both pointers from one value, so the optimiser sees the aliasing.
    init(inPlace pointer: UnsafeMutablePointer<Float>) {
        self.init(old: UnsafePointer(pointer), new: pointer)
    }

    func advanced(by offset: Int) -> FloatUpdate { FloatUpdate(old: old + offset, new: new + offset) }
}
