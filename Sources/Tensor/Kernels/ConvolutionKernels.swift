import Foundation

/// The image chunks of a batched convolution: `perChunk` images each (the last may hold
/// fewer), about `targetColumns` GEMM columns per chunk, so one GEMM is large enough to run
/// near peak and the column buffer (colRows × columns) stays small. Forward and input-gradient
/// GEMMs use 256 columns (the buffers stay in L2); weight gradients, whose sums run over the
/// columns, keep 1,024: their chunking fixes the order of the additions. Chunks depend only on
/// the shapes, never on the thread count, so results are the same on any number of threads.
/// (Each output column is its own dot product, but OpenBLAS's edge tiles round differently
/// from its full ones: measured here, regrouping the columns changes last bits.)
struct ConvChunks {
    let images: Int
    let perChunk: Int
    var count: Int { (images + perChunk - 1) / perChunk }

    /// Chunk width of the forward and input-gradient GEMMs, whose output columns are independent.
    static let independentColumns = 256
    /// Chunk width of the weight-gradient GEMMs, whose sums run over the columns.
    static let summedColumns = 1024

    /// `balanced` asks for a multiple of four chunks (rounding the count up; the images'
    /// division may still leave fewer), so two or four kernel threads get equal shares: a
    /// 64-image batch of 7×7 outputs made 13 chunks of 5 images, leaving one thread idle for
    /// a fourteenth of each such GEMM; it now makes 16 of 4. Only for the independent-column
    /// GEMMs; the summed weight gradients keep their chunks and so their order of additions.
    init(images: Int, columnsPerImage: Int, targetColumns: Int, balanced: Bool = false) {
        self.images = images
        var wanted = Swift.max(1, Swift.min(images, (images * columnsPerImage + targetColumns - 1) / targetColumns))
        if balanced { wanted = Swift.min(images, (wanted + 3) / 4 * 4) }
        perChunk = Swift.max(1, (images + wanted - 1) / wanted)
    }

    func range(_ chunk: Int) -> Range<Int> { (chunk * perChunk)..<Swift.min(images, (chunk + 1) * perChunk) }

    /// Runs `body(chunk)` for every chunk on the kernel threads (see `forEachChunk`).
    func forEach(_ body: @Sendable (Int) -> Void) {
        forEachChunk(count, body)
    }
}

/// How a convolution kernel computes: `.automatic` takes the Winograd form where it applies
/// (4×4 stride-2 layers with 16 or more channels on both sides, see `StridedWinograd`) and
/// im2col + GEMM elsewhere; `.im2col` always takes im2col (tests use it as the reference).
enum ConvAlgorithm: Sendable, Equatable {
    case automatic, im2col
}

/// Chooses and runs the Winograd form of a convolution for the scalar type at hand.
enum Winograd {
    /// False when the environment sets `EQUILIBRIUM_WINOGRAD=0`: every convolution then takes
    /// im2col, so one binary can time both (benchmarks) or rule the transforms out.
    static let enabled: Bool = ProcessInfo.processInfo.environment["EQUILIBRIUM_WINOGRAD"] != "0"

    /// Values a forward over `images` inputs keeps for the weight gradient: the transformed
    /// inputs of the Winograd form where it applies, the im2col matrix elsewhere.
    static func retainedCount(_ geo: ConvGeometry, outputChannels: Int, images: Int) -> Int {
        guard enabled, let form = StridedWinograd<Float>(geo, outputChannels: outputChannels) else {
            return geo.colRows * images * geo.colCols
        }
        return form.retainedCount(images: images)
    }

    /// Runs `float` or `double` with the Winograd form when it applies to T; false otherwise.
    static func run<T: TensorScalar>(_: T.Type, _ geo: ConvGeometry, _ cout: Int, float: (StridedWinograd<Float>) -> Void,
                                     double: (StridedWinograd<Double>) -> Void) -> Bool {
        guard enabled else { return false }
        if T.self == Float.self, let form = StridedWinograd<Float>(geo, outputChannels: cout) {
            float(form)
            return true
        }
        if T.self == Double.self, let form = StridedWinograd<Double>(geo, outputChannels: cout) {
            double(form)
            return true
        }
        return false
    }
}

/// The same memory seen as another scalar type (the caller has checked that the types match).
@inline(__always)
private func cast<T, U>(_ p: UnsafePointer<T>) -> UnsafePointer<U> {
    UnsafeRawPointer(p).assumingMemoryBound(to: U.self)
}

