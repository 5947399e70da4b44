import Testing
import Tensor

/// Finite-difference checks of first- and second-order gradients, in Float64.
///
/// For an op `y = op(x₀, x₁, …)` the checker differentiates the scalar f = Σ y ⊙ R (R a fixed
/// random cotangent, so every output element and every direction of the vector–Jacobian
/// product is exercised) and compares `gradients(of:wrt:)` with central differences.
///
/// Second order: with `createGraph: true` it forms two scalars from the first-order gradients
/// and differentiates them with respect to *every* input:
///   g₁ = Σᵢ ⟨∂f/∂xᵢ, Vᵢ⟩  (a Hessian–vector product, Vᵢ random), and
///   g₂ = ‖∂f/∂x₀‖²        (a gradient penalty in x₀, differentiated also in the other
///                          inputs, which play the role of parameters).
/// The reference is a central difference of the first-order gradient, computed without a graph.
///
/// Tolerance. A central difference with step h has truncation error h²·|f‴|/6 ≈ 1e-13 for the
/// smooth, O(1)-scaled functions used here, and round-off error ≈ κ·ε·|f|/h, where
/// ε = 2.2e-16 and κ ≲ 100 is how much evaluating f (sums of a few dozen O(1) terms) amplifies
/// rounding: ≈ 2e-8·max(1, |f|) for h = 1e-6. We therefore accept
///   |analytic − numeric| ≤ 1e-6 · max(|analytic|, |numeric|, floor),  floor = 0.1·max(1, |f|),
/// i.e. a relative error of 1e-6 for entries of ordinary size and an absolute error of
/// 1e-7·max(1, |f|) (five times the round-off estimate) for entries near zero. A wrong rule
/// (a missing factor, a transposed operand, a dropped broadcast term) is off by O(1).
enum GradCheck {
    static let step = 1e-6
    static let relativeTolerance = 1e-6

