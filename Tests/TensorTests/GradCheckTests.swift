import Testing
import Tensor

/// The checker itself: it must reject wrong gradients at first and at second order, or the
/// passing gradient suites would prove nothing.
@Suite struct GradCheckTests {
    @Test func rejectsAWrongFirstOrderGradient() {
        // x · detached(x): the true derivative is 2x, autodiff sees only x.
        withKnownIssue("the checker must flag the missing path") {
            GradCheck.check("x·detached(x)", [Inputs.uniform([4], seed: 1)], secondOrder: false) { $0[0] * $0[0].detached() }
        }
    }

    @Test func rejectsAWrongSecondOrderGradient() {
        // f = x·s + 2(x − xᵈ)·s with s = (xᵈ)² (ᵈ: detached) has the value x³ and the right
        // gradient 3x², but that gradient is built from constants only, so autodiff sees a
        // zero Hessian where the true one is 6x.
        withKnownIssue("the checker must flag a wrong Hessian") {
            GradCheck.check("x³ with a detached square", [Inputs.positive([3], seed: 2)]) { x in
                let s = x[0].detached().squared()
                return x[0] * s + 2 * (x[0] - x[0].detached()) * s
            }
        }
    }

    @Test func acceptsACorrectGradient() {
        GradCheck.check("x³", [Inputs.uniform([5], seed: 3)]) { $0[0] * $0[0] * $0[0] }
    }
}
