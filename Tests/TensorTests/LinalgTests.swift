import Testing
import Tensor

/// Matrix products (all transpose combinations, batched) and the fused `linear`.
@Suite struct LinalgTests {
    /// Operand shapes for op(A)·op(B) with op(A) [m, k] and op(B) [k, n], stored transposed
    /// when asked; `batchA` / `batchB` prepend a batch axis of 2.
    static func operands(m: Int, k: Int, n: Int, transA: Bool, transB: Bool, batchA: Bool, batchB: Bool) -> ([Int], [Int]) {
        let a = transA ? [k, m] : [m, k], b = transB ? [n, k] : [k, n]
        return ((batchA ? [2] : []) + a, (batchB ? [2] : []) + b)
    }

    static let matmulCases: [OpCase] = {
        var cases: [OpCase] = []
        var seed: UInt64 = 0
        for (batchA, batchB) in [(false, false), (true, false), (false, true), (true, true)] {
            for transA in [false, true] {
                for transB in [false, true] {
                    let (sa, sb) = operands(m: 3, k: 4, n: 2, transA: transA, transB: transB, batchA: batchA, batchB: batchB)
                    seed += 2
                    let s = seed
                    cases.append(OpCase("\(sa)\(transA ? "ᵀ" : "") · \(sb)\(transB ? "ᵀ" : "")", inputs: {
                        [Inputs.uniform(sa, seed: s), Inputs.uniform(sb, seed: s + 1)]
                    }) { x in
                        // Squared so that the second-order check has a non-trivial Hessian.
                        x[0].matmul(x[1], transposeSelf: transA, transposeOther: transB).squared()
                    })
                }
            }
        }
        cases.append(OpCase("A·Aᵀ (shared operand)", inputs: { [Inputs.uniform([3, 4], seed: 99)] }) {
            $0[0].matmul($0[0], transposeOther: true)
        })
        cases.append(OpCase("linear with bias", inputs: {
            [Inputs.uniform([4, 3], seed: 100), Inputs.uniform([2, 3], seed: 101), Inputs.uniform([2], seed: 102)]
        }) { Tensor.linear($0[0], weight: $0[1], bias: $0[2]).tanh() })
        cases.append(OpCase("linear without bias", inputs: {
            [Inputs.uniform([4, 3], seed: 103), Inputs.uniform([2, 3], seed: 104)]
        }) { Tensor.linear($0[0], weight: $0[1], bias: nil).squared() })
        cases.append(OpCase("two-layer MLP", inputs: {
            [Inputs.uniform([3, 2], seed: 105), Inputs.uniform([4, 2], seed: 106), Inputs.uniform([4], seed: 107),
             Inputs.uniform([1, 4], seed: 108)]
        }) { x in
            Tensor.linear(Tensor.linear(x[0], weight: x[1], bias: x[2]).softplus(), weight: x[3], bias: nil)
        })
        cases.append(OpCase("dot", inputs: { [Inputs.uniform([5], seed: 109), Inputs.uniform([5], seed: 110)] }) {
            $0[0].dot($0[1]).squared()
        })
        return cases
    }()

    @Test(arguments: matmulCases)
    func matmulGradients(_ c: OpCase) { c.check() }

