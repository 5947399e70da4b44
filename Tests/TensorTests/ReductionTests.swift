import Foundation
import Testing
import Tensor

/// Sums, means, maxima, log-sum-exp, softmax, norms, and broadcasting's pair
/// `expanded(to:)` / `sum(toShape:)`.
@Suite struct ReductionTests {
    static let cases: [OpCase] = [
        OpCase("sum()", inputs: { [Inputs.uniform([2, 3, 4], seed: 1)] }) { ($0[0] * $0[0]).sum() },
        OpCase("sum(axes: [0, 2])", inputs: { [Inputs.uniform([2, 3, 4], seed: 2)] }) { $0[0].squared().sum(axes: [0, 2]) },
        OpCase("sum(axes: [0, 2], keepDims)", inputs: { [Inputs.uniform([2, 3, 4], seed: 3)] }) {
            $0[0].squared().sum(axes: [0, 2], keepDims: true)
        },
        OpCase("sum(axis: −1)", inputs: { [Inputs.uniform([2, 3, 4], seed: 4)] }) { $0[0].exp().sum(axis: -1) },
        OpCase("sum over a size-1 axis", inputs: { [Inputs.uniform([3, 1], seed: 5)] }) { $0[0].squared().sum(axis: 1) },
        OpCase("mean()", inputs: { [Inputs.uniform([3, 4], seed: 6)] }) { $0[0].squared().mean() },
        OpCase("mean(axes: [1])", inputs: { [Inputs.uniform([3, 4], seed: 7)] }) { $0[0].squared().mean(axes: [1]) },
        OpCase("mean(axis: 0, keepDims)", inputs: { [Inputs.uniform([3, 4], seed: 8)] }) {
            $0[0].squared().mean(axis: 0, keepDims: true) * $0[0]
        },
        OpCase("max(axis: 1)", inputs: { [Inputs.uniform([3, 5], seed: 9)] }) { $0[0].max(axis: 1).squared() },
        OpCase("max(axis: 0, keepDims)", inputs: { [Inputs.uniform([3, 5], seed: 10)] }) {
            $0[0].max(axis: 0, keepDims: true) * $0[0]
        },
        OpCase("max(axis: 1) of rank 3", inputs: { [Inputs.uniform([2, 3, 2], seed: 11)] }) { $0[0].max(axis: 1).exp() },
        OpCase("max()", inputs: { [Inputs.uniform([3, 4], seed: 12)] }) { $0[0].max().squared() + $0[0].sum() },
        OpCase("logSumExp(axis: 1)", inputs: { [Inputs.uniform([3, 4], -3, 3, seed: 13)] }) { $0[0].logSumExp(axis: 1) },
        OpCase("logSumExp(axis: 0, keepDims)", inputs: { [Inputs.uniform([3, 4], -3, 3, seed: 14)] }) {
            $0[0].logSumExp(axis: 0, keepDims: true) * $0[0]
        },
        OpCase("softmax(axis: 1)", inputs: { [Inputs.uniform([3, 4], -2, 2, seed: 15)] }) { $0[0].softmax(axis: 1) },
        OpCase("softmax(axis: 0)", inputs: { [Inputs.uniform([3, 4], -2, 2, seed: 16)] }) { $0[0].softmax(axis: 0) },
        OpCase("logSoftmax(axis: −1)", inputs: { [Inputs.uniform([2, 2, 3], -2, 2, seed: 17)] }) { $0[0].logSoftmax(axis: -1) },
        OpCase("norm()", inputs: { [Inputs.uniform([3, 4], seed: 18)] }) { $0[0].norm() },
        OpCase("norm(axes: [1])", inputs: { [Inputs.uniform([3, 4], seed: 19)] }) { $0[0].norm(axes: [1]) },
        OpCase("norm(axes: [1, 2], keepDims)", inputs: { [Inputs.uniform([2, 2, 3], seed: 20)] }) {
            $0[0].norm(axes: [1, 2], keepDims: true) * $0[0]
        },
        OpCase("norm(axes: [−1])", inputs: { [Inputs.uniform([3, 4], seed: 21)] }) { $0[0].norm(axes: [-1]).squared() },
        OpCase("expanded(to:) [3,1] → [2,3,4]", inputs: { [Inputs.uniform([3, 1], seed: 22)] }) {
            $0[0].expanded(to: [2, 3, 4]).squared()
        },
        OpCase("expanded(to:) scalar → [2,3]", inputs: { [Inputs.uniform([], seed: 23)] }) {
            $0[0].expanded(to: [2, 3]) * Tensor([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        },
        OpCase("sum(toShape:) [2,3,4] → [3,1]", inputs: { [Inputs.uniform([2, 3, 4], seed: 24)] }) {
            $0[0].squared().sum(toShape: [3, 1])
        },
        OpCase("sum(toShape:) [2,3,4] → [1,4]", inputs: { [Inputs.uniform([2, 3, 4], seed: 25)] }) {
            $0[0].squared().sum(toShape: [1, 4])
        },
        OpCase("sum(toShape:) [2,3] → []", inputs: { [Inputs.uniform([2, 3], seed: 26)] }) {
            $0[0].squared().sum(toShape: [])
        },
    ]

    @Test(arguments: cases)
    func reductionGradients(_ c: OpCase) { c.check() }

    // MARK: values

    @Test func sumAndMeanValues() {
        let x = Tensor((1...24).map(Double.init), shape: [2, 3, 4])
        #expect(x.sum().shape == [])
        expectValues(x.sum(), [300])
        let s = x.sum(axes: [0, 2])
        #expect(s.shape == [3])
        expectValues(s, [1 + 2 + 3 + 4 + 13 + 14 + 15 + 16, 5 + 6 + 7 + 8 + 17 + 18 + 19 + 20, 9 + 10 + 11 + 12 + 21 + 22 + 23 + 24])
        #expect(x.sum(axes: [0, 2], keepDims: true).shape == [1, 3, 1])
        expectValues(x.sum(axis: -1), [10, 26, 42, 58, 74, 90])
        expectValues(x.sum(axis: 0), (1...12).map { Double($0 + $0 + 12) })
        expectValues(x.mean(), [12.5])
        expectValues(x.mean(axes: [1]), [5, 6, 7, 8, 17, 18, 19, 20])
        #expect(x.mean(axis: 2, keepDims: true).shape == [2, 3, 1])
        // Long rows exercise the four-accumulator loop and its tail.
        let long = Tensor((0..<103).map(Double.init), shape: [1, 103])
        expectValues(long.sum(axis: 1), [Double(102 * 103 / 2)])
        let float = Tensor((0..<1001).map { Float($0) }, shape: [1001])
        expectValues(float.sum(), [500_500])
    }

    @Test func maxValuesAndArgmax() {
        let x = Tensor([1.0, 5, 3, 7, 2, 7], shape: [2, 3])
        expectValues(x.max(axis: 1), [5, 7])
        expectValues(x.max(axis: 0), [7, 5, 7])
        expectValues(x.max(), [7])
        #expect(x.max(axis: 1, keepDims: true).shape == [2, 1])
        #expect(x.argmax(axis: 1) == [1, 0])
        #expect(x.argmax(axis: 0) == [1, 0, 1])
        // Ties: the first maximal element wins, and gets the whole gradient.
        let ties = Tensor([2.0, 2, 1, 1, 3, 3], shape: [2, 3])
        #expect(ties.argmax(axis: 1) == [0, 1])
        let leaf = ties.requiringGrad()
        expectValues(gradient(of: leaf.max(axis: 1).sum(), wrt: leaf), [1, 0, 0, 0, 1, 0])
        let columns = Tensor([1.0, 4, 4, 4, 1, 2], shape: [2, 3]).requiringGrad()
        expectValues(gradient(of: columns.max(axis: 0).sum(), wrt: columns), [0, 1, 1, 1, 0, 0])
    }

    @Test func logSumExpSoftmaxValues() {
        let x = Tensor([1.0, 2, 3, 0, 0, 0], shape: [2, 3])
        let lse = x.logSumExp(axis: 1)
        expectValues(lse, [Foundation.log(Foundation.exp(1 as Double) + Foundation.exp(2 as Double) + Foundation.exp(3 as Double)), Foundation.log(3 as Double)])
        let sm = x.softmax(axis: 1)
        expectValues(sm.sum(axis: 1), [1, 1])
        expectValues(sm.slice(axis: 0, 1..<2), [1.0 / 3, 1.0 / 3, 1.0 / 3])
        expectValues(x.logSoftmax(axis: 1), (x - x.logSumExp(axis: 1, keepDims: true)).doubles)
    }

    /// Rows offset by ±800 must not overflow in either dtype; gradients stay a softmax.
    @Test(arguments: [DType.float32, .float64])
    func logSumExpStableAtLargeOffsets(dtype: DType) {
        let x = Tensor([800.0, 801, 802, -800, -801, -802], shape: [2, 3], dtype: dtype).requiringGrad()
        let lse = x.logSumExp(axis: 1)
        let tail = Foundation.log(1 + Foundation.exp(-1.0 as Double) + Foundation.exp(-2.0 as Double))
        #expect(lse.isFinite)
        expectValues(lse, [802 + tail, -800 + tail], tolerance: 1e-6)
        let g = gradient(of: lse.sum(), wrt: x)
        #expect(g.isFinite)
        // The softmax is exp(x − lse) with lse rounded to its dtype: at |x| ≈ 800 one Float32
        // ulp is 6e-5, so the rows sum to 1 only within that.
        expectValues(g.sum(axis: 1), [1, 1], tolerance: dtype == .float32 ? 2e-4 : 1e-12)
        #expect(x.softmax(axis: 1).isFinite && x.logSoftmax(axis: 1).isFinite)
    }

    @Test func logSumExpOfMinusInfinityRow() {
        let x = Tensor([-Double.infinity, -.infinity, 0, 1], shape: [2, 2])
        let lse = x.logSumExp(axis: 1)
        #expect(lse[0] == -.infinity)
        expectValues(lse.slice(axis: 0, 1..<2), [Foundation.log(1 + Foundation.exp(1 as Double))])
    }

    @Test func normValues() {
        let x = Tensor([3.0, 4, 0, 0, 1, 0], shape: [3, 2])
        expectValues(x.norm(axes: [1]), [5, 0, 1])
        expectValues(x.norm(), [Foundation.sqrt(26)])
        #expect(x.norm(axes: [1], keepDims: true).shape == [3, 1])
    }

    /// The L2 norm's gradient at a zero vector is 0 (as in PyTorch), not NaN, at first and at
    /// second order; other rows are unaffected.
    @Test func normGradientAtZeroVector() {
        let whole = Tensor.zeros([4], dtype: .float64).requiringGrad()
        let g = gradient(of: whole.norm(), wrt: whole)
        #expect(g.isFinite)
        expectValues(g, [0, 0, 0, 0])

        let rows = Tensor([3.0, 4, 0, 0], shape: [2, 2]).requiringGrad()
        let gr = gradient(of: rows.norm(axes: [1]).sum(), wrt: rows, createGraph: true)
        expectValues(gr, [0.6, 0.8, 0, 0])
        let penalty = gr.squared().sum() + (rows.norm(axes: [1]) * Tensor([1.0, 2])).sum()
        let second = gradient(of: penalty, wrt: rows)
        #expect(second.isFinite, "second-order gradient through norm at a zero row: \(second)")
        // ‖∂/∂x ‖x‖‖² = 1 for x ≠ 0, so only the linear term contributes: x/‖x‖ · weight.
        expectValues(second, [0.6, 0.8, 0, 0], tolerance: 1e-12)
    }

    @Test func expandedAndSumToShapeAreAdjoint() {
        let x = Tensor([1.0, 2, 3], shape: [3, 1])
        let e = x.expanded(to: [2, 3, 2])
        #expect(e.shape == [2, 3, 2])
        expectValues(e, [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3])
        let y = Tensor((1...12).map(Double.init), shape: [2, 3, 2])
        let s = y.sum(toShape: [3, 1])
        expectValues(s, [1 + 2 + 7 + 8, 3 + 4 + 9 + 10, 5 + 6 + 11 + 12])
        // ⟨expand(x), y⟩ = ⟨x, sum(toShape: y)⟩.
        #expect(Swift.abs((e * y).sum().item - (x * s).sum().item) < 1e-12)
        expectValues(Tensor(scalar: 5, dtype: .float64).expanded(to: [2, 2]), [5, 5, 5, 5])
        #expect(y.sum(toShape: [2, 3, 2]).shape == [2, 3, 2])
        expectValues(y.sum(toShape: [1, 1, 2]), [36, 42])
    }
}

extension ReductionTests {
    /// A NaN in a reduced slice makes the maximum NaN, whatever the axis (as in PyTorch, so
    /// a diverging run shows up instead of being masked). Reducing the last axis and a
    /// leading axis must agree.
    @Test func maxPropagatesNaN() {
        let x = Tensor([Double.nan, 1, 2, .nan], shape: [2, 2])
        #expect(x.max(axis: 1).doubles.allSatisfy { $0.isNaN }, "max(axis: 1) = \(x.max(axis: 1))")
        #expect(x.max(axis: 0).doubles.allSatisfy { $0.isNaN }, "max(axis: 0) = \(x.max(axis: 0))")
        #expect(Tensor([1.0, .nan]).max().item.isNaN, "max() of [1, nan] = \(Tensor([1.0, .nan]).max())")
    }
}
