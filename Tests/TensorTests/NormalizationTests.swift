import Testing
import Tensor

/// The fused batch-normalisation op: values against the definition, gradients at first and
/// second order (the second order runs through the composed rule), and the fused first-order
/// rule against the composed one.
@Suite struct NormalizationTests {
    /// Weighted so the loss is not invariant to the normalisation (Σ x̂ = 0 per channel).
    static let cases: [OpCase] = [
        OpCase("batchNormalized [N, C]", inputs: {
            [Inputs.uniform([5, 3], seed: 41), Inputs.uniform([5, 3], seed: 42)]
        }) { ($0[0].batchNormalized(epsilon: 1e-5).output * $0[1]).tanh() },
        OpCase("batchNormalized [N, C, H, W]", inputs: {
            [Inputs.uniform([3, 2, 2, 3], seed: 43), Inputs.uniform([3, 2, 2, 3], seed: 44)]
        }) { ($0[0].batchNormalized(epsilon: 1e-3).output * $0[1]).squared() },
    ]

    @Test(arguments: cases)
    func batchNormGradients(_ c: OpCase) { c.check() }

    @Test func valuesAndStatisticsMatchDefinition() {
        for dtype in [DType.float64, .float32] {
            let x = Tensor.uniform([4, 3, 2, 5], low: -2, high: 3, key: RandomKey(seed: 7), dtype: dtype)
            let (y, statistics) = x.batchNormalized(epsilon: 1e-5)
            let values = x.doubles
            var expected = [Double](repeating: 0, count: values.count)
            for c in 0..<3 {
                var members: [Int] = []
                for n in 0..<4 { for k in 0..<10 { members.append((n * 3 + c) * 10 + k) } }
                let mean = members.map { values[$0] }.reduce(0, +) / Double(members.count)
                let variance = members.map { (values[$0] - mean) * (values[$0] - mean) }.reduce(0, +) / Double(members.count)
                for i in members { expected[i] = (values[i] - mean) / (variance + 1e-5).squareRoot() }
                #expect(abs(statistics.mean.doubles[c] - mean) < (dtype == .float32 ? 1e-6 : 1e-14))
                #expect(abs(statistics.variance.doubles[c] - variance) < (dtype == .float32 ? 1e-5 : 1e-13))
            }
            expectValues(y, expected, tolerance: dtype == .float32 ? 1e-5 : 1e-12, "\(dtype)")
        }
    }

    /// The fused first-order rule (plain data) and the composed one (graph-carrying) agree.
    @Test func fusedAndComposedRulesAgree() {
        let x = Inputs.uniform([6, 4, 3, 3], seed: 45).requiringGrad()
        let weights = Inputs.uniform([6, 4, 3, 3], seed: 46)
        let loss = (x.batchNormalized(epsilon: 1e-5).output * weights).sum()
        let fused = gradient(of: loss, wrt: x)
        let composed = gradient(of: loss, wrt: x, createGraph: true)
        expectValues(fused, composed.doubles, tolerance: 1e-12, "fused vs composed")
    }
}
