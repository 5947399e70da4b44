import Foundation
import Testing
import Tensor

/// Elementwise arithmetic, activations, comparisons and `where`: gradients (first and second
/// order) and values.
@Suite struct ElementwiseTests {
    /// Broadcasting patterns: same shape, scalar, row vector, column, and a 3-D outer pattern,
    /// each in both operand orders.
    static let broadcastPatterns: [([Int], [Int])] = [
        ([3, 4], [3, 4]), ([], [3, 4]), ([3, 4], []), ([4], [3, 4]), ([3, 4], [4]),
        ([3, 1], [3, 4]), ([3, 4], [3, 1]), ([1, 3, 1], [2, 1, 4]), ([2, 1, 4], [1, 3, 1]),
    ]

    static let arithmeticCases: [OpCase] = {
        var cases: [OpCase] = []
        let ops: [(String, @Sendable (Tensor, Tensor) -> Tensor)] = [
            ("+", { $0 + $1 }), ("−", { $0 - $1 }), ("*", { $0 * $1 }), ("/", { $0 / $1 }),
        ]
        for (p, (shapeA, shapeB)) in broadcastPatterns.enumerated() {
            for (o, (symbol, op)) in ops.enumerated() {
                let seed = UInt64(100 * p + o)
                let isDivision = symbol == "/"
                cases.append(OpCase("\(shapeA) \(symbol) \(shapeB)", inputs: {
                    [Inputs.uniform(shapeA, seed: seed),
                     isDivision ? Inputs.positive(shapeB, seed: seed + 50) : Inputs.uniform(shapeB, seed: seed + 50)]
                }) { op($0[0], $0[1]) })
            }
        }
        return cases
    }()

    @Test(arguments: arithmeticCases)
    func broadcastingArithmeticGradients(_ c: OpCase) { c.check() }

    static let scalarCases: [OpCase] = [
        OpCase("x + 2.5", inputs: { [Inputs.uniform([2, 3], seed: 1)] }) { $0[0] + 2.5 },
        OpCase("2.5 + x", inputs: { [Inputs.uniform([2, 3], seed: 2)] }) { 2.5 + $0[0] },
        OpCase("x − 1.5", inputs: { [Inputs.uniform([2, 3], seed: 3)] }) { $0[0] - 1.5 },
        OpCase("1.5 − x", inputs: { [Inputs.uniform([2, 3], seed: 4)] }) { 1.5 - $0[0] },
        OpCase("x * 3", inputs: { [Inputs.uniform([2, 3], seed: 5)] }) { $0[0] * 3 },
        OpCase("3 * x", inputs: { [Inputs.uniform([2, 3], seed: 6)] }) { 3 * $0[0] },
        OpCase("x / 4", inputs: { [Inputs.uniform([2, 3], seed: 7)] }) { $0[0] / 4 },
        OpCase("4 / x", inputs: { [Inputs.positive([2, 3], seed: 8)] }) { 4 / $0[0] },
        OpCase("(x * x) * 0.5 − x", inputs: { [Inputs.uniform([2, 3], seed: 9)] }) { ($0[0] * $0[0]) * 0.5 - $0[0] },
    ]

    @Test(arguments: scalarCases)
    func doubleScalarGradients(_ c: OpCase) { c.check() }

