import Testing
@testable import Tensor

/// The Winograd F(4×4, 2×2) form of 4×4 stride-2 convolutions: values against the plain-loop
/// definitions and the im2col kernels, gradients at first and second order, chunked batches,
/// thread counts, and where the form applies.
@Suite(.serialized) struct StridedWinogradTests {
    /// Input [N, C, H, W], output channels, padding: full and partial tiles, odd and
    /// non-square sizes, padding 0 and 2, one tile and several.
    static let geometries: [(shape: [Int], outputs: Int, padding: Int)] = [
        ([2, 16, 14, 14], 16, 1),   // 7×7 outputs: 2×2 tiles, the last row and column of tiles partial
        ([1, 16, 8, 8], 24, 1),     // 4×4: one whole tile
        ([2, 24, 15, 13], 16, 1),   // 7×6
        ([1, 16, 10, 10], 16, 0),   // 4×4 without padding
        ([2, 16, 9, 11], 32, 2),    // 5×6 with padding 2
        ([1, 16, 34, 18], 16, 1),   // 17×9: 5×3 tiles
    ]

    static func operands(_ shape: [Int], outputs: Int, padding: Int, dtype: DType, seed: UInt64)
        -> (x: Tensor, w: Tensor, b: Tensor, g: Tensor, geo: ConvGeometry) {
        var key = RandomKey(seed: seed)
        let x = Tensor.uniform(shape, low: -1, high: 1, key: key.split(), dtype: dtype)
        let w = Tensor.uniform([outputs, shape[1], 4, 4], low: -1, high: 1, key: key.split(), dtype: dtype)
        let b = Tensor.uniform([outputs], low: -1, high: 1, key: key.split(), dtype: dtype)
        let geo = ConvGeometry(channels: shape[1], height: shape[2], width: shape[3], kernelH: 4, kernelW: 4, stride: 2, padding: padding)
        let g = Tensor.uniform([shape[0], outputs, geo.outH, geo.outW], low: -1, high: 1, key: key.split(), dtype: dtype)
        return (x, w, b, g, geo)
    }

