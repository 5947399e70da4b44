import Testing
@testable import Tensor

/// conv2d and convTranspose2d: gradients at first and second order, and values against the
/// definitions written as plain loops.
@Suite struct ConvolutionTests {
    static let cases: [OpCase] = [
        OpCase("conv2d stride 1 padding 0", inputs: {
            [Inputs.uniform([1, 2, 4, 4], seed: 1), Inputs.uniform([2, 2, 3, 3], seed: 2)]
        }) { Tensor.conv2d($0[0], weight: $0[1]).squared() },
        OpCase("conv2d stride 2 padding 1 bias", inputs: {
            [Inputs.uniform([2, 1, 5, 5], seed: 3), Inputs.uniform([2, 1, 3, 3], seed: 4), Inputs.uniform([2], seed: 5)]
        }) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1).tanh() },
        OpCase("conv2d stride 1 padding 1, 2×3 kernel, bias", inputs: {
            [Inputs.uniform([1, 2, 3, 4], seed: 6), Inputs.uniform([3, 2, 2, 3], seed: 7), Inputs.uniform([3], seed: 8)]
        }) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], padding: 1).squared() },
        OpCase("conv2d stride 2 padding 0, even input", inputs: {
            [Inputs.uniform([1, 1, 6, 6], seed: 9), Inputs.uniform([2, 1, 2, 2], seed: 10)]
        }) { Tensor.conv2d($0[0], weight: $0[1], stride: 2).squared() },
        OpCase("convTranspose2d stride 1 padding 0", inputs: {
            [Inputs.uniform([1, 2, 3, 3], seed: 11), Inputs.uniform([2, 2, 2, 2], seed: 12)]
        }) { Tensor.convTranspose2d($0[0], weight: $0[1]).squared() },
        OpCase("convTranspose2d stride 2 padding 1 outputPadding 1 bias", inputs: {
            [Inputs.uniform([1, 2, 3, 3], seed: 13), Inputs.uniform([2, 1, 3, 3], seed: 14), Inputs.uniform([1], seed: 15)]
        }) { Tensor.convTranspose2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, outputPadding: 1).tanh() },
        OpCase("convTranspose2d stride 2 padding 0", inputs: {
            [Inputs.uniform([2, 1, 2, 2], seed: 16), Inputs.uniform([1, 2, 3, 3], seed: 17)]
        }) { Tensor.convTranspose2d($0[0], weight: $0[1], stride: 2).squared() },
        OpCase("convTranspose2d stride 1 padding 1 bias", inputs: {
            [Inputs.uniform([1, 1, 3, 3], seed: 18), Inputs.uniform([1, 2, 3, 3], seed: 19), Inputs.uniform([2], seed: 20)]
        }) { Tensor.convTranspose2d($0[0], weight: $0[1], bias: $0[2], padding: 1).squared() },
    ]

    @Test(arguments: cases)
    func convolutionGradients(_ c: OpCase) { c.check() }

    /// y[n, o, a, b] = bias[o] + Σ x[n, c, a·s − p + i, b·s − p + j] · w[o, c, i, j].
    static func naiveConv(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride s: Int, padding p: Int) -> [Double] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let (oh, ow) = ((h + 2 * p - kh) / s + 1, (wd + 2 * p - kw) / s + 1)
        var y = [Double]()
        for b in 0..<n { for oc in 0..<o { for a in 0..<oh { for bb in 0..<ow {
            var sum = bias.map { $0[oc] } ?? 0
            for ic in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let (r, q) = (a * s - p + i, bb * s - p + j)
                if r >= 0 && r < h && q >= 0 && q < wd { sum += x[b, ic, r, q] * w[oc, ic, i, j] }
            } } }
            y.append(sum)
        } } } }
        return y
    }

    /// PyTorch's ConvTranspose2d: each input pixel scatters w[c, o] into the output at
    /// (a·s − p + i, b·s − p + j); the output has size (H − 1)s − 2p + k + outputPadding.
    static func naiveConvTranspose(_ x: Tensor, _ w: Tensor, _ bias: Tensor?, stride s: Int, padding p: Int,
                                   outputPadding op: Int) -> (shape: [Int], values: [Double]) {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[1], w.shape[2], w.shape[3])
        let (oh, ow) = ((h - 1) * s - 2 * p + kh + op, (wd - 1) * s - 2 * p + kw + op)
        var y = [Double](repeating: 0, count: n * o * oh * ow)
        for b in 0..<n { for oc in 0..<o {
            for k in 0..<(oh * ow) { y[(b * o + oc) * oh * ow + k] = bias.map { $0[oc] } ?? 0 }
            for ic in 0..<c { for a in 0..<h { for bb in 0..<wd { for i in 0..<kh { for j in 0..<kw {
                let (r, q) = (a * s - p + i, bb * s - p + j)
                if r >= 0 && r < oh && q >= 0 && q < ow {
                    y[((b * o + oc) * oh + r) * ow + q] += x[b, ic, a, bb] * w[ic, oc, i, j]
                }
            } } } } }
        } }
        return ([n, o, oh, ow], y)
    }

    @Test(arguments: [(1, 0), (2, 1), (1, 2), (3, 1), (2, 0)])
    func conv2dMatchesDefinition(stride: Int, padding: Int) {
        for dtype in [DType.float64, .float32] {
            var key = RandomKey(seed: UInt64(10 * stride + padding))
            let x = Tensor.uniform([2, 3, 7, 6], low: -1, high: 1, key: key.split(), dtype: dtype)
            let w = Tensor.uniform([4, 3, 3, 2], low: -1, high: 1, key: key.split(), dtype: dtype)
            let b = Tensor.uniform([4], low: -1, high: 1, key: key.split(), dtype: dtype)
            let y = Tensor.conv2d(x, weight: w, bias: b, stride: stride, padding: padding)
            let oh = (7 + 2 * padding - 3) / stride + 1, ow = (6 + 2 * padding - 2) / stride + 1
            #expect(y.shape == [2, 4, oh, ow] && y.dtype == dtype)
            expectValues(y, Self.naiveConv(x, w, b, stride: stride, padding: padding),
                         tolerance: dtype == .float32 ? 1e-5 : 1e-13, "\(dtype) stride \(stride) padding \(padding)")
        }
    }

    @Test(arguments: [(1, 0, 0), (2, 1, 1), (2, 0, 1), (3, 1, 2), (1, 1, 0)])
    func convTranspose2dMatchesDefinition(stride: Int, padding: Int, outputPadding: Int) {
        for dtype in [DType.float64, .float32] {
            var key = RandomKey(seed: UInt64(100 * stride + 10 * padding + outputPadding))
            let x = Tensor.uniform([2, 3, 4, 3], low: -1, high: 1, key: key.split(), dtype: dtype)
            let w = Tensor.uniform([3, 2, 3, 4], low: -1, high: 1, key: key.split(), dtype: dtype)
            let b = Tensor.uniform([2], low: -1, high: 1, key: key.split(), dtype: dtype)
            let y = Tensor.convTranspose2d(x, weight: w, bias: b, stride: stride, padding: padding, outputPadding: outputPadding)
            let reference = Self.naiveConvTranspose(x, w, b, stride: stride, padding: padding, outputPadding: outputPadding)
            #expect(y.shape == reference.shape)
            expectValues(y, reference.values, tolerance: dtype == .float32 ? 1e-5 : 1e-13,
                         "\(dtype) stride \(stride) padding \(padding) outputPadding \(outputPadding)")
        }
    }

    /// convTranspose2d is the adjoint of conv2d in its input: ⟨conv(x, w), y⟩ = ⟨x, convT(y, w)⟩.
    @Test func convTransposeIsAdjointOfConv() {
        var key = RandomKey(seed: 3)
        let x = Tensor.uniform([2, 3, 8, 8], low: -1, high: 1, key: key.split(), dtype: .float64)
        let w = Tensor.uniform([5, 3, 4, 4], low: -1, high: 1, key: key.split(), dtype: .float64)
        let cx = Tensor.conv2d(x, weight: w, stride: 2, padding: 1)
        let y = Tensor.uniform(cx.shape, low: -1, high: 1, key: key.split(), dtype: .float64)
        let ty = Tensor.convTranspose2d(y, weight: w, stride: 2, padding: 1)
        #expect(ty.shape == x.shape)
        let lhs = (cx * y).sum().item, rhs = (x * ty).sum().item
        #expect(Swift.abs(lhs - rhs) < 1e-11 * Swift.max(1, Swift.abs(lhs)))
    }

    /// A 1×1 convolution is a matrix product over channels.
    @Test func pointwiseConvolutionIsChannelMatmul() {
        var key = RandomKey(seed: 4)
        let x = Tensor.uniform([1, 3, 2, 2], low: -1, high: 1, key: key.split(), dtype: .float64)
        let w = Tensor.uniform([2, 3, 1, 1], low: -1, high: 1, key: key.split(), dtype: .float64)
        let y = Tensor.conv2d(x, weight: w)
        let reference = w.reshaped([2, 3]).matmul(x.reshaped([3, 4]))
        expectValues(y, reference.doubles, tolerance: 1e-14)
    }
}