    static let unaryCases: [OpCase] = [
        OpCase("neg", inputs: { [Inputs.uniform([2, 3], seed: 11)] }) { -$0[0] },
        OpCase("pow(2)", inputs: { [Inputs.uniform([2, 3], seed: 12)] }) { $0[0].pow(2) },
        OpCase("pow(3)", inputs: { [Inputs.positive([2, 3], seed: 13)] }) { $0[0].pow(3) },
        OpCase("pow(0.5)", inputs: { [Inputs.positive([2, 3], seed: 14)] }) { $0[0].pow(0.5) },
        OpCase("pow(−1.5)", inputs: { [Inputs.positive([2, 3], seed: 15)] }) { $0[0].pow(-1.5) },
        OpCase("pow(1)", inputs: { [Inputs.uniform([2, 3], seed: 16)] }) { $0[0].pow(1) },
        OpCase("pow(2.7)", inputs: { [Inputs.positive([2, 3], seed: 17)] }) { $0[0].pow(2.7) },
        OpCase("squared", inputs: { [Inputs.uniform([2, 3], seed: 18)] }) { $0[0].squared() },
        OpCase("reciprocal", inputs: { [Inputs.awayFromZero([2, 3], seed: 19)] }) { $0[0].reciprocal() },
        OpCase("exp", inputs: { [Inputs.uniform([2, 3], seed: 20)] }) { $0[0].exp() },
        OpCase("log", inputs: { [Inputs.positive([2, 3], seed: 21)] }) { $0[0].log() },
        OpCase("log1p", inputs: { [Inputs.uniform([2, 3], -0.6, 2, seed: 22)] }) { $0[0].log1p() },
        OpCase("sqrt", inputs: { [Inputs.positive([2, 3], seed: 23)] }) { $0[0].sqrt() },
        OpCase("abs", inputs: { [Inputs.awayFromZero([2, 3], seed: 24)] }) { $0[0].abs() },
        OpCase("tanh", inputs: { [Inputs.uniform([2, 3], seed: 25)] }) { $0[0].tanh() },
        OpCase("sin", inputs: { [Inputs.uniform([2, 3], -4, 4, seed: 125)] }) { $0[0].sin() },
        OpCase("cos", inputs: { [Inputs.uniform([2, 3], -4, 4, seed: 126)] }) { $0[0].cos() },
        OpCase("sigmoid", inputs: { [Inputs.uniform([2, 3], -3, 3, seed: 26)] }) { $0[0].sigmoid() },
        OpCase("softplus", inputs: { [Inputs.uniform([2, 3], -3, 3, seed: 27)] }) { $0[0].softplus() },
        OpCase("relu", inputs: { [Inputs.awayFromZero([2, 3], seed: 28)] }) { $0[0].relu() },
        OpCase("relu·x (second order through the mask)", inputs: { [Inputs.awayFromZero([2, 3], seed: 29)] }) {
            $0[0].relu() * $0[0]
        },
        OpCase("leakyRelu(0.2)", inputs: { [Inputs.awayFromZero([2, 3], seed: 30)] }) { $0[0].leakyRelu(0.2) },
        OpCase("leakyRelu(0.1)²", inputs: { [Inputs.awayFromZero([2, 3], seed: 31)] }) { $0[0].leakyRelu(0.1).squared() },
        OpCase("elu(1)", inputs: { [Inputs.awayFromZero([2, 3], seed: 32)] }) { $0[0].elu() },
        OpCase("elu(1.3)", inputs: { [Inputs.awayFromZero([2, 3], seed: 33)] }) { $0[0].elu(1.3) },
        OpCase("clamped(−0.5, 0.5)", inputs: {
            // Entries at least 0.1 away from both bounds.
            [Tensor([-1.2, -0.3, 0.2, 0.9, -0.61, 0.05, 0.41, -0.75], shape: [2, 4])]
        }) { $0[0].clamped(-0.5, 0.5) * $0[0] },
        OpCase("cast to Float64 is identity", inputs: { [Inputs.uniform([3], seed: 34)] }) {
            $0[0].cast(to: .float64).squared()
        },
    ]

    @Test(arguments: unaryCases)
    func unaryGradients(_ c: OpCase) { c.check() }

