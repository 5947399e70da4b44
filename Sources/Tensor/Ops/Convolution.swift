/// 2-D convolution (cross-correlation, as in PyTorch), its transpose, and its weight
/// gradient. The three are each other's adjoints, so each backward rule is written with the
/// other two and every order of derivative is available.
///
/// Layouts: images [N, C, H, W]; convolution weights [Cout, Cin, kH, kW].
extension Tensor {
    /// y = conv2d(x, w): x [N, Cin, H, W], w [Cout, Cin, kH, kW] → [N, Cout, Ho, Wo].
    public static func conv2d(_ x: Tensor, weight w: Tensor, bias: Tensor? = nil, stride: Int = 1, padding: Int = 0) -> Tensor {
        precondition(x.rank == 4 && w.rank == 4, "conv2d: input \(x.shape) and weight \(w.shape) must be rank 4")
        precondition(x.shape[1] == w.shape[1], "conv2d: input has \(x.shape[1]) channels but weight \(w.shape) expects \(w.shape[1])")
        precondition(stride >= 1 && padding >= 0, "conv2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        precondition(x.dtype == w.dtype, "conv2d: dtypes differ (\(x.dtype) and \(w.dtype))")
        precondition(x.shape[2] + 2 * padding >= w.shape[2] && x.shape[3] + 2 * padding >= w.shape[3],
                     "conv2d: kernel \(w.shape[2])×\(w.shape[3]) is larger than the padded input \(x.shape) (padding \(padding))")
        if let bias {
            precondition(bias.shape == [w.shape[0]], "conv2d: bias shape \(bias.shape) does not match \(w.shape[0]) output channels")
            precondition(bias.dtype == x.dtype, "conv2d: bias dtype \(bias.dtype) differs from input \(x.dtype)")
        }
        let geo = ConvGeometry(channels: x.shape[1], height: x.shape[2], width: x.shape[3],
                               kernelH: w.shape[2], kernelW: w.shape[3], stride: stride, padding: padding)
        precondition(geo.outH >= 1 && geo.outW >= 1,
                     "conv2d: kernel \(w.shape[2])×\(w.shape[3]) with padding \(padding) does not fit input \(x.shape)")
        return convForward(x, w, geo, bias: bias)
    }

    /// conv(x, w) with an optional per-output-channel bias added in the same pass; the
    /// bias's gradient is the incoming gradient summed over all axes but 1.
    ///
    /// When w is part of a gradient graph the forward keeps its im2col matrix for the
    /// backward's weight gradient (see `retainedColumns`), which then skips building it again.
    static func convForward(_ x: Tensor, _ w: Tensor, _ geo: ConvGeometry, bias: Tensor? = nil) -> Tensor {
        let n = x.shape[0]
        let columns = w.node != nil ? retainedColumns(images: n, geo, outputChannels: w.shape[0], dtype: x.dtype) : nil
        let out = convForwardValues(x, w, geo, bias: bias, columns: columns)
        return record("conv2d", output: out, shape: [n, w.shape[0], geo.outH, geo.outW],
                      inputs: bias.map { [x, w, $0] } ?? [x, w]) { ctx in
            let (x, w, g) = (ctx.inputs[0], ctx.inputs[1], ctx.grad)
            return [ctx.needsGrad[0] ? convTranspose(g, w, geo) : nil,
                    ctx.needsGrad[1] ? convWeightGradient(x, g, geo, columns: columns) : nil]
                + (ctx.inputs.count == 3 ? [ctx.needsGrad[2] ? channelBiasGradient(g) : nil] : [])
        }
    }

    /// The values of conv(x, w) (+ bias), with im2col of x left in `columns` when given.
    private static func convForwardValues(_ x: Tensor, _ w: Tensor, _ geo: ConvGeometry, bias: Tensor?,
                                          columns: TensorStorage?) -> TensorStorage {
        let (n, cout) = (x.shape[0], w.shape[0])
        let out = TensorStorage(count: n * cout * geo.colCols, dtype: x.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            ConvolutionKernels.forward(x.storage.typed(T.self), w.storage.typed(T.self), bias: bias?.storage.typed(T.self),
                                       out.typed(T.self), images: n, outputChannels: cout, geo, columns: columns?.typed(T.self))
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return out
    }

    /// Storage for the im2col matrix of `images` inputs (colRows × images·colCols), or for
    /// the Winograd form's transformed inputs where it applies, or nil when that would pass
    /// `retainedColumnsLimit`: the backward then builds them chunk by chunk again, so memory
    /// stays bounded for large batches.
    private static func retainedColumns(images: Int, _ geo: ConvGeometry, outputChannels: Int, dtype: DType) -> TensorStorage? {
        let count = Winograd.retainedCount(geo, outputChannels: outputChannels, images: images)
        guard count * dtype.byteSize <= retainedColumnsLimit else { return nil }
        return TensorStorage(count: count, dtype: dtype)
    }

    /// The most bytes one convolution keeps for its backward: 64 MiB (a batch-64 DCGAN's
    /// 64 → 128 convolution at 28×28 keeps 12.8 MB).
    static let retainedColumnsLimit = 64 << 20

    /// ∂⟨y, g⟩/∂bias for a bias broadcast over [N, C, H, W] as [1, C, 1, 1]: the same
    /// reduction (and bits) the broadcast addition's backward gives, split over the threads.
    static func channelBiasGradient(_ g: Tensor) -> Tensor {
        g.sumPerChannel()
    }

    /// The adjoint of conv2d in its input: g [N, Cout, Ho, Wo], w [Cout, Cin, kH, kW] →
    /// [N, Cin, H, W] with H, W taken from `geo`.
    /// With `bias` (one value per channel of the result) it is added in the same pass.
    static func convTranspose(_ g: Tensor, _ w: Tensor, _ geo: ConvGeometry, bias: Tensor? = nil) -> Tensor {
        let (n, cout) = (g.shape[0], w.shape[0])
        precondition(g.shape == [n, cout, geo.outH, geo.outW], "convTranspose: gradient shape \(g.shape) does not match geometry")
        let outShape = [n, geo.channels, geo.height, geo.width]
        let out = TensorStorage(count: ShapeMath.count(outShape), dtype: g.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            ConvolutionKernels.inputGradient(g.storage.typed(T.self), w.storage.typed(T.self), bias: bias?.storage.typed(T.self),
                                             out.typed(T.self), images: n, outputChannels: cout, geo)
        }
        switch g.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return record("conv_transpose2d", output: out, shape: outShape, inputs: bias.map { [g, w, $0] } ?? [g, w]) { ctx in
            let (g0, w, gy) = (ctx.inputs[0], ctx.inputs[1], ctx.grad)
            let inputAndWeight: [Tensor?]
            // Both gradients start from im2col(gy) (or its Winograd transform). Outside a graph
            // that is built once: the input gradient's forward keeps it and the weight
            // gradient reads it.
            if ctx.needsGrad[0] && ctx.needsGrad[1] && gy.node == nil && w.node == nil && g0.node == nil,
               let columns = retainedColumns(images: gy.shape[0], geo, outputChannels: w.shape[0], dtype: gy.dtype) {
                let values = Tensor(storage: convForwardValues(gy, w, geo, bias: nil, columns: columns),
                                    shape: [gy.shape[0], w.shape[0], geo.outH, geo.outW])
                inputAndWeight = [values, convWeightGradient(gy, g0, geo, columns: columns)]
            } else {
                inputAndWeight = [ctx.needsGrad[0] ? convForward(gy, w, geo) : nil,
                                  ctx.needsGrad[1] ? convWeightGradient(gy, g0, geo) : nil]
            }
            return inputAndWeight + (ctx.inputs.count == 3 ? [ctx.needsGrad[2] ? channelBiasGradient(gy) : nil] : [])
        }
    }

    /// ∂⟨conv2d(x, w), g⟩/∂w: x [N, Cin, H, W], g [N, Cout, Ho, Wo] → [Cout, Cin, kH, kW].
    /// `columns`, when given, holds im2col(x) as the forward left it.
    static func convWeightGradient(_ x: Tensor, _ g: Tensor, _ geo: ConvGeometry, columns: TensorStorage? = nil) -> Tensor {
        let (n, cout) = (x.shape[0], g.shape[1])
        let outShape = [cout, geo.channels, geo.kernelH, geo.kernelW]
        let out = TensorStorage(count: ShapeMath.count(outShape), dtype: x.dtype)
        func run<T: TensorScalar>(_: T.Type) {
            ConvolutionKernels.weightGradient(x.storage.typed(T.self), g.storage.typed(T.self), out.typed(T.self),
                                              images: n, outputChannels: cout, geo, columns: columns.map { UnsafePointer($0.typed(T.self)) })
        }
        switch x.dtype {
        case .float32: run(Float.self)
        case .float64: run(Double.self)
        }
        return record("conv2d_weight_grad", output: out, shape: outShape, inputs: [x, g]) { ctx in
            let (x, g, gw) = (ctx.inputs[0], ctx.inputs[1], ctx.grad)
            return [ctx.needsGrad[0] ? convTranspose(g, gw, geo) : nil,
                    ctx.needsGrad[1] ? convForward(x, gw, geo) : nil]
        }
    }

    /// Transposed convolution with PyTorch's ConvTranspose2d layout: x [N, Cin, H, W],
    /// w [Cin, Cout, kH, kW] → [N, Cout, (H−1)s − 2p + k + outputPadding, …].
    public static func convTranspose2d(_ x: Tensor, weight w: Tensor, bias: Tensor? = nil, stride: Int = 1,
                                       padding: Int = 0, outputPadding: Int = 0) -> Tensor {
        precondition(x.rank == 4 && w.rank == 4, "convTranspose2d: input \(x.shape) and weight \(w.shape) must be rank 4")
        precondition(x.shape[1] == w.shape[0],
                     "convTranspose2d: input has \(x.shape[1]) channels but weight \(w.shape) expects \(w.shape[0])")
        precondition(x.dtype == w.dtype, "convTranspose2d: dtypes differ (\(x.dtype) and \(w.dtype))")
        precondition(stride >= 1 && padding >= 0, "convTranspose2d: stride \(stride) must be ≥ 1 and padding \(padding) ≥ 0")
        if let bias {
            precondition(bias.shape == [w.shape[1]], "convTranspose2d: bias shape \(bias.shape) does not match \(w.shape[1]) output channels")
            precondition(bias.dtype == x.dtype, "convTranspose2d: bias dtype \(bias.dtype) differs from input \(x.dtype)")
        }
        precondition(outputPadding >= 0 && outputPadding < Swift.max(stride, 1),
                     "convTranspose2d: outputPadding \(outputPadding) must be in 0..<stride (\(stride))")
        let h = (x.shape[2] - 1) * stride - 2 * padding + w.shape[2] + outputPadding
        let wd = (x.shape[3] - 1) * stride - 2 * padding + w.shape[3] + outputPadding
        precondition(h >= 1 && wd >= 1, "convTranspose2d: output size \(h)×\(wd) is empty for input \(x.shape)")
        // Seen as the adjoint of a conv2d that maps the output back to x.
        let geo = ConvGeometry(channels: w.shape[1], height: h, width: wd, kernelH: w.shape[2], kernelW: w.shape[3],
                               stride: stride, padding: padding)
        precondition(geo.outH == x.shape[2] && geo.outW == x.shape[3], "convTranspose2d: inconsistent geometry for \(x.shape)")
        return convTranspose(x, w, geo, bias: bias)
    }
}
