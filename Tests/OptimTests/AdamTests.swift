import Testing
import Tensor
import Optim
import Foundation

@Suite struct AdamTests {
    @Test(arguments: ["adam", "adam_wd"])
    func adamMatchesPyTorch(_ name: String) throws {
        let f = try Fixture(name)
        #expect(f.bool("amsgrad") == false)
        let adam = Adam(learningRate: f.double("lr"), beta1: f.double("beta1"), beta2: f.double("beta2"),
                        epsilon: f.double("eps"), weightDecay: f.double("weight_decay"))
        let deviations = fixtureDeviations(f, adam)
        #expect(deviations.allSatisfy { $0 < 1e-12 }, "\(name): \(deviations)")
    }

    @Test func adamWMatchesPyTorch() throws {
        let f = try Fixture("adamw")
        let adamW = AdamW(learningRate: f.double("lr"), beta1: f.double("beta1"), beta2: f.double("beta2"),
                          epsilon: f.double("eps"), weightDecay: f.double("weight_decay"))
        let deviations = fixtureDeviations(f, adamW)
        #expect(deviations.allSatisfy { $0 < 1e-12 }, "adamw: \(deviations)")
    }

    @Test func stateIsNamedPerParameter() {
        var adam = Adam(learningRate: 0.01)
        var parameters = ["layers.0.weight": Tensor([1.0, 2.0]), "bias": Tensor([0.5])]
        adam.step(&parameters, gradients: ["layers.0.weight": Tensor([0.1, 0.2])])
        adam.step(&parameters, gradients: ["layers.0.weight": Tensor([0.1, 0.2]), "bias": Tensor([1.0])])
        let state = adam.state
        #expect(Set(state.keys) == ["lr", "step.layers.0.weight", "exp_avg.layers.0.weight", "exp_avg_sq.layers.0.weight",
                                    "step.bias", "exp_avg.bias", "exp_avg_sq.bias"])
        #expect(state["step.layers.0.weight"]!.item == 2)
        #expect(state["step.bias"]!.item == 1)
        #expect(state["lr"]!.item == 0.01)
        // After one step m = (1 − β1)·g: the first moment of the bias.
        #expect(abs(state["exp_avg.bias"]!.item - 0.1) < 1e-15)
    }

    /// A parameter large enough to be split over the kernel threads gets the same bits on
    /// one thread and two (the update is element by element).
    @Test func largeParameterSameBitsOnOneThreadAndTwo() {
        defer { KernelThreads.set(1) }
        var key = RandomKey(seed: 31)
        let start = Tensor.normal([300_001], key: key.split())
        let grads = (0..<3).map { _ in Tensor.normal([300_001], key: key.split()) }
        func run(threads: Int) -> [Float] {
            KernelThreads.set(threads)
            var adam = Adam(learningRate: 0.01, weightDecay: 0.1)
            var parameters = ["w": start]
            for g in grads { adam.step(&parameters, gradients: ["w": g]) }
            return parameters["w"]!.floats
        }
        let one = run(threads: 1)
        #expect(one == run(threads: 2))
        #expect(one != start.floats)
    }

    /// The Float32 kernel against the rule written out element by element in Float, for every
    /// decay mode, β1 on both sides of ½ (the two forms of the moment update), maximize, and
    /// lengths with and without a vector tail: the bits must agree exactly, and a NaN gradient
    /// must reach the parameter (divergence checks rely on it).
    @Test(arguments: [(false, 0.0, 0.9, false), (false, 0.1, 0.9, false), (true, 0.1, 0.9, false),
                      (false, 0.0, 0.3, true), (true, 0.05, 0.3, false), (false, 0.1, 0.5, true)])
    func floatKernelMatchesTheScalarRuleBitForBit(_ decoupled: Bool, _ weightDecay: Double, _ beta1: Double,
                                                  _ maximize: Bool) {
        let (lr, beta2, eps) = (0.003, 0.99, 1e-8)
        for count in [7, 8, 37] {
            var key = RandomKey(seed: UInt64(count))
            let start = Tensor.normal([count], key: key.split())
            var grads = (0..<3).map { _ in Tensor.normal([count], key: key.split()).floats }
            grads[2][count / 2] = .nan
            var parameters = ["w": start]
            if decoupled {
                var adamW = AdamW(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay,
                                  maximize: maximize)
                for g in grads { adamW.step(&parameters, gradients: ["w": Tensor(g, shape: [count])]) }
            } else {
                var adam = Adam(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay,
                                maximize: maximize)
                for g in grads { adam.step(&parameters, gradients: ["w": Tensor(g, shape: [count])]) }
            }
            // The reference: PyTorch's `_single_tensor_adam` order, scalars in Double rounded once.
            var p = start.floats, m = [Float](repeating: 0, count: count), v = m
            for (t, g) in grads.enumerated() {
                let step = Double(t + 1)
                let bc1 = 1 - Foundation.pow(beta1, step), bc2 = Float((1 - Foundation.pow(beta2, step)).squareRoot())
                let stepSize = Float(lr / bc1), w1 = Float(1 - beta1), b2 = Float(beta2), w2 = Float(1 - beta2)
                for i in 0..<count {
                    var gi = (maximize ? -1 : 1) * g[i]
                    if decoupled { p[i] = p[i] * Float(1 - lr * weightDecay) } else if weightDecay != 0 {
                        gi = gi + Float(weightDecay) * p[i]
                    }
                    m[i] = w1 < 0.5 ? m[i] + w1 * (gi - m[i]) : gi - (gi - m[i]) * (1 - w1)
                    v[i] = v[i] * b2 + w2 * gi * gi
                    p[i] = p[i] + (-stepSize) * m[i] / (v[i].squareRoot() / bc2 + Float(eps))
                }
            }
            let got = parameters["w"]!.floats
            // NaN's sign bit is not specified by IEEE arithmetic (vector and scalar units set
            // it differently), so NaNs compare as NaNs and every other value by its bits.
            let bits = { (x: [Float]) in x.map { $0.isNaN ? Float.nan.bitPattern : $0.bitPattern } }
            #expect(bits(got) == bits(p), "count \(count)")
            #expect(got[count / 2].isNaN)
            #expect(got.filter(\.isNaN).count == 1)
        }
    }
}