    static let binaryCases: [OpCase] = [
        OpCase("pow(Tensor) same shape", inputs: {
            [Inputs.positive([2, 3], seed: 40), Inputs.uniform([2, 3], -2, 2, seed: 41)]
        }) { $0[0].pow($0[1]) },
        OpCase("pow(Tensor) row exponent", inputs: {
            [Inputs.positive([2, 3], seed: 42), Inputs.uniform([3], -2, 2, seed: 43)]
        }) { $0[0].pow($0[1]) },
        OpCase("maximum", inputs: {
            let a = Inputs.uniform([3, 4], seed: 44)
            return [a, a + Inputs.awayFromZero([3, 4], seed: 45) * 0.5]
        }) { $0[0].maximum($0[1]) * $0[0] },
        OpCase("minimum", inputs: {
            let a = Inputs.uniform([3, 4], seed: 46)
            return [a, a + Inputs.awayFromZero([3, 4], seed: 47) * 0.5]
        }) { $0[0].minimum($0[1]) * $0[1] },
        OpCase("maximum with a row", inputs: {
            [Tensor([-1.0, 0.3, 2.0, -0.4, 1.1, 0.7], shape: [2, 3]), Tensor([0.1, -0.2, 0.9], shape: [3])]
        }) { $0[0].maximum($0[1]).squared() },
        OpCase("minimum with a scalar tensor", inputs: {
            [Tensor([-1.0, 0.3, 2.0, -0.4, 1.1, 0.7], shape: [2, 3]), Tensor([0.5], shape: [])]
        }) { $0[0].minimum($0[1]).squared() },
        OpCase("where same shape", inputs: {
            [Inputs.uniform([3, 4], seed: 48), Inputs.uniform([3, 4], seed: 49)]
        }) { x in
            let condition = Tensor((0..<12).map { Double($0 % 3 == 0 ? 1 : 0) }, shape: [3, 4])
            return Tensor.where(condition, x[0] * x[1], x[1].squared())
        },
        OpCase("where broadcasting condition [3,1], a [4], b [3,4]", inputs: {
            [Inputs.uniform([4], seed: 50), Inputs.uniform([3, 4], seed: 51)]
        }) { x in
            let condition = Tensor([1.0, 0, 1], shape: [3, 1])
            return Tensor.where(condition, x[0].exp(), x[1] * x[1] * x[0])
        },
    ]

    @Test(arguments: binaryCases)
    func binaryGradients(_ c: OpCase) { c.check() }

    // MARK: values