    /// Reference op(A)·op(B) in Double from the stored values.
    static func naiveMatmul(_ a: [Double], _ b: [Double], m: Int, k: Int, n: Int, transA: Bool, transB: Bool) -> [Double] {
        var c = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var s = 0.0
                for l in 0..<k {
                    let x = transA ? a[l * m + i] : a[i * k + l]
                    let y = transB ? b[j * k + l] : b[l * n + j]
                    s += x * y
                }
                c[i * n + j] = s
            }
        }
        return c
    }

    @Test(arguments: [(1, 1, 1), (2, 3, 4), (7, 13, 5), (33, 17, 65), (64, 1, 3)])
    func float32MatmulMatchesNaiveLoops(m: Int, k: Int, n: Int) {
        var key = RandomKey(seed: UInt64(m * 1000 + k * 10 + n))
        for transA in [false, true] {
            for transB in [false, true] {
                let a = Tensor.uniform(transA ? [k, m] : [m, k], low: -1, high: 1, key: key.split())
                let b = Tensor.uniform(transB ? [n, k] : [k, n], low: -1, high: 1, key: key.split())
                let c = a.matmul(b, transposeSelf: transA, transposeOther: transB)
                #expect(c.shape == [m, n] && c.dtype == .float32)
                let expected = Self.naiveMatmul(a.doubles, b.doubles, m: m, k: k, n: n, transA: transA, transB: transB)
                // Float32 accumulation: error ≲ k·2⁻²⁴ per unit of Σ|a||b| ≤ k.
                expectValues(c, expected, tolerance: Double(k) * 1e-6, "\(m)×\(k)×\(n) transA \(transA) transB \(transB)")
            }
        }
    }

    /// Products long enough on one side of the output to be cut into blocks (`BlockedGEMM`):
    /// columns (n = 2,100: four full blocks and a partial one) and rows (m = 2,100).
    @Test(arguments: [(8, 300, 2100), (2100, 300, 8)])
    func blockedProductsMatchNaiveLoops(m: Int, k: Int, n: Int) {
        var key = RandomKey(seed: UInt64(m + n))
        for transA in [false, true] {
            for transB in [false, true] {
                let a = Tensor.uniform(transA ? [k, m] : [m, k], low: -1, high: 1, key: key.split())
                let b = Tensor.uniform(transB ? [n, k] : [k, n], low: -1, high: 1, key: key.split())
                let c = a.matmul(b, transposeSelf: transA, transposeOther: transB)
                let expected = Self.naiveMatmul(a.doubles, b.doubles, m: m, k: k, n: n, transA: transA, transB: transB)
                expectValues(c, expected, tolerance: Double(k) * 1e-6, "\(m)×\(k)×\(n) transA \(transA) transB \(transB)")
            }
        }
        // The fused linear map (bias as the GEMM's starting value) through the column blocks.
        let x = Tensor.uniform([8, k], low: -1, high: 1, key: key.split())
        let w = Tensor.uniform([2100, k], low: -1, high: 1, key: key.split())
        let bias = Tensor.uniform([2100], low: -1, high: 1, key: key.split())
        let y = Tensor.linear(x, weight: w, bias: bias)
        var expected = Self.naiveMatmul(x.doubles, w.doubles, m: 8, k: k, n: 2100, transA: false, transB: true)
        for i in expected.indices { expected[i] += bias.doubles[i % 2100] }
        expectValues(y, expected, tolerance: Double(k) * 1e-6, "linear")
    }

    @Test func batchedFloat32MatmulMatchesNaiveLoops() {
        var key = RandomKey(seed: 77)
        let (m, k, n) = (3, 5, 4)
        let a3 = Tensor.uniform([2, m, k], low: -1, high: 1, key: key.split())
        let b3 = Tensor.uniform([2, k, n], low: -1, high: 1, key: key.split())
        let a2 = Tensor.uniform([m, k], low: -1, high: 1, key: key.split())
        let b2 = Tensor.uniform([k, n], low: -1, high: 1, key: key.split())
        let both = a3.matmul(b3), left = a3.matmul(b2), right = a2.matmul(b3)
        #expect(both.shape == [2, m, n] && left.shape == [2, m, n] && right.shape == [2, m, n])
        for i in 0..<2 {
            let ai = Array(a3.doubles[(i * m * k)..<((i + 1) * m * k)])
            let bi = Array(b3.doubles[(i * k * n)..<((i + 1) * k * n)])
            let slice = { (t: Tensor) in Tensor(Array(t.doubles[(i * m * n)..<((i + 1) * m * n)])) }
            expectValues(slice(both), Self.naiveMatmul(ai, bi, m: m, k: k, n: n, transA: false, transB: false), tolerance: 1e-5)
            expectValues(slice(left), Self.naiveMatmul(ai, b2.doubles, m: m, k: k, n: n, transA: false, transB: false), tolerance: 1e-5)
            expectValues(slice(right), Self.naiveMatmul(a2.doubles, bi, m: m, k: k, n: n, transA: false, transB: false), tolerance: 1e-5)
        }
    }

    @Test func matmulHandValues() {
        let a = Tensor([1.0, 2, 3, 4, 5, 6], shape: [2, 3])
        let b = Tensor([7.0, 8, 9, 10, 11, 12], shape: [3, 2])
        expectValues(a.matmul(b), [58, 64, 139, 154])
        expectValues(a.matmul(a, transposeOther: true), [14, 32, 32, 77])
        expectValues(a.matmul(a, transposeSelf: true), [17, 22, 27, 22, 29, 36, 27, 36, 45])
        expectValues(b.matmul(a, transposeSelf: true, transposeOther: true), [58, 139, 64, 154])
        expectValues(Tensor([1.0, 2, 3]).dot(Tensor([4.0, 5, 6])), [32])
    }

    /// An empty inner dimension gives a zero product (the sum over no terms).
    @Test func matmulWithEmptyInnerDimensionIsZero() {
        let a = Tensor.ones([2, 0], dtype: .float64), b = Tensor.ones([0, 3], dtype: .float64)
        let c = a.matmul(b)
        #expect(c.shape == [2, 3])
        expectValues(c, [0, 0, 0, 0, 0, 0])
        let l = Tensor.linear(a, weight: Tensor.ones([3, 0], dtype: .float64), bias: Tensor([1.0, 2, 3]))
        expectValues(l, [1, 2, 3, 1, 2, 3])
    }

    @Test(arguments: [DType.float32, .float64])
    func linearMatchesMatmulPlusBias(dtype: DType) {
        var key = RandomKey(seed: 5)
        let x = Tensor.uniform([6, 5], low: -1, high: 1, key: key.split(), dtype: dtype)
        let w = Tensor.uniform([3, 5], low: -1, high: 1, key: key.split(), dtype: dtype)
        let b = Tensor.uniform([3], low: -1, high: 1, key: key.split(), dtype: dtype)
        let tolerance = dtype == .float32 ? 1e-6 : 1e-14
        let reference = Self.naiveMatmul(x.doubles, w.doubles, m: 6, k: 5, n: 3, transA: false, transB: true)
        expectValues(Tensor.linear(x, weight: w, bias: nil), reference, tolerance: tolerance)
        let withBias = Tensor.linear(x, weight: w, bias: b)
        #expect(withBias.shape == [6, 3] && withBias.dtype == dtype)
        expectValues(withBias, zip(reference, (0..<18).map { b.doubles[$0 % 3] }).map { $0 + $1 }, tolerance: tolerance)
    }
}