/// Batches large enough to be cut into several chunks (about 1,024 GEMM columns each) give
/// the results of one image at a time, and the same bits on one thread and two.
@Suite(.serialized) struct ConvolutionChunkingTests {
    /// y = conv(x, w) with 37 images of 7×7 outputs: 1,813 columns, two chunks.
    static func inputs(dtype: DType) -> (x: Tensor, w: Tensor, r: Tensor) {
        var key = RandomKey(seed: 2024)
        let x = Tensor.uniform([37, 3, 14, 14], low: -1, high: 1, key: key.split(), dtype: dtype)
        let w = Tensor.uniform([5, 3, 4, 4], low: -1, high: 1, key: key.split(), dtype: dtype)
        let r = Tensor.uniform([37, 5, 7, 7], low: -1, high: 1, key: key.split(), dtype: dtype)
        return (x, w, r)
    }

    /// Output, ∂⟨y, r⟩/∂x and ∂⟨y, r⟩/∂w for the whole batch.
    static func evaluate(_ x: Tensor, _ w: Tensor, _ r: Tensor) -> [Tensor] {
        let (xl, wl) = (x.requiringGrad(), w.requiringGrad())
        let y = Tensor.conv2d(xl, weight: wl, stride: 2, padding: 1)
        return [y.detached()] + gradients(of: (y * r).sum(), wrt: [xl, wl])
    }