    @Test func arithmeticValues() {
        let a = Tensor([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        let row = Tensor([10.0, 20, 30])
        let column = Tensor([100.0, 200], shape: [2, 1])
        expectValues(a + row, [11, 22, 33, 14, 25, 36])
        expectValues(a - column, [-99, -98, -97, -196, -195, -194])
        expectValues(row * column, [1000, 2000, 3000, 2000, 4000, 6000])
        #expect((row * column).shape == [2, 3])
        expectValues(a / row, [0.1, 0.1, 0.1, 0.4, 0.25, 0.2])
        expectValues(2 - a, [1, 0, -1, -2, -3, -4])
        expectValues(12 / a, [12, 6, 4, 3, 2.4, 2])
        expectValues(a / 4, [0.25, 0.5, 0.75, 1, 1.25, 1.5])
        expectValues(-a, [-1, -2, -3, -4, -5, -6])
        let outer = Tensor([1.0, 2, 3], shape: [1, 3, 1]) * Tensor([1.0, 10, 100, 1000, 1, 2, 3, 4], shape: [2, 1, 4])
        #expect(outer.shape == [2, 3, 4])
        expectValues(outer, [1, 10, 100, 1000, 2, 20, 200, 2000, 3, 30, 300, 3000,
                             1, 2, 3, 4, 2, 4, 6, 8, 3, 6, 9, 12])
        let scalar = Tensor(scalar: 2, dtype: .float64)
        #expect((scalar * a).shape == [2, 3])
        #expect((Tensor([1.0, 2, 3]) + Tensor([5.0], shape: [1, 1])).shape == [1, 3])
    }

    @Test func arithmeticInFloat32MatchesFloat64() {
        let a = Inputs.uniform([5, 7], seed: 60), b = Inputs.positive([7], seed: 61)
        let wide = ((a * b) / (b + 1) - a).doubles
        let narrow = ((a.cast(to: .float32) * b.cast(to: .float32)) / (b.cast(to: .float32) + 1) - a.cast(to: .float32))
        #expect(narrow.dtype == .float32)
        expectValues(narrow, wide, tolerance: 1e-6)
    }

    @Test func elementaryFunctionValues() {
        let x = Tensor([-2.0, -0.5, 0, 0.5, 2])
        expectValues(x.relu(), [0, 0, 0, 0.5, 2])
        expectValues(x.leakyRelu(0.2), [-0.4, -0.1, 0, 0.5, 2])
        expectValues(x.elu(2), [2 * (Foundation.exp(-2 as Double) - 1), 2 * (Foundation.exp(-0.5 as Double) - 1), 0, 0.5, 2])
        expectValues(x.abs(), [2, 0.5, 0, 0.5, 2])
        expectValues(x.sign(), [-1, -1, 0, 1, 1])
        expectValues(x.clamped(-1, 0.25), [-1, -0.5, 0, 0.25, 0.25])
        expectValues(x.squared(), [4, 0.25, 0, 0.25, 4])
        expectValues(x.tanh(), x.doubles.map { Foundation.tanh($0) })
        expectValues(x.sin(), x.doubles.map { Foundation.sin($0) })
        expectValues(x.cos(), x.doubles.map { Foundation.cos($0) })
        expectValues(x.sigmoid(), x.doubles.map { 1 / (1 + Foundation.exp(-$0)) })
        expectValues(x.softplus(), x.doubles.map { Foundation.log(1 + Foundation.exp($0)) })
        expectValues(x.exp(), x.doubles.map { Foundation.exp($0) })
        let p = Tensor([0.25, 1, 4])
        expectValues(p.sqrt(), [0.5, 1, 2])
        expectValues(p.log(), [Foundation.log(0.25 as Double), 0, Foundation.log(4 as Double)])
        expectValues(p.log1p(), [Foundation.log1p(0.25), Foundation.log1p(1), Foundation.log1p(4)])
        expectValues(p.reciprocal(), [4, 1, 0.25])
        expectValues(p.pow(1.5), [0.125, 1, 8])
        expectValues(p.pow(Tensor([2.0, 3, 0.5])), [0.0625, 1, 2])
        expectValues(Tensor([1e-10]).log1p(), [Foundation.log1p(1e-10)], tolerance: 1e-15)
        expectValues(x.maximum(Tensor([0.0])), [0, 0, 0, 0.5, 2])
        expectValues(x.minimum(Tensor([0.0])), [-2, -0.5, 0, 0, 0])
    }

    /// Integral exponents are defined for negative bases (as in PyTorch and C's pow), and
    /// x⁰ = 1 everywhere, including 0⁰.
    @Test func powWithIntegralExponentAcceptsNegativeBases() {
        let x = Tensor([-2.0, -0.5, 0, 1.5])
        expectValues(x.pow(3), [-8, -0.125, 0, 3.375], "pow(3)")
        expectValues(x.pow(4), [16, 0.0625, 0, 5.0625], "pow(4)")
        expectValues(x.pow(0), [1, 1, 1, 1], "pow(0)")
        expectValues(Tensor([-2.0, -0.5, 1.5]).pow(-1), [-0.5, -2, 1 / 1.5], "pow(−1)")
        expectValues(x.pow(Tensor([3.0])), [-8, -0.125, 0, 3.375], "pow(Tensor 3)")
        expectValues(x.cast(to: .float32).pow(3), [-8, -0.125, 0, 3.375], "pow(3) in Float32")
        let leaf = Tensor([-2.0, -0.5]).requiringGrad()
        let g = gradient(of: leaf.pow(4).sum(), wrt: leaf)
        expectValues(g, [-32, -0.5], "d/dx x⁴ = 4x³")
    }

    /// ∂(xᵖ)/∂p = xᵖ·log x is 0 at x = 0 for p > 0 (the limit; PyTorch masks it the same
    /// way), not 0·(−∞) = NaN.
    @Test func powTensorGradientAtZeroBase() {
        let x = Tensor([0.0, 2]).requiringGrad(), p = Tensor([2.0, 3]).requiringGrad()
        let g = gradients(of: x.pow(p).sum(), wrt: [x, p])
        expectValues(g[0], [0, 12])
        #expect(g[1].isFinite, "∂/∂p at x = 0 is \(g[1])")
        expectValues(g[1], [0, 8 * Foundation.log(2 as Double)])
    }

    @Test func comparisonsGiveZeroOrOne() {
        let a = Tensor([1.0, 2, 3]), b = Tensor([2.0, 2, 2])
        expectValues(a.greater(b), [0, 0, 1])
        expectValues(a.greaterEqual(b), [0, 1, 1])
        expectValues(a.less(b), [1, 0, 0])
        expectValues(a.lessEqual(b), [1, 1, 0])
        expectValues(a.equal(b), [0, 1, 0])
        expectValues(a.notEqual(b), [1, 0, 1])
        expectValues(a.greater(1.5), [0, 1, 1])
        expectValues(a.lessEqual(2), [1, 1, 0])
        let leaf = a.requiringGrad()
        #expect(!leaf.greater(b).requiresGrad)
        #expect(!leaf.sign().requiresGrad)
        #expect(!Tensor([1.0, .nan]).isFinite)
        #expect(Tensor([1.0, 2]).isFinite)
    }

    @Test func whereSelectsAndBroadcasts() {
        let condition = Tensor([1.0, 0, 0, 1], shape: [2, 2])
        expectValues(Tensor.where(condition, Tensor([1.0, 2, 3, 4], shape: [2, 2]), Tensor([-1.0])), [1, -1, -1, 4])
        let r = Tensor.where(Tensor([1.0, 0], shape: [2, 1]), Tensor([1.0, 2, 3]), Tensor(scalar: 9, dtype: .float64))
        #expect(r.shape == [2, 3])
        expectValues(r, [1, 2, 3, 9, 9, 9])
    }

    /// At ties the gradient of maximum/minimum goes to the receiver, never to both.
    @Test func maximumTieGoesToSelf() {
        let a = Tensor([1.0, 2]).requiringGrad(), b = Tensor([1.0, 3]).requiringGrad()
        let g = gradients(of: a.maximum(b).sum(), wrt: [a, b])
        expectValues(g[0], [1, 0])
        expectValues(g[1], [0, 1])
        let h = gradients(of: a.minimum(b).sum(), wrt: [a, b])
        expectValues(h[0], [1, 1])
        expectValues(h[1], [0, 0])
    }

    /// Kinks: ReLU, |x| and clamp follow PyTorch's conventions at the kink.
    @Test func gradientsAtKinks() {
        let x = Tensor([0.0, -1, 1]).requiringGrad()
        expectValues(gradient(of: x.relu().sum(), wrt: x), [0, 0, 1])
        expectValues(gradient(of: x.abs().sum(), wrt: x), [0, -1, 1])
        expectValues(gradient(of: x.leakyRelu(0.2).sum(), wrt: x), [0.2, 0.2, 1])
        expectValues(gradient(of: x.clamped(-1, 0.5).sum(), wrt: x), [1, 1, 0])
    }

    /// sigmoid, softplus and their gradients stay finite and exact at ±800, in both dtypes.
    @Test(arguments: [DType.float32, .float64])
    func stabilityAtLargeMagnitudes(dtype: DType) {
        let x = Tensor([-800.0, -100, 0, 100, 800], shape: [5], dtype: dtype).requiringGrad()
        let sigmoid = x.sigmoid(), softplus = x.softplus()
        #expect(sigmoid.isFinite && softplus.isFinite)
        expectValues(sigmoid, [0, 0, 0.5, 1, 1], tolerance: 1e-7)
        expectValues(softplus, [0, 0, Foundation.log(2 as Double), 100, 800], tolerance: 1e-7)
        let gs = gradient(of: softplus.sum(), wrt: x), gσ = gradient(of: sigmoid.sum(), wrt: x)
        #expect(gs.isFinite && gσ.isFinite)
        expectValues(gs, [0, 0, 0.5, 1, 1], tolerance: 1e-7)
        expectValues(gσ, [0, 0, 0.25, 0, 0], tolerance: 1e-7)
        let tanh = x.tanh()
        expectValues(tanh, [-1, -1, 0, 1, 1], tolerance: 1e-7)
        #expect(gradient(of: tanh.sum(), wrt: x).isFinite)
    }

    /// ELU's second derivative is αeˣ for x < 0 and 0 for x > 0; it must stay finite where eˣ
    /// overflows (x > 88 in Float32).
    @Test func eluSecondOrderFiniteForLargeInputs() {
        let x = Tensor([-1, 100], shape: [2], dtype: .float32).requiringGrad()
        let g = gradient(of: x.elu().sum(), wrt: x, createGraph: true)
        let h = gradient(of: g.sum(), wrt: x)
        #expect(h.isFinite, "∂²elu/∂x² at x = 100 is \(h)")
        expectValues(h, [Foundation.exp(-1 as Double), 0], tolerance: 1e-6)
    }
}