    /// dw[o, c, i, j] = Σ g[n, o, a, b] · x[n, c, 2a − p + i, 2b − p + j].
    static func naiveWeightGradient(_ x: Tensor, _ g: Tensor, padding p: Int) -> [Double] {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, oh, ow) = (g.shape[1], g.shape[2], g.shape[3])
        var dw = [Double](repeating: 0, count: o * c * 16)
        for b in 0..<n { for oc in 0..<o { for a in 0..<oh { for bb in 0..<ow {
            let gv = g[b, oc, a, bb]
            for ic in 0..<c { for i in 0..<4 { for j in 0..<4 {
                let (r, q) = (2 * a - p + i, 2 * bb - p + j)
                if r >= 0 && r < h && q >= 0 && q < wd { dw[((oc * c + ic) * 4 + i) * 4 + j] += gv * x[b, ic, r, q] }
            } } }
        } } } }
        return dw
    }

    @Test(arguments: 0..<geometries.count)
    func valuesMatchDefinitions(_ index: Int) {
        let (shape, outputs, padding) = Self.geometries[index]
        for dtype in [DType.float64, .float32] {
            let (x, w, b, g, geo) = Self.operands(shape, outputs: outputs, padding: padding, dtype: dtype, seed: UInt64(index))
            #expect(Winograd.enabled && StridedWinograd<Float>(geo, outputChannels: outputs) != nil,
                    "geometry \(index) should take the Winograd form")
            // Sums of 16·C products of values in −1…1; Float32 carries the transforms' extra rounding.
            let tolerance = dtype == .float32 ? 2e-5 * Double(shape[1]) : 1e-12
            let y = Tensor.conv2d(x, weight: w, bias: b, stride: 2, padding: padding)
            expectValues(y, ConvolutionTests.naiveConv(x, w, b, stride: 2, padding: padding), tolerance: tolerance, "\(dtype) forward \(index)")
            // The input gradient, as a transposed convolution with its bias.
            let bx = Tensor.uniform([shape[1]], low: -1, high: 1, key: RandomKey(seed: 99), dtype: dtype)
            let t = Tensor.convTranspose(g, w, geo, bias: bx)
            // conv2d's weight [Cout, C, 4, 4] is the ConvTranspose2d weight that maps Cout channels
            // to C; the output padding gives back the rows and columns the forward's floor dropped.
            let outputPadding = shape[2] - ((geo.outH - 1) * 2 - 2 * padding + 4)
            #expect(outputPadding == shape[3] - ((geo.outW - 1) * 2 - 2 * padding + 4))
            let reference = ConvolutionTests.naiveConvTranspose(g, w, bx, stride: 2, padding: padding, outputPadding: outputPadding)
            #expect(t.shape == reference.shape)
            expectValues(t, reference.values, tolerance: tolerance, "\(dtype) input gradient \(index)")
            let dw = Tensor.convWeightGradient(x, g, geo)
            expectValues(dw, Self.naiveWeightGradient(x, g, padding: padding), tolerance: tolerance * Double(shape[0]) * 4,
                         "\(dtype) weight gradient \(index)")
        }
    }

    /// Float32 through the Winograd form stays within a small multiple of im2col's rounding
    /// (DCGAN's 64 → 128 layer at batch 8): the largest difference from Float64 is compared.
    @Test func float32RoundingStaysNearIm2col() {
        let (x, w, _, g, geo) = Self.operands([8, 64, 14, 14], outputs: 128, padding: 1, dtype: .float64, seed: 7)
        let exact = Tensor.conv2d(x, weight: w, stride: 2, padding: 1).doubles
        let exactGradient = Tensor.convWeightGradient(x, g, geo).doubles
        let (xf, wf, gf) = (x.cast(to: .float32), w.cast(to: .float32), g.cast(to: .float32))
        let winograd = Tensor.conv2d(xf, weight: wf, stride: 2, padding: 1).doubles
        let winogradGradient = Tensor.convWeightGradient(xf, gf, geo).doubles
        let im2col = Self.im2colForward(xf, wf, geo).doubles
        func largest(_ a: [Double], _ b: [Double]) -> Double { zip(a, b).map { Swift.abs($0 - $1) }.max() ?? 0 }
        let (errorWinograd, errorIm2col) = (largest(winograd, exact), largest(im2col, exact))
        #expect(errorWinograd > 0 && errorWinograd < 20 * errorIm2col, "Winograd \(errorWinograd) vs im2col \(errorIm2col)")
        let scale = exactGradient.map(Swift.abs).max() ?? 1
        #expect(largest(winogradGradient, exactGradient) < 1e-5 * scale)
    }

    static func im2colForward(_ x: Tensor, _ w: Tensor, _ geo: ConvGeometry) -> Tensor {
        let out = TensorStorage(count: x.shape[0] * w.shape[0] * geo.colCols, dtype: .float32)
        ConvolutionKernels.forward(x.storage.typed(Float.self), w.storage.typed(Float.self), bias: nil, out.typed(Float.self),
                                   images: x.shape[0], outputChannels: w.shape[0], geo, algorithm: .im2col)
        return Tensor(storage: out, shape: [x.shape[0], w.shape[0], geo.outH, geo.outW])
    }

    /// First- and second-order gradients by finite differences through the Winograd form.
    static let cases: [OpCase] = [
        OpCase("winograd conv2d, 5×5 input, padding 1, bias", inputs: {
            [Inputs.uniform([1, 16, 5, 5], seed: 31), Inputs.uniform([16, 16, 4, 4], seed: 32), Inputs.uniform([16], seed: 33)]
        }) { Tensor.conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1).tanh() },
        OpCase("winograd convTranspose2d, 2×2 input, padding 1", inputs: {
            [Inputs.uniform([1, 16, 2, 2], seed: 34), Inputs.uniform([16, 16, 4, 4], seed: 35)]
        }) { Tensor.convTranspose2d($0[0], weight: $0[1], stride: 2, padding: 1).squared() },
    ]

    @Test(arguments: cases)
    func finiteDifferenceGradients(_ c: OpCase) { c.check() }

    /// A batch that spans chunks (8 images of 32×32 outputs per chunk; 9 images) gives the
    /// results of one image at a time, in all three kernels.
    @Test func chunkedBatchMatchesImageByImage() {
        let (x, w, _, g, geo) = Self.operands([9, 16, 64, 64], outputs: 16, padding: 1, dtype: .float64, seed: 11)
        #expect(StridedWinograd<Double>(geo, outputChannels: 16)?.imagesPerChunk == 8)
        let y = Tensor.conv2d(x, weight: w, stride: 2, padding: 1)
        let t = Tensor.convTranspose(g, w, geo)
        let dw = Tensor.convWeightGradient(x, g, geo)
        var (outputs, transposed) = ([Double](), [Double]())
        var weightGradient = [Double](repeating: 0, count: w.count)
        for i in 0..<9 {
            let (xi, gi) = (x.gathering(rows: [i]), g.gathering(rows: [i]))
            outputs += Tensor.conv2d(xi, weight: w, stride: 2, padding: 1).doubles
            transposed += Tensor.convTranspose(gi, w, geo).doubles
            for (k, v) in Tensor.convWeightGradient(xi, gi, geo).doubles.enumerated() { weightGradient[k] += v }
        }
        expectValues(y, outputs, tolerance: 1e-12, "output")
        expectValues(t, transposed, tolerance: 1e-12, "input gradient")
        expectValues(dw, weightGradient, tolerance: 1e-10, "weight gradient")
    }

    /// The forward keeps its transformed inputs for the weight gradient (the weight is in a
    /// graph): the gradient has the bits of one computed from x afresh, over several chunks.
    @Test func keptTransformsGiveTheBitsOfRebuiltOnes() {
        let (x, w, _, g, geo) = Self.operands([9, 16, 64, 64], outputs: 16, padding: 1, dtype: .float32, seed: 13)
        let form = StridedWinograd<Float>(geo, outputChannels: 16)!
        #expect(form.retainedCount(images: 9) == 25 * 64 * (form.tileCount(images: 8) + form.tileCount(images: 1)))
        let wl = w.requiringGrad()
        let y = Tensor.conv2d(x, weight: wl, stride: 2, padding: 1)
        let kept = gradients(of: (y * g).sum(), wrt: [wl])[0]
        let differing = zip(kept.doubles, Tensor.convWeightGradient(x, g, geo).doubles).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(w.count) weight-gradient entries differ")
        // A transposed convolution's backward transforms gy once for both of its gradients
        // outside a graph, and separately when the gradients carry their own graph.
        let (gl, wt) = (g.requiringGrad(), w.requiringGrad())
        let t = Tensor.convTranspose2d(gl, weight: wt, stride: 2, padding: 1)
        let shared = gradients(of: (t * x).sum(), wrt: [gl, wt])
        let separate = gradients(of: (t * x).sum(), wrt: [gl, wt], createGraph: true)
        #expect(shared[0].doubles == separate[0].doubles, "input gradient")
        #expect(shared[1].doubles == separate[1].doubles, "weight gradient")
    }

    @Test func sameBitsOnOneThreadAndTwo() {
        let (x, w, b, g, geo) = Self.operands([9, 16, 64, 64], outputs: 24, padding: 1, dtype: .float32, seed: 12)
        let (one, two) = onOneThreadAndTwo {
            [Tensor.conv2d(x, weight: w, bias: b, stride: 2, padding: 1), Tensor.convTranspose(g, w, geo),
             Tensor.convWeightGradient(x, g, geo)].map(\.doubles)
        }
        #expect(one == two)
    }

    @Test func appliesOnlyWhereItPays() {
        func geometry(channels: Int, kernel: Int = 4, stride: Int = 2) -> ConvGeometry {
            ConvGeometry(channels: channels, height: 14, width: 14, kernelH: kernel, kernelW: kernel, stride: stride, padding: 1)
        }
        #expect(StridedWinograd<Float>(geometry(channels: 64), outputChannels: 128) != nil)
        #expect(StridedWinograd<Float>(geometry(channels: 16), outputChannels: 16) != nil)
        #expect(StridedWinograd<Float>(geometry(channels: 1), outputChannels: 64) == nil, "a first layer: too thin")
        #expect(StridedWinograd<Float>(geometry(channels: 64), outputChannels: 1) == nil, "a last layer: too thin")
        #expect(StridedWinograd<Float>(geometry(channels: 20), outputChannels: 64) == nil, "channels not a multiple of 8")
        #expect(StridedWinograd<Float>(geometry(channels: 64, kernel: 3), outputChannels: 64) == nil)
        #expect(StridedWinograd<Float>(geometry(channels: 64, stride: 1), outputChannels: 64) == nil)
    }
}