    @Test func chunkedBatchMatchesImageByImage() {
        let (x, w, r) = Self.inputs(dtype: .float64)
        let batch = Self.evaluate(x, w, r)
        var outputs: [Double] = [], inputGradients: [Double] = []
        var weightGradient = [Double](repeating: 0, count: w.count)
        for i in 0..<37 {
            let single = Self.evaluate(x.gathering(rows: [i]), w, r.gathering(rows: [i]))
            outputs += single[0].doubles
            inputGradients += single[1].doubles
            for (k, v) in single[2].doubles.enumerated() { weightGradient[k] += v }
        }
        expectValues(batch[0], outputs, tolerance: 1e-12, "output")
        expectValues(batch[1], inputGradients, tolerance: 1e-12, "input gradient")
        expectValues(batch[2], weightGradient, tolerance: 1e-10, "weight gradient")
        // The transposed convolution (a generator's layer) in the same chunked regime.
        let t = Tensor.convTranspose2d(r, weight: w, stride: 2, padding: 1)
        var transposed: [Double] = []
        for i in 0..<37 { transposed += Tensor.convTranspose2d(r.gathering(rows: [i]), weight: w, stride: 2, padding: 1).doubles }
        expectValues(t, transposed, tolerance: 1e-12, "convTranspose2d")
    }

    /// The forward keeps im2col(x) for the weight gradient, and a transposed convolution's
    /// backward builds im2col(gy) once for both of its gradients: both give the bits of
    /// columns built afresh by the weight-gradient kernel.
    @Test func keptColumnsGiveTheBitsOfRebuiltOnes() {
        let (x, w, r) = Self.inputs(dtype: .float32)
        let geo = ConvGeometry(channels: 3, height: 14, width: 14, kernelH: 4, kernelW: 4, stride: 2, padding: 1)
        let kept = Self.evaluate(x, w, r)[2]
        let rebuilt = Tensor.convWeightGradient(x, r, geo)
        #expect(kept.doubles == rebuilt.doubles)
        // convTranspose2d(r, w) in both of its inputs: shared columns outside a graph,
        // separate ones when the gradients carry their own graph.
        let (rl, wl) = (r.requiringGrad(), w.requiringGrad())
        let t = Tensor.convTranspose2d(rl, weight: wl, stride: 2, padding: 1)
        let shared = gradients(of: (t * x).sum(), wrt: [rl, wl])
        let separate = gradients(of: (t * x).sum(), wrt: [rl, wl], createGraph: true)
        #expect(shared[0].doubles == separate[0].doubles)
        #expect(shared[1].doubles == separate[1].doubles)
        #expect(shared[1].doubles == Tensor.convWeightGradient(x, r, geo).doubles)
    }

    @Test func sameBitsOnOneThreadAndTwo() {
        let (x, w, r) = Self.inputs(dtype: .float32)
        let (one, two) = onOneThreadAndTwo { Self.evaluate(x, w, r).map(\.doubles) }
        #expect(one == two)
    }
}