@inline(__always)
private func cast<T, U>(_ p: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<U> {
    UnsafeMutableRawPointer(p).assumingMemoryBound(to: U.self)
}

/// The three GEMM-based convolution kernels on raw buffers. Images are [N, C, H, W] with the
/// geometry's C, H, W; the convolution's output (or incoming gradient) is [N, Cout, Ho, Wo];
/// weights are [Cout, colRows].
enum ConvolutionKernels {
    /// out = conv(x, w) (+ bias per output channel): per chunk, im2col of its images side by
    /// side, one GEMM, then each image's [Cout, Ho·Wo] block copied to its place, the bias
    /// added on the way (the same one rounding as a separate addition).
    ///
    /// With `columns` (colRows × n·colCols elements) the chunks write their im2col into that
    /// one matrix, image k at column k·colCols, and it is left filled: `weightGradient` can
    /// then use it instead of building the same columns again. (In the Winograd form,
    /// `columns` holds `Winograd.retainedCount` values: the transformed inputs.)
    static func forward<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, bias: UnsafePointer<T>?,
                                         _ out: UnsafeMutablePointer<T>, images n: Int, outputChannels cout: Int,
                                         _ geo: ConvGeometry, columns: UnsafeMutablePointer<T>? = nil,
                                         algorithm: ConvAlgorithm = .automatic) {
        if algorithm == .automatic,
           Winograd.run(T.self, geo, cout,
                        float: { $0.forward(cast(x), cast(w), bias: bias.map(cast), cast(out), images: n, retained: columns.map(cast)) },
                        double: { $0.forward(cast(x), cast(w), bias: bias.map(cast), cast(out), images: n, retained: columns.map(cast)) }) {
            return
        }
        let chunks = ConvChunks(images: n, columnsPerImage: geo.colCols, targetColumns: ConvChunks.independentColumns, balanced: true)
        let (xs, ws, os) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: UnsafeMutablePointer(mutating: w)),
                            SharedPointer(base: out))
        let bs = bias.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
        let retained = columns.map { SharedPointer(base: $0) }
        let ownsColumns = columns == nil
        chunks.forEach { chunk in
            let images = chunks.range(chunk)
            let width = images.count * geo.colCols
            // The chunk's columns: a slice of the retained matrix (rows n·colCols apart) or
            // a buffer of its own.
            let (cols, ldb) = retained.map { ($0.base + images.lowerBound * geo.colCols, n * geo.colCols) }
                ?? (UnsafeMutablePointer<T>.allocate(capacity: geo.colRows * width), width)
            let product = UnsafeMutablePointer<T>.allocate(capacity: cout * width)
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: geo.scratchCount)
            defer {
                if ownsColumns { cols.deallocate() }
                product.deallocate(); scratch.deallocate()
            }
            for (k, image) in images.enumerated() {
                geo.im2col(xs.base + image * geo.imageSize, cols + k * geo.colCols, ld: ldb, scratch: scratch)
            }
            gemm(transA: false, transB: false, m: cout, n: width, k: geo.colRows, alpha: 1,
                 ws.base, lda: geo.colRows, cols, ldb: ldb, beta: 0, product, ldc: width)
            for (k, image) in images.enumerated() {
                for channel in 0..<cout {
                    let (source, target) = (product + channel * width + k * geo.colCols, os.base + (image * cout + channel) * geo.colCols)
                    if let bs {
                        let b = bs.base[channel]
                        for i in 0..<geo.colCols { target[i] = source[i] + b }
                    } else {
                        copyPlane(from: source, to: target, count: geo.colCols)
                    }
                }
            }
        }
    }

    /// out = the adjoint of conv in its input (+ bias per channel of `out`, as a transposed
    /// convolution's): per chunk, the gradients gathered channel-major [Cout, images·Ho·Wo],
    /// one GEMM wᵀ·g into columns, then col2im per image and the bias added to it.
    static func inputGradient<T: TensorScalar>(_ g: UnsafePointer<T>, _ w: UnsafePointer<T>, bias: UnsafePointer<T>?,
                                               _ out: UnsafeMutablePointer<T>, images n: Int, outputChannels cout: Int,
                                               _ geo: ConvGeometry, algorithm: ConvAlgorithm = .automatic) {
        if algorithm == .automatic,
           Winograd.run(T.self, geo, cout, float: { $0.inputGradient(cast(g), cast(w), bias: bias.map(cast), cast(out), images: n) },
                        double: { $0.inputGradient(cast(g), cast(w), bias: bias.map(cast), cast(out), images: n) }) {
            return
        }
        let chunks = ConvChunks(images: n, columnsPerImage: geo.colCols, targetColumns: ConvChunks.independentColumns, balanced: true)
        let (gs, ws, os) = (SharedPointer(base: UnsafeMutablePointer(mutating: g)), SharedPointer(base: UnsafeMutablePointer(mutating: w)),
                            SharedPointer(base: out))
        let bs = bias.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
        let plane = geo.height * geo.width
        chunks.forEach { chunk in
            let images = chunks.range(chunk)
            let ld = images.count * geo.colCols
            let gathered = UnsafeMutablePointer<T>.allocate(capacity: cout * ld)
            let cols = UnsafeMutablePointer<T>.allocate(capacity: geo.colRows * ld + ConvGeometry.columnSlack)
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: geo.scratchCount)
            defer { gathered.deallocate(); cols.deallocate(); scratch.deallocate() }
            gatherChannelMajor(gs.base, into: gathered, images: images, channels: cout, plane: geo.colCols)
            gemm(transA: true, transB: false, m: geo.colRows, n: ld, k: cout, alpha: 1,
                 ws.base, lda: geo.colRows, gathered, ldb: ld, beta: 0, cols, ldc: ld)
            for (k, image) in images.enumerated() {
                let target = os.base + image * geo.imageSize
                geo.col2im(cols + k * geo.colCols, target, ld: ld, scratch: scratch)
                if let bs {
                    for channel in 0..<geo.channels {
                        let (row, b) = (target + channel * plane, bs.base[channel])
                        for i in 0..<plane { row[i] = row[i] + b }
                    }
                }
            }
        }
    }

    /// out [Cout, colRows] = Σ_images g_i · im2col(x_i)ᵀ: one GEMM per chunk into the chunk's
    /// own partial sum, then the partials added in chunk order. `columns`, when given, is
    /// im2col of all of x as `forward` leaves it (image k at column k·colCols); the GEMMs read
    /// it in place, the same values in the same chunks, so the result has the same bits.
    static func weightGradient<T: TensorScalar>(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>,
                                                images n: Int, outputChannels cout: Int, _ geo: ConvGeometry,
                                                columns: UnsafePointer<T>? = nil, algorithm: ConvAlgorithm = .automatic) {
        if algorithm == .automatic,
           Winograd.run(T.self, geo, cout, float: { $0.weightGradient(cast(x), cast(g), cast(out), images: n, retained: columns.map(cast)) },
                        double: { $0.weightGradient(cast(x), cast(g), cast(out), images: n, retained: columns.map(cast)) }) {
            return
        }
        let chunks = ConvChunks(images: n, columnsPerImage: geo.colCols, targetColumns: ConvChunks.summedColumns)
        let size = cout * geo.colRows
        guard chunks.count > 0 else {
            out.update(repeating: 0, count: size)
            return
        }
        let partials = UnsafeMutablePointer<T>.allocate(capacity: size * chunks.count)
        defer { partials.deallocate() }
        let (xs, gs, ps) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: UnsafeMutablePointer(mutating: g)),
                            SharedPointer(base: partials))
        let retained = columns.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
        chunks.forEach { chunk in
            let images = chunks.range(chunk)
            let width = images.count * geo.colCols
            let gathered = UnsafeMutablePointer<T>.allocate(capacity: cout * width)
            defer { gathered.deallocate() }
            gatherChannelMajor(gs.base, into: gathered, images: images, channels: cout, plane: geo.colCols)
            func product(_ cols: UnsafePointer<T>, ldb: Int) {
                gemm(transA: false, transB: true, m: cout, n: geo.colRows, k: width, alpha: 1,
                     gathered, lda: width, cols, ldb: ldb, beta: 0, ps.base + chunk * size, ldc: geo.colRows)
            }
            if let retained {
                product(retained.base + images.lowerBound * geo.colCols, ldb: n * geo.colCols)
                return
            }
            let cols = UnsafeMutablePointer<T>.allocate(capacity: geo.colRows * width)
            let scratch = UnsafeMutablePointer<T>.allocate(capacity: geo.scratchCount)
            defer { cols.deallocate(); scratch.deallocate() }
            for (k, image) in images.enumerated() {
                geo.im2col(xs.base + image * geo.imageSize, cols + k * geo.colCols, ld: width, scratch: scratch)
            }
            product(cols, ldb: width)
        }
        out.update(from: partials, count: size)
        for chunk in 1..<chunks.count {
            let partial = partials + chunk * size
            for i in 0..<size { out[i] += partial[i] }
        }
    }

    /// A plain loop rather than memmove: the planes are tens of values, where the call costs
    /// more than the copy.
    @inline(__always)
    private static func copyPlane<T>(from source: UnsafePointer<T>, to target: UnsafeMutablePointer<T>, count: Int) {
        for i in 0..<count { target[i] = source[i] }
    }

    /// [N, C, P] rows of `images` → [C, images·P]: image k's channel c lands at column k·P of
    /// row c.
    private static func gatherChannelMajor<T: TensorScalar>(_ source: UnsafePointer<T>, into target: UnsafeMutablePointer<T>,
                                                            images: Range<Int>, channels: Int, plane: Int) {
        let ld = images.count * plane
        for (k, image) in images.enumerated() {
            for c in 0..<channels {
                copyPlane(from: source + (image * channels + c) * plane, to: target + c * ld + k * plane, count: plane)
            }
        }
    }
}
