import Testing
@testable import Tensor

/// The per-channel affine op and per-channel sums: the same bits as the broadcast
/// composition they replace (values and first-order gradients, Float32, shapes that exercise
/// every branch of the reduction order), gradients at first and second order, and the same
/// bits on one kernel thread and two.
@Suite(.serialized)
struct ChannelAffineTests {
    static let cases: [OpCase] = [
        OpCase("channelAffine [N, C]", inputs: {
            [Inputs.uniform([5, 3], seed: 51), Inputs.uniform([3], seed: 52), Inputs.uniform([3], seed: 53)]
        }) { $0[0].channelAffine(scale: $0[1], shift: $0[2]).tanh() },
        OpCase("channelAffine [N, C, H, W]", inputs: {
            [Inputs.uniform([3, 2, 2, 3], seed: 54), Inputs.uniform([2], seed: 55), Inputs.uniform([2], seed: 56)]
        }) { $0[0].channelAffine(scale: $0[1], shift: $0[2]).squared() },
        OpCase("sumPerChannel [N, C, L]", inputs: {
            [Inputs.uniform([3, 4, 5], seed: 57)]
        }) { $0[0].sumPerChannel().squared() },
    ]

    @Test(arguments: cases)
    func gradientChecks(_ c: OpCase) { c.check() }

    /// Shapes: rank 2, rank 3, rank 4 with rows of 7 and 14 (tails of the four partial sums),
    /// axes of length 1 (skipped by `sum(axes:)`), one image, rank 5, and one channel (whose
    /// images are summed as a contiguous row: a generator's last transposed convolution).
    static let shapes: [[Int]] = [[9, 5], [4, 3, 11], [6, 4, 7, 7], [3, 2, 14, 14], [5, 3, 1, 6], [2, 3, 5, 1],
                                  [1, 4, 3, 3], [2, 3, 2, 3, 5], [64, 1, 28, 28], [7, 1], [1, 1, 3, 3], [9, 1, 1, 1]]

    static func composed(_ x: Tensor, _ scale: Tensor, _ shift: Tensor) -> Tensor {
        var broadcast = [Int](repeating: 1, count: x.rank)
        broadcast[1] = x.shape[1]
        return x * scale.reshaped(broadcast) + shift.reshaped(broadcast)
    }

    @Test(arguments: shapes)
    func sameBitsAsTheBroadcastComposition(_ shape: [Int]) {
        var key = RandomKey(seed: UInt64(shape.reduce(0, { $0 * 31 + $1 })))
        let x = Tensor.normal(shape, key: key.split()).requiringGrad()
        let scale = Tensor.normal([shape[1]], key: key.split()).requiringGrad()
        let shift = Tensor.normal([shape[1]], key: key.split()).requiringGrad()
        let cotangent = Tensor.normal(shape, key: key.split())
        let fused = x.channelAffine(scale: scale, shift: shift)
        let reference = Self.composed(x, scale, shift)
        #expect(fused.floats == reference.floats)
        let fusedGrads = gradients(of: (fused * cotangent).sum(), wrt: [x, scale, shift])
        let referenceGrads = gradients(of: (reference * cotangent).sum(), wrt: [x, scale, shift])
        for (a, b) in zip(fusedGrads, referenceGrads) { #expect(a.floats == b.floats) }
        var broadcast = [Int](repeating: 1, count: shape.count)
        broadcast[1] = shape[1]
        #expect(cotangent.sumPerChannel().floats == cotangent.sum(toShape: broadcast).reshaped([shape[1]]).floats)
    }

    /// A gradient that carries a graph goes through the composed rule: its own gradient
    /// (a penalty on ∂/∂x) matches the composition's.
    @Test func graphCarryingGradientsMatchTheComposition() {
        var key = RandomKey(seed: 58)
        let x = Tensor.normal([4, 3, 5, 5], key: key.split(), dtype: .float64).requiringGrad()
        let scale = Tensor.normal([3], key: key.split(), dtype: .float64).requiringGrad()
        let shift = Tensor.normal([3], key: key.split(), dtype: .float64).requiringGrad()
        func penaltyGradients(_ f: (Tensor, Tensor, Tensor) -> Tensor) -> [Tensor] {
            let y = f(x, scale, shift).tanh().sum()
            let gx = gradients(of: y, wrt: [x], createGraph: true)[0]
            return gradients(of: gx.squared().sum(), wrt: [x, scale, shift])
        }
        let fused = penaltyGradients { $0.channelAffine(scale: $1, shift: $2) }
        let reference = penaltyGradients(Self.composed)
        for (a, b) in zip(fused, reference) { expectValues(a, b.doubles, tolerance: 1e-12, "penalty gradient") }
    }

    @Test func sameBitsOnOneThreadAndTwo() {
        var key = RandomKey(seed: 59)
        let x = Tensor.normal([64, 36, 14, 14], key: key.split())
        let scale = Tensor.normal([36], key: key.split()), shift = Tensor.normal([36], key: key.split())
        let cotangent = Tensor.normal([64, 36, 14, 14], key: key.split())
        func evaluate() -> [[Float]] {
            let (xl, sl, bl) = (x.requiringGrad(), scale.requiringGrad(), shift.requiringGrad())
            let y = xl.channelAffine(scale: sl, shift: bl)
            return [y.floats] + gradients(of: (y * cotangent).sum(), wrt: [xl, sl, bl]).map(\.floats) + [cotangent.sumPerChannel().floats]
        }
        let (one, two) = onOneThreadAndTwo(evaluate)
        #expect(one == two)
    }

    @Test func emptyBatchSumsToZero() {
        #expect(Tensor.zeros([0, 3, 2, 2]).sumPerChannel().floats == [0, 0, 0])
    }
}