    /// Checks first- and (unless `secondOrder` is false) second-order gradients of `op` at
    /// `inputs` (Float64, no graph attached).
    static func check(_ name: String, _ inputs: [Tensor], secondOrder: Bool = true, seed: UInt64 = 1234,
                      sourceLocation: SourceLocation = #_sourceLocation, _ op: @escaping ([Tensor]) -> Tensor) {
        for x in inputs {
            precondition(x.dtype == .float64, "GradCheck: inputs must be Float64")
        }
        let key = RandomKey(seed: seed)
        let outputShape = op(inputs).shape
        let cotangent = Tensor.uniform(outputShape, low: -1, high: 1, key: key.folded(in: 1), dtype: .float64)
        let f: ([Tensor]) -> Tensor = { xs in (op(xs) * cotangent).sum() }

        // First order.
        let leaves = inputs.map { $0.requiringGrad() }
        let value = f(leaves)
        let analytic = gradients(of: value, wrt: leaves)
        let numeric = centralDifferences(inputs) { f($0).item }
        for i in inputs.indices {
            #expect(analytic[i].shape == inputs[i].shape, "\(name): ∂f/∂x\(i) has shape \(analytic[i].shape)",
                    sourceLocation: sourceLocation)
            #expect(!analytic[i].requiresGrad, "\(name): createGraph false must return plain data",
                    sourceLocation: sourceLocation)
            expectClose(analytic[i].doubles, numeric[i], scale: value.item,
                        "\(name): first-order gradient wrt input \(i)", sourceLocation: sourceLocation)
        }
        guard secondOrder else { return }

        // With createGraph the first-order values must not change.
        let attached = gradients(of: f(leaves), wrt: leaves, createGraph: true)
        for i in inputs.indices {
            expectClose(attached[i].doubles, analytic[i].doubles, scale: 1,
                        "\(name): createGraph changes ∂f/∂x\(i)", sourceLocation: sourceLocation)
        }

        // g₁: Hessian–vector product with random directions.
        let directions = inputs.indices.map { i in
            Tensor.uniform(inputs[i].shape, low: -1, high: 1, key: key.folded(in: 100 + UInt64(i)), dtype: .float64)
        }
        let hvp: ([Tensor]) -> Tensor = { leaves in
            let grads = gradients(of: f(leaves), wrt: leaves, createGraph: true)
            var total = Tensor(scalar: 0, dtype: .float64)
            for (g, v) in zip(grads, directions) { total = total + (g * v).sum() }
            return total
        }
        compareSecondOrder(name: "\(name): ∂/∂x ⟨∇f, V⟩", inputs: inputs, scalar: hvp,
                           plainValue: { xs in
                               let leaves = xs.map { $0.requiringGrad() }
                               let g = gradients(of: f(leaves), wrt: leaves)
                               return zip(g, directions).reduce(0) { $0 + dot($1.0.doubles, $1.1.doubles) }
                           }, sourceLocation: sourceLocation)

        // g₂: squared norm of the gradient in the first input.
        let penalty: ([Tensor]) -> Tensor = { leaves in
            gradients(of: f(leaves), wrt: [leaves[0]], createGraph: true)[0].squared().sum()
        }
        compareSecondOrder(name: "\(name): ∂/∂x ‖∂f/∂x₀‖²", inputs: inputs, scalar: penalty,
                           plainValue: { xs in
                               let leaves = xs.map { $0.requiringGrad() }
                               let g = gradients(of: f(leaves), wrt: [leaves[0]])[0].doubles
                               return dot(g, g)
                           }, sourceLocation: sourceLocation)
    }

    private static func compareSecondOrder(name: String, inputs: [Tensor], scalar: ([Tensor]) -> Tensor,
                                           plainValue: ([Tensor]) -> Double, sourceLocation: SourceLocation) {
        let leaves = inputs.map { $0.requiringGrad() }
        let value = scalar(leaves)
        let analytic = gradients(of: value, wrt: leaves)
        let numeric = centralDifferences(inputs, plainValue)
        for i in inputs.indices {
            expectClose(analytic[i].doubles, numeric[i], scale: value.item, "\(name) wrt input \(i)",
                        sourceLocation: sourceLocation)
        }
    }

    /// ∂value/∂xᵢ[j] by central differences, one element at a time.
    static func centralDifferences(_ inputs: [Tensor], _ value: ([Tensor]) -> Double) -> [[Double]] {
        inputs.indices.map { i in
            (0..<inputs[i].count).map { j in
                var shifted = inputs
                shifted[i] = perturbed(inputs[i], at: j, by: step)
                let plus = value(shifted)
                shifted[i] = perturbed(inputs[i], at: j, by: -step)
                let minus = value(shifted)
                return (plus - minus) / (2 * step)
            }
        }
    }

    private static func perturbed(_ x: Tensor, at j: Int, by delta: Double) -> Tensor {
        var copy = x.detached()
        copy.withUnsafeMutableBufferPointer(as: Double.self) { $0[j] += delta }
        return copy
    }

    static func expectClose(_ analytic: [Double], _ numeric: [Double], scale: Double, _ what: String,
                            sourceLocation: SourceLocation) {
        #expect(analytic.count == numeric.count, "\(what): \(analytic.count) vs \(numeric.count) values",
                sourceLocation: sourceLocation)
        let floor = 0.1 * Swift.max(1, Swift.abs(scale))
        var worst = (index: -1, error: 0.0, allowed: 0.0)
        for (j, (a, n)) in zip(analytic, numeric).enumerated() {
            let error = Swift.abs(a - n)
            let allowed = relativeTolerance * Swift.max(Swift.abs(a), Swift.abs(n), floor)
            if !(error <= allowed) && (worst.index < 0 || error / allowed > worst.error / worst.allowed || error.isNaN) {
                worst = (j, error, allowed)
            }
        }
        if worst.index >= 0 {
            let j = worst.index
            Issue.record("\(what): element \(j) analytic \(analytic[j]) vs numeric \(numeric[j]) (error \(worst.error), allowed \(worst.allowed))",
                         sourceLocation: sourceLocation)
        }
    }

    static func dot(_ a: [Double], _ b: [Double]) -> Double {
        zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
    }
}

/// Deterministic Float64 inputs for gradient checks.
enum Inputs {
    /// Uniform in [low, high).
    static func uniform(_ shape: [Int], _ low: Double = -1.5, _ high: Double = 1.5, seed: UInt64) -> Tensor {
        Tensor.uniform(shape, low: low, high: high, key: RandomKey(seed: seed), dtype: .float64)
    }

    /// Magnitudes in [0.3, 1.5] with random signs: kinks at 0 stay far beyond the step.
    static func awayFromZero(_ shape: [Int], seed: UInt64) -> Tensor {
        let key = RandomKey(seed: seed)
        let magnitude = Tensor.uniform(shape, low: 0.3, high: 1.5, key: key.folded(in: 0), dtype: .float64)
        let sign = Tensor.bernoulli(shape, p: 0.5, key: key.folded(in: 1), dtype: .float64) * 2 - 1
        return magnitude * sign
    }

    /// Positive values in [low, high).
    static func positive(_ shape: [Int], _ low: Double = 0.5, _ high: Double = 2, seed: UInt64) -> Tensor {
        uniform(shape, low, high, seed: seed)
    }
}

/// Value comparisons shared by the suite.
func expectValues(_ t: Tensor, _ expected: [Double], tolerance: Double = 1e-12, _ what: String = "",
                  sourceLocation: SourceLocation = #_sourceLocation) {
    let got = t.doubles
    #expect(got.count == expected.count, "\(what): \(got.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    for (i, (g, e)) in zip(got, expected).enumerated() where !(Swift.abs(g - e) <= tolerance * Swift.max(1, Swift.abs(e))) {
        Issue.record("\(what): element \(i) is \(g), expected \(e)", sourceLocation: sourceLocation)
        return
    }
}
