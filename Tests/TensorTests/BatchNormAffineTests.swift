import Testing
@testable import Tensor

/// Batch normalisation with its affine step as one op: gradients at first and second order;
/// the same bits as `batchNormalized` followed by `channelAffine` for values, statistics and
/// a graph-carrying first gradient; plain first-order gradients of x, γ and β, and a
/// penalty's gradients through the graph-carrying one, that agree with the two ops to
/// rounding (the fused backward sums Σg and Σg·x̂ in one pass, in its own order); in both
/// dtypes, for shapes that take every path of the channel sums; and the same bits on one
/// kernel thread and two.
@Suite(.serialized)
struct BatchNormAffineTests {
    static let cases: [OpCase] = [
        OpCase("batchNormalized(scale:shift:) [N, C]", inputs: {
            [Inputs.uniform([5, 3], seed: 61), Inputs.uniform([3], seed: 62), Inputs.uniform([3], seed: 63),
             Inputs.uniform([5, 3], seed: 64)]
        }) { ($0[0].batchNormalized(epsilon: 1e-5, scale: $0[1], shift: $0[2]).output * $0[3]).tanh() },
        OpCase("batchNormalized(scale:shift:) [N, C, H, W]", inputs: {
            [Inputs.uniform([3, 2, 2, 3], seed: 65), Inputs.uniform([2], seed: 66), Inputs.uniform([2], seed: 67),
             Inputs.uniform([3, 2, 2, 3], seed: 68)]
        }) { ($0[0].batchNormalized(epsilon: 1e-3, scale: $0[1], shift: $0[2]).output * $0[3]).squared() },
    ]

    @Test(arguments: cases)
    func gradientChecks(_ c: OpCase) { c.check() }

    /// Rank 2 and 3, 7×7 and 14×14 planes, one image, and one channel (the single-channel
    /// path of the ordered sums).
    static let shapes: [[Int]] = [[9, 5], [4, 3, 11], [6, 4, 7, 7], [3, 2, 14, 14], [1, 4, 3, 3], [16, 1, 6, 6]]

    static func twoOps(_ x: Tensor, _ scale: Tensor, _ shift: Tensor) -> Tensor {
        x.batchNormalized(epsilon: 1e-5).output.channelAffine(scale: scale, shift: shift)
    }

    /// The bound on `relativeGap` for gradients that agree to rounding: a few ulps of the
    /// largest gradient entry, per dtype.
    static func tolerance(_ dtype: DType) -> Double { dtype == .float32 ? 2e-5 : 1e-12 }

    /// max |a − b| / max(max |b|, 1e-30): the gap relative to the reference's scale.
    static func relativeGap(_ a: Tensor, _ b: Tensor) -> Double {
        let (x, y) = (a.doubles, b.doubles)
        let scale = y.map(abs).max() ?? 0
        let gap = zip(x, y).map { abs($0 - $1) }.max() ?? 0
        return gap / Swift.max(scale, 1e-30)
    }

    static func oneOp(_ x: Tensor, _ scale: Tensor, _ shift: Tensor) -> Tensor {
        x.batchNormalized(epsilon: 1e-5, scale: scale, shift: shift).output
    }

    @Test(arguments: shapes)
    func matchesTheTwoOps(_ shape: [Int]) {
        for dtype in [DType.float32, .float64] {
            var key = RandomKey(seed: UInt64(shape.reduce(0, { $0 * 31 + $1 })))
            let x = (Tensor.normal(shape, key: key.split(), dtype: dtype) * 3 + 1).requiringGrad()
            let scale = Tensor.normal([shape[1]], key: key.split(), dtype: dtype).requiringGrad()
            let shift = Tensor.normal([shape[1]], key: key.split(), dtype: dtype).requiringGrad()
            let cotangent = Tensor.normal(shape, key: key.split(), dtype: dtype)
            let (fused, statistics) = x.batchNormalized(epsilon: 1e-5, scale: scale, shift: shift)
            let (_, reference) = x.batchNormalized(epsilon: 1e-5)
            #expect(fused.doubles == Self.twoOps(x, scale, shift).doubles, "\(shape) \(dtype): values")
            #expect(statistics.mean.doubles == reference.mean.doubles && statistics.variance.doubles == reference.variance.doubles)
            let fusedGrads = gradients(of: (fused * cotangent).sum(), wrt: [x, scale, shift])
            let referenceGrads = gradients(of: (Self.twoOps(x, scale, shift) * cotangent).sum(), wrt: [x, scale, shift])
            let tolerance = Self.tolerance(dtype)
            for (name, (a, b)) in zip(["x", "γ", "β"], zip(fusedGrads, referenceGrads)) {
                #expect(Self.relativeGap(a, b) < tolerance, "\(shape) \(dtype): ∂\(name)")
            }
            // Only some inputs asked for: ∂γ alone skips the input-gradient sums, same bits.
            let scaleOnly = gradients(of: (fused * cotangent).sum(), wrt: [scale])[0]
            #expect(scaleOnly.doubles == fusedGrads[1].doubles, "\(shape) \(dtype): ∂γ alone")
            #expect(Self.relativeGap(scaleOnly, referenceGrads[1]) < tolerance, "\(shape) \(dtype): ∂γ alone vs two ops")
        }
    }

    /// A gradient that carries a graph (a penalty on ∂/∂x through a batch-norm layer) is built
    /// as the two ops build it, so it is the same bits; the penalty's own gradients pass back
    /// through the fused op's plain first-order rule as well, so they agree to rounding.
    @Test func graphCarryingGradientsMatchTheTwoOps() {
        for dtype in [DType.float32, .float64] {
            var key = RandomKey(seed: 69)
            let x = Tensor.normal([4, 3, 5, 5], key: key.split(), dtype: dtype).requiringGrad()
            let scale = Tensor.normal([3], key: key.split(), dtype: dtype).requiringGrad()
            let shift = Tensor.normal([3], key: key.split(), dtype: dtype).requiringGrad()
            func penaltyGradients(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> (first: Tensor, penalty: [Tensor]) {
                let y = f(x, scale, shift).tanh().sum()
                let gx = gradients(of: y, wrt: [x], createGraph: true)[0]
                return (gx, gradients(of: gx.squared().sum(), wrt: [x, scale, shift]))
            }
            let fused = penaltyGradients(Self.oneOp)
            let reference = penaltyGradients(Self.twoOps)
            #expect(fused.first.doubles == reference.first.doubles, "\(dtype): graph-carrying gradient")
            let tolerance = Self.tolerance(dtype)
            for (name, (a, b)) in zip(["x", "γ", "β"], zip(fused.penalty, reference.penalty)) {
                #expect(Self.relativeGap(a, b) < tolerance, "\(dtype): penalty gradient ∂\(name)")
            }
        }
    }

    @Test func sameBitsOnOneThreadAndTwo() {
        var key = RandomKey(seed: 70)
        let x = Tensor.normal([64, 36, 14, 14], key: key.split())
        let scale = Tensor.normal([36], key: key.split()), shift = Tensor.normal([36], key: key.split())
        let cotangent = Tensor.normal([64, 36, 14, 14], key: key.split())
        func evaluate() -> [[Float]] {
            let (xl, sl, bl) = (x.requiringGrad(), scale.requiringGrad(), shift.requiringGrad())
            let y = Self.oneOp(xl, sl, bl)
            return [y.floats] + gradients(of: (y * cotangent).sum(), wrt: [xl, sl, bl]).map(\.floats)
        }
        let (one, two) = onOneThreadAndTwo(evaluate)
        #expect(one == two)
    }
}
