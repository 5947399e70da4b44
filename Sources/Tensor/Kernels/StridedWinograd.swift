/// Winograd's minimal filtering F(4×4, 2×2) for the 4×4, stride-2 convolutions of DCGAN-style
/// players: the forward, its adjoint in the input (the transposed convolution) and the weight
/// gradient, each with about half of im2col's GEMM multiply-adds.
///
/// **Why it applies.** Split the zero-padded input into its four polyphase planes
/// Q_ρσ[c, m, n] = padded[c, 2m + ρ, 2n + σ]. Then
///
///     y[o, i, j] = Σ_{c, ρ, σ} Σ_{α, β ∈ {0, 1}} w[o, c, 2α + ρ, 2β + σ] · Q_ρσ[c, i + α, j + β],
///
/// a 2×2 stride-1 convolution over 4·C input channels. F(4×4, 2×2) computes a 4×4 output tile
/// from a 5×5 input tile with 25 products per channel pair instead of 64:
/// Y = Aᵀ [(G g Gᵀ) ⊙ (Bᵀ d B)] A. Over all channels that is 25 independent GEMMs, one per
/// transform point ξ, of [Cout × 4C] · [4C × tiles]. A 7×7 output takes 2×2 tiles, so the
/// GEMMs do 25·4·4 / (49·16) = 0.51 of im2col's multiply-adds.
///
/// **Transforms.** Points 0, 1, −1, 2 and ∞ (the Toom–Cook construction of Lavin & Gray,
/// "Fast Algorithms for Convolutional Neural Networks", 2016); the rows of Bᵀ are scaled (and
/// G's divided by the same factors) so that the input transform, the hot one, has small
/// integer entries:
///
///     Bᵀ = [2 −1 −2  1 0;  0  2 1 −1 0;  0 −2 3 −1 0;  0 −1 0 1 0;  0 2 −1 −2 1]
///     G  = [1/2 0;  1/2 1/2;  1/6 −1/6;  1/6 1/3;  0 1]
///     Aᵀ = [1 1 1 1 0;  0 1 −1 2 0;  0 1 1 4 0;  0 1 −1 8 1]
///
/// The backward passes are the exact adjoints of this forward: the input gradient applies
/// A, Uᵀ and B where the forward applied Aᵀ, U and Bᵀ, and the weight gradient sums
/// (A g Aᵀ) ⊙ (Bᵀ d B) over tiles before Gᵀ · G. So the three stay each other's adjoints,
/// which the double backward of a gradient penalty relies on.
///
/// **Rounding.** The transforms add values of different sizes, so a Float32 result carries
/// more rounding than the direct sum: in a 256-channel tile (numpy, random normal data) the
/// largest error was 1.3·10⁻⁴ against 1.7·10⁻⁵ for the direct Float32 sum, on outputs of size
/// about 30. Float64 results agree with the direct sum to ~10⁻¹⁴.
///
/// **Layout.** Everything the transforms touch is channel-last, so they read and write eight
/// channels at a time: per image, the input as phase planes [phase][phaseH][phaseW][C] and
/// the outputs (or their gradient) as [4·tilesH][4·tilesW][Cout], both reached from the
/// [N, C, H, W] tensors through 8×8 register transposes; per chunk, the transformed input
/// `vt` as [tile][ξ][4C] (k = phase·C + c), the transformed weight `u` as [ξ][Cout][4C] and
/// the GEMM products as [tile][ξ][Cout]. Keeping a tile's 25 points together makes each
/// transform read or write one block of memory instead of 25 far-apart streams; the GEMMs
/// of point ξ see their matrices with a leading dimension 25 times the row. Chunks hold at most
/// `maxTilesPerChunk` tiles and depend only on the shapes; the 25 GEMMs of a chunk are spread
/// over the kernel threads by point, so every value is computed the same way on any number
/// of threads.
struct StridedWinograd<T: TensorScalar & SIMDScalar>: Sendable {
    typealias Lanes = SIMD8<T>
    static var laneCount: Int { 8 }
    static var points: Int { 25 }
    /// Tiles per chunk: 128 images of 7×7 outputs. The chunk's transformed input then takes
    /// 25 · 512 · 4C values (13 MB at C = 64).
    static var maxTilesPerChunk: Int { 512 }

    let geo: ConvGeometry
    let outputChannels: Int
    let tilesH: Int, tilesW: Int
    var tilesPerImage: Int { tilesH * tilesW }
    /// The GEMMs' inner size: input channels × phases.
    var depth: Int { 4 * geo.channels }
    /// Rows and columns of a phase plane that some tile reads: 4 · tiles + 1.
    var phaseH: Int { 4 * tilesH + 1 }
    var phaseW: Int { 4 * tilesW + 1 }
    var phaseImageCount: Int { 4 * phaseH * phaseW * geo.channels }

    /// The Winograd form of `geo` with `outputChannels` outputs, or nil where it does not
    /// apply or does not pay: other kernels or strides, channel counts that are not a
    /// multiple of eight (the transforms move eight channels at a time), and layers with
    /// fewer than 16 input or output channels, whose GEMMs are too thin to repay the
    /// transforms (a DCGAN's first and last layers).
    init?(_ geo: ConvGeometry, outputChannels: Int) {
        guard geo.kernelH == 4, geo.kernelW == 4, geo.stride == 2, geo.channels % Self.laneCount == 0,
              geo.channels >= 16, outputChannels >= 16 else { return nil }
        self.geo = geo
        self.outputChannels = outputChannels
        tilesH = (geo.outH + 3) / 4
        tilesW = (geo.outW + 3) / 4
    }

    /// Images per chunk; a function of the shapes only.
    var imagesPerChunk: Int { Swift.max(1, Self.maxTilesPerChunk / tilesPerImage) }

    /// The GEMM width of a chunk of `images` images: its tiles.
    func tileCount(images: Int) -> Int { images * tilesPerImage }

    // MARK: - The three convolutions

    /// Values of the transformed inputs of `n` images, chunk after chunk: what a forward
    /// keeps for the weight gradient.
    func retainedCount(images n: Int) -> Int {
        let full = n / imagesPerChunk, rest = n % imagesPerChunk
        return Self.points * depth * (full * tileCount(images: imagesPerChunk) + (rest > 0 ? tileCount(images: rest) : 0))
    }

    /// Where the chunk that starts at image `first` keeps its transformed inputs in a
    /// `retainedCount` buffer.
    private func retainedOffset(chunkStart first: Int) -> Int {
        (first / imagesPerChunk) * Self.points * depth * tileCount(images: imagesPerChunk)
    }

    /// out [N, Cout, Ho, Wo] = conv(x, w) (+ bias per output channel). With `retained`
    /// (`retainedCount(images: n)` values) the transformed inputs are left there for
    /// `weightGradient`.
    func forward(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, bias: UnsafePointer<T>?, _ out: UnsafeMutablePointer<T>, images n: Int,
                 retained: UnsafeMutablePointer<T>? = nil) {
        let u = transformedWeights(w)
        defer { u.deallocate() }
        let (xs, us, os) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: u), SharedPointer(base: out))
        let bs = bias.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
        forEachBatchChunk(n) { images, tiles in
            let vt = retained.map { SharedPointer(base: $0 + retainedOffset(chunkStart: images.lowerBound)) }
                ?? Self.buffer(Self.points * tiles * depth)
            let products = Self.zeroedBuffer(Self.points * tiles * outputChannels)
            defer {
                if retained == nil { vt.base.deallocate() }
                products.base.deallocate()
            }
            transformInputs(xs.base, images: images, into: vt.base)
            forEachChunk(Self.points) { point in
                gemm(transA: false, transB: true, m: tiles, n: outputChannels, k: depth, alpha: 1,
                     vt.base + point * depth, lda: Self.points * depth, us.base + point * outputChannels * depth, ldb: depth,
                     beta: 1, products.base + point * outputChannels, ldc: Self.points * outputChannels)
            }
            forEachImage(images.count, scratch: 16 * tilesPerImage * outputChannels) { k, scratch in
                writeOutputs(products.base, localImage: k, scratch: scratch,
                             into: os.base + (images.lowerBound + k) * outputChannels * geo.colCols, bias: bs?.base)
            }
        }
    }

    /// out [N, C, H, W] = the adjoint of conv in its input, applied to g [N, Cout, Ho, Wo]
    /// (+ bias per channel of `out`).
    func inputGradient(_ g: UnsafePointer<T>, _ w: UnsafePointer<T>, bias: UnsafePointer<T>?, _ out: UnsafeMutablePointer<T>,
                       images n: Int) {
        let u = transformedWeights(w)
        defer { u.deallocate() }
        let (gs, us, os) = (SharedPointer(base: UnsafeMutablePointer(mutating: g)), SharedPointer(base: u), SharedPointer(base: out))
        let bs = bias.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
        forEachBatchChunk(n) { images, tiles in
            let (vt, products) = (Self.zeroedBuffer(Self.points * tiles * depth), Self.buffer(Self.points * tiles * outputChannels))
            defer { vt.base.deallocate(); products.base.deallocate() }
            transformGradients(gs.base, images: images, into: products.base)
            forEachChunk(Self.points) { point in
                gemm(transA: false, transB: false, m: tiles, n: depth, k: outputChannels, alpha: 1,
                     products.base + point * outputChannels, lda: Self.points * outputChannels,
                     us.base + point * outputChannels * depth, ldb: depth, beta: 1, vt.base + point * depth, ldc: Self.points * depth)
            }
            forEachImage(images.count, scratch: phaseImageCount) { k, planes in
                accumulateInputGradient(vt.base, localImage: k, planes: planes,
                                        into: os.base + (images.lowerBound + k) * geo.imageSize, bias: bs?.base)
            }
        }
    }

    /// out [Cout, C, 4, 4] = Σ_images ∂⟨conv(x, w), g⟩/∂w: per chunk, 25 GEMMs of the
    /// transformed gradients against the transformed inputs, summed in chunk order, then
    /// Gᵀ · G back to the 2×2 sub-kernels. `retained`, when given, holds the transformed
    /// inputs as `forward` left them: the same values, so the same bits.
    func weightGradient(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, images n: Int,
                        retained: UnsafePointer<T>? = nil) {
        guard n > 0 else {
            out.update(repeating: 0, count: outputChannels * geo.channels * 16)
            return
        }
        let size = Self.points * outputChannels * depth
        // The first chunk's products go straight into the sum; later chunks' are added to it.
        let (sum, partial) = (Self.buffer(size), Self.buffer(n > imagesPerChunk ? size : 0))
        defer { sum.base.deallocate(); partial.base.deallocate() }
        let (xs, gs) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: UnsafeMutablePointer(mutating: g)))
        forEachBatchChunk(n) { images, tiles in
            let first = images.lowerBound
            let kept = retained.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0) + retainedOffset(chunkStart: first)) }
            let vt = kept ?? Self.buffer(Self.points * tiles * depth)
            let products = Self.buffer(Self.points * tiles * outputChannels)
            defer {
                if kept == nil { vt.base.deallocate() }
                products.base.deallocate()
            }
            if kept == nil { transformInputs(xs.base, images: images, into: vt.base) }
            transformGradients(gs.base, images: images, into: products.base)
            let target = first == 0 ? sum : partial
            forEachChunk(Self.points) { point in
                gemm(transA: true, transB: false, m: outputChannels, n: depth, k: tiles, alpha: 1,
                     products.base + point * outputChannels, lda: Self.points * outputChannels,
                     vt.base + point * depth, ldb: Self.points * depth, beta: 0, target.base + point * outputChannels * depth, ldc: depth)
            }
            if first > 0 {
                for i in 0..<size { sum.base[i] += partial.base[i] }
            }
        }
        untransformWeightGradient(sum.base, into: out)
    }

    /// Runs `body(images, tiles)` for the batch's chunks in order: `imagesPerChunk` images
    /// each (the last may hold fewer) and their tile count.
    private func forEachBatchChunk(_ n: Int, _ body: (Range<Int>, Int) -> Void) {
        for first in stride(from: 0, to: n, by: imagesPerChunk) {
            let images = first..<Swift.min(n, first + imagesPerChunk)
            body(images, tileCount(images: images.count))
        }
    }

    private static func buffer(_ count: Int) -> SharedPointer<T> {
        SharedPointer(base: UnsafeMutablePointer<T>.allocate(capacity: count))
    }

    /// A per-point product buffer zeroed in contiguous slices over the kernel threads, so its
    /// GEMMs can add into it (β = 1). With β = 0 OpenBLAS zeroes each product itself, one short
    /// strided row at a time (`sgemm_beta`, 3 % of a DCGAN step); 0 + x is x, so the bits are
    /// the same.
    private static func zeroedBuffer(_ count: Int) -> SharedPointer<T> {
        let buffer = Self.buffer(count)
        forEachRange(count, minimum: 1 << 16) { range in
            (buffer.base + range.lowerBound).initialize(repeating: 0, count: range.count)
        }
        return buffer
    }

    /// Runs `body(image, scratch)` for every image of a chunk, one contiguous range of images
    /// per kernel thread, each with a scratch buffer of `scratch` values of its own. Images
    /// write disjoint memory, so the split never changes a result.
    private func forEachImage(_ count: Int, scratch: Int, _ body: (Int, UnsafeMutablePointer<T>) -> Void) {
        forEachRange(count, minimum: 1) { range in
            let buffer = UnsafeMutablePointer<T>.allocate(capacity: scratch)
            defer { buffer.deallocate() }
            for k in range { body(k, buffer) }
        }
    }

    // MARK: - Weights

    /// u [ξ][Cout][4C] = G g Gᵀ for every sub-kernel g[α][β] = w[o, c, 2α + ρ, 2β + σ],
    /// k = (2ρ + σ)·C + c.
    private func transformedWeights(_ w: UnsafePointer<T>) -> UnsafeMutablePointer<T> {
        let (cout, c, k) = (outputChannels, geo.channels, depth)
        let u = UnsafeMutablePointer<T>.allocate(capacity: Self.points * cout * k)
        let (ws, us) = (SharedPointer(base: UnsafeMutablePointer(mutating: w)), SharedPointer(base: u))
        forEachChunk(cout) { o in
            for phase in 0..<4 {
                let (rho, sigma) = (phase / 2, phase % 2)
                for block in stride(from: 0, to: c, by: Self.laneCount) {
                    var g = (Lanes(), Lanes(), Lanes(), Lanes())
                    for lane in 0..<Self.laneCount {
                        let taps = ws.base + (o * c + block + lane) * 16
                        g.0[lane] = taps[rho * 4 + sigma]
                        g.1[lane] = taps[rho * 4 + 2 + sigma]
                        g.2[lane] = taps[(2 + rho) * 4 + sigma]
                        g.3[lane] = taps[(2 + rho) * 4 + 2 + sigma]
                    }
                    // Along β for each α, then along α: u[r][s] = (G g Gᵀ)[r][s] at ξ = 5r + s.
                    let top = Self.filterTransform(g.0, g.1), bottom = Self.filterTransform(g.2, g.3)
                    let target = us.base + o * k + phase * c + block
                    let pointStride = cout * k
                    func storeColumn(_ s: Int, _ upper: Lanes, _ lower: Lanes) {
                        let v = Self.filterTransform(upper, lower)
                        Self.store(v.0, target + s * pointStride)
                        Self.store(v.1, target + (5 + s) * pointStride)
                        Self.store(v.2, target + (10 + s) * pointStride)
                        Self.store(v.3, target + (15 + s) * pointStride)
                        Self.store(v.4, target + (20 + s) * pointStride)
                    }
                    storeColumn(0, top.0, bottom.0)
                    storeColumn(1, top.1, bottom.1)
                    storeColumn(2, top.2, bottom.2)
                    storeColumn(3, top.3, bottom.3)
                    storeColumn(4, top.4, bottom.4)
                }
            }
        }
        return u
    }

    /// out[o, c, 2α + ρ, 2β + σ] = (Gᵀ du G)[α][β], the adjoint of `transformedWeights`.
    private func untransformWeightGradient(_ du: UnsafePointer<T>, into out: UnsafeMutablePointer<T>) {
        let (cout, c, k) = (outputChannels, geo.channels, depth)
        let (ds, os) = (SharedPointer(base: UnsafeMutablePointer(mutating: du)), SharedPointer(base: out))
        forEachChunk(cout) { o in
            for phase in 0..<4 {
                let (rho, sigma) = (phase / 2, phase % 2)
                for block in stride(from: 0, to: c, by: Self.laneCount) {
                    let source = ds.base + o * k + phase * c + block
                    // Along s for each row r (giving β), then along r (giving α).
                    let pointStride = cout * k
                    func row(_ r: Int) -> (Lanes, Lanes) {
                        let p = source + 5 * r * pointStride
                        return Self.filterAdjoint(Self.load(p), Self.load(p + pointStride), Self.load(p + 2 * pointStride),
                                                  Self.load(p + 3 * pointStride), Self.load(p + 4 * pointStride))
                    }
                    let (r0, r1, r2, r3, r4) = (row(0), row(1), row(2), row(3), row(4))
                    let beta0 = Self.filterAdjoint(r0.0, r1.0, r2.0, r3.0, r4.0)
                    let beta1 = Self.filterAdjoint(r0.1, r1.1, r2.1, r3.1, r4.1)
                    for lane in 0..<Self.laneCount {
                        let taps = os.base + (o * c + block + lane) * 16
                        taps[rho * 4 + sigma] = beta0.0[lane]
                        taps[(2 + rho) * 4 + sigma] = beta0.1[lane]
                        taps[rho * 4 + 2 + sigma] = beta1.0[lane]
                        taps[(2 + rho) * 4 + 2 + sigma] = beta1.1[lane]
                    }
                }
            }
        }
    }

    // MARK: - Inputs

    /// vt[t][ξ][k] = (Bᵀ d B)[ξ] for every tile t of the chunk's images and every input
    /// channel and phase k.
    private func transformInputs(_ x: UnsafePointer<T>, images: Range<Int>, into vt: UnsafeMutablePointer<T>) {
        forEachImage(images.count, scratch: phaseImageCount) { k, planes in
            splitIntoPhasePlanes(x + (images.lowerBound + k) * geo.imageSize, planes)
            for tile in 0..<tilesPerImage {
                transformInputTile(planes, tile: tile, row: k * tilesPerImage + tile, vt: vt)
            }
        }
    }

    /// Where the phase-plane rows holding padded row `a` start: the even padded columns'
    /// (phase (a mod 2, 0)) and the odd ones' (phase (a mod 2, 1)); nil past the rows the
    /// tiles read. `phaseOffset` places a column in them.
    @inline(__always)
    private func phaseRowStarts(paddedRow a: Int) -> (even: Int, odd: Int)? {
        let m = a >> 1
        guard m < phaseH else { return nil }
        let even = ((a & 1) * 2 * phaseH + m) * phaseW * geo.channels
        return (even, even + phaseH * phaseW * geo.channels)
    }

    /// Where padded column `b` of the row whose `phaseRowStarts` are `starts` lives (channel
    /// 0), or nil past the columns the tiles read.
    @inline(__always)
    private func phaseOffset(_ starts: (even: Int, odd: Int), paddedColumn b: Int) -> Int? {
        let n = b >> 1
        guard n < phaseW else { return nil }
        return (b & 1 == 0 ? starts.even : starts.odd) + n * geo.channels
    }

    /// planes[phase][m][n][c] = padded[c, 2m + ρ, 2n + σ] (0 outside the image), phase = 2ρ + σ:
    /// eight channels by eight columns at a time through a register transpose.
    private func splitIntoPhasePlanes(_ x: UnsafePointer<T>, _ planes: UnsafeMutablePointer<T>) {
        let (c, h, w, p) = (geo.channels, geo.height, geo.width, geo.padding)
        zeroBorder(planes)
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: Swift.max(w, Self.laneCount)) { row in
            let row = row.baseAddress!
            // Eight channels' planes top to bottom: eight streams the prefetcher follows.
            for block in stride(from: 0, to: c, by: Self.laneCount) {
                for a in 0..<h {
                    guard let starts = phaseRowStarts(paddedRow: a + p) else { continue }
                    Self.rowToChannelLast(x + (block * h + a) * w, channelStride: h * w, count: w,
                                          overreadable: Self.rowsBelowHold(a, rows: h, width: w), into: row)
                    for b in 0..<w {
                        if let offset = phaseOffset(starts, paddedColumn: b + p) { Self.store(row[b], planes + offset + block) }
                    }
                }
            }
        }
    }

    /// Zeroes the phase-plane positions that no image value fills: padded rows and columns
    /// outside the image.
    private func zeroBorder(_ planes: UnsafeMutablePointer<T>) {
        let (c, p) = (geo.channels, geo.padding)
        for phase in 0..<4 {
            let (rho, sigma) = (phase / 2, phase % 2)
            // Phase columns n whose padded column 2n + σ is inside the image (p..<p + W).
            let inside = geo.phasePositions(sigma, p..<(p + geo.width)).clamped(to: 0..<phaseW)
            for m in 0..<phaseH {
                let row = planes + ((phase * phaseH + m) * phaseW) * c
                let a = 2 * m + rho - p
                guard a >= 0 && a < geo.height, !inside.isEmpty else {
                    row.update(repeating: 0, count: phaseW * c)
                    continue
                }
                row.update(repeating: 0, count: inside.lowerBound * c)
                (row + inside.upperBound * c).update(repeating: 0, count: (phaseW - inside.upperBound) * c)
            }
        }
    }

    /// One tile's 5×5 windows of the four phase planes, transformed: Bᵀ d B.
    @inline(__always)
    private func transformInputTile(_ planes: UnsafePointer<T>, tile: Int, row: Int, vt: UnsafeMutablePointer<T>) {
        let c = geo.channels
        let (ti, tj) = (tile / tilesW, tile % tilesW)
        let pointStride = depth
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { d in
            for phase in 0..<4 {
                let corner = planes + ((phase * phaseH + 4 * ti) * phaseW + 4 * tj) * c
                let target = vt + row * Self.points * depth + phase * c
                for block in stride(from: 0, to: c, by: Self.laneCount) {
                    for r in 0..<5 {
                        for s in 0..<5 { d[r * 5 + s] = Self.load(corner + (r * phaseW + s) * c + block) }
                    }
                    for s in 0..<5 {
                        let v = Self.inputTransform(d[s], d[5 + s], d[10 + s], d[15 + s], d[20 + s])
                        (d[s], d[5 + s], d[10 + s], d[15 + s], d[20 + s]) = v
                    }
                    for r in 0..<5 {
                        let v = Self.inputTransform(d[r * 5], d[r * 5 + 1], d[r * 5 + 2], d[r * 5 + 3], d[r * 5 + 4])
                        let out = target + block + (r * 5) * pointStride
                        Self.store(v.0, out)
                        Self.store(v.1, out + pointStride)
                        Self.store(v.2, out + 2 * pointStride)
                        Self.store(v.3, out + 3 * pointStride)
                        Self.store(v.4, out + 4 * pointStride)
                    }
                }
            }
        }
    }

    /// The adjoint of `transformInputs` for one image: B dv Bᵀ per tile added into the
    /// phase planes (neighbouring tiles share a row or column), then the planes read back
    /// into the image [C, H, W], cropping the padding, with the bias added.
    private func accumulateInputGradient(_ vt: UnsafePointer<T>, localImage k: Int, planes: UnsafeMutablePointer<T>,
                                         into x: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?) {
        let c = geo.channels
        let pointStride = depth
        // Tiles go row by row, so a tile's first row (after the first row of tiles) and first
        // column (after the first column) were written by its neighbours and are added to;
        // every other position is written first here, and the tiles cover the planes, so the
        // planes need no zeroing.
        @inline(__always) func put(_ v: Lanes, _ p: UnsafeMutablePointer<T>, fresh: Bool) {
            if fresh { Self.store(v, p) } else { Self.add(v, p) }
        }
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { d in
            for tile in 0..<tilesPerImage {
                let (ti, tj) = (tile / tilesW, tile % tilesW)
                let row = k * tilesPerImage + tile
                for phase in 0..<4 {
                    let corner = planes + ((phase * phaseH + 4 * ti) * phaseW + 4 * tj) * c
                    let source = vt + row * Self.points * depth + phase * c
                    for block in stride(from: 0, to: c, by: Self.laneCount) {
                        for point in 0..<25 { d[point] = Self.load(source + block + point * pointStride) }
                        for s in 0..<5 {
                            let v = Self.inputAdjoint(d[s], d[5 + s], d[10 + s], d[15 + s], d[20 + s])
                            (d[s], d[5 + s], d[10 + s], d[15 + s], d[20 + s]) = v
                        }
                        for r in 0..<5 {
                            let v = Self.inputAdjoint(d[r * 5], d[r * 5 + 1], d[r * 5 + 2], d[r * 5 + 3], d[r * 5 + 4])
                            let out = corner + r * phaseW * c + block
                            let freshRow = r > 0 || ti == 0
                            put(v.0, out, fresh: freshRow && tj == 0)
                            put(v.1, out + c, fresh: freshRow)
                            put(v.2, out + 2 * c, fresh: freshRow)
                            put(v.3, out + 3 * c, fresh: freshRow)
                            put(v.4, out + 4 * c, fresh: freshRow)
                        }
                    }
                }
            }
        }
        let (h, w, p) = (geo.height, geo.width, geo.padding)
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: Swift.max(w, Self.laneCount)) { row in
            let row = row.baseAddress!
            for block in stride(from: 0, to: c, by: Self.laneCount) {
                for a in 0..<h {
                    // Positions no window reaches get a zero gradient.
                    let starts = phaseRowStarts(paddedRow: a + p)
                    for b in 0..<Swift.max(w, Self.laneCount) {
                        if let starts, b < w, let offset = phaseOffset(starts, paddedColumn: b + p) {
                            row[b] = Self.load(planes + offset + block)
                        } else {
                            row[b] = Lanes()
                        }
                    }
                    Self.rowFromChannelLast(row, count: w, into: x + (block * h + a) * w, channelStride: h * w,
                                            bias: bias.map { $0 + block }, overwritable: Self.rowsBelowHold(a, rows: h, width: w))
                }
            }
        }
    }

    // MARK: - Outputs and output gradients

    /// One image's outputs: per tile and eight output channels at a time, Aᵀ m A into a
    /// channel-last [4·tilesH][4·tilesW][Cout] scratch, then the rows and columns inside the
    /// image moved to out [Cout, Ho, Wo] (+ bias).
    private func writeOutputs(_ products: UnsafePointer<T>, localImage k: Int, scratch tilesOut: UnsafeMutablePointer<T>,
                              into out: UnsafeMutablePointer<T>, bias: UnsafePointer<T>?) {
        let (cout, ho, wo, paddedW) = (outputChannels, geo.outH, geo.outW, 4 * tilesW)
        let pointStride = cout
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { m in
            for tile in 0..<tilesPerImage {
                let (ti, tj) = (tile / tilesW, tile % tilesW)
                let source = products + (k * tilesPerImage + tile) * Self.points * cout
                let corner = tilesOut + (4 * ti * paddedW + 4 * tj) * cout
                for block in stride(from: 0, to: cout, by: Self.laneCount) {
                    for point in 0..<25 { m[point] = Self.load(source + block + point * pointStride) }
                    for s in 0..<5 {
                        let v = Self.outputTransform(m[s], m[5 + s], m[10 + s], m[15 + s], m[20 + s])
                        (m[s], m[5 + s], m[10 + s], m[15 + s]) = v
                    }
                    for i in 0..<4 {
                        let v = Self.outputTransform(m[i * 5], m[i * 5 + 1], m[i * 5 + 2], m[i * 5 + 3], m[i * 5 + 4])
                        let row = corner + i * paddedW * cout + block
                        Self.store(v.0, row)
                        Self.store(v.1, row + cout)
                        Self.store(v.2, row + 2 * cout)
                        Self.store(v.3, row + 3 * cout)
                    }
                }
            }
        }
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: Swift.max(wo, Self.laneCount)) { row in
            let row = row.baseAddress!
            for block in stride(from: 0, to: cout, by: Self.laneCount) {
                for i in 0..<ho {
                    for j in 0..<Swift.max(wo, Self.laneCount) {
                        row[j] = j < paddedW ? Self.load(tilesOut + (i * paddedW + j) * cout + block) : Lanes()
                    }
                    Self.rowFromChannelLast(row, count: wo, into: out + (block * ho + i) * wo, channelStride: ho * wo,
                                            bias: bias.map { $0 + block }, overwritable: Self.rowsBelowHold(i, rows: ho, width: wo))
                }
            }
        }
    }

    /// products[t][ξ][o] = (A gy Aᵀ)[ξ] for every 4×4 tile of the chunk's gradients g
    /// [N, Cout, Ho, Wo] (zero past the image's edge): the
    /// adjoint of `writeOutputs`.
    private func transformGradients(_ g: UnsafePointer<T>, images: Range<Int>, into products: UnsafeMutablePointer<T>) {
        let (cout, ho, wo, paddedW) = (outputChannels, geo.outH, geo.outW, 4 * tilesW)
        let pointStride = cout
        forEachImage(images.count, scratch: 16 * tilesPerImage * cout) { k, tilesIn in
            // The image's gradient, channel-last and zero-padded to whole tiles.
            let image = g + (images.lowerBound + k) * cout * ho * wo
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: Swift.max(wo, Self.laneCount)) { staging in
                let staging = staging.baseAddress!
                for i in 0..<(4 * tilesH) {
                    let row = tilesIn + i * paddedW * cout
                    if i < ho {
                        (row + wo * cout).update(repeating: 0, count: (paddedW - wo) * cout)
                    } else {
                        row.update(repeating: 0, count: paddedW * cout)
                    }
                }
                for block in stride(from: 0, to: cout, by: Self.laneCount) {
                    for i in 0..<ho {
                        Self.rowToChannelLast(image + (block * ho + i) * wo, channelStride: ho * wo, count: wo,
                                              overreadable: Self.rowsBelowHold(i, rows: ho, width: wo), into: staging)
                        let row = tilesIn + i * paddedW * cout + block
                        for j in 0..<wo { Self.store(staging[j], row + j * cout) }
                    }
                }
            }
            withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { m in
                for tile in 0..<tilesPerImage {
                    let (ti, tj) = (tile / tilesW, tile % tilesW)
                    let corner = tilesIn + (4 * ti * paddedW + 4 * tj) * cout
                    let target = products + (k * tilesPerImage + tile) * Self.points * cout
                    for block in stride(from: 0, to: cout, by: Self.laneCount) {
                        for i in 0..<4 {
                            let row = corner + i * paddedW * cout + block
                            let v = Self.outputAdjoint(Self.load(row), Self.load(row + cout), Self.load(row + 2 * cout), Self.load(row + 3 * cout))
                            (m[i * 5], m[i * 5 + 1], m[i * 5 + 2], m[i * 5 + 3], m[i * 5 + 4]) = v
                        }
                        for s in 0..<5 {
                            let v = Self.outputAdjoint(m[s], m[5 + s], m[10 + s], m[15 + s])
                            Self.store(v.0, target + block + s * pointStride)
                            Self.store(v.1, target + block + (5 + s) * pointStride)
                            Self.store(v.2, target + block + (10 + s) * pointStride)
                            Self.store(v.3, target + block + (15 + s) * pointStride)
                            Self.store(v.4, target + block + (20 + s) * pointStride)
                        }
                    }
                }
            }
        }
    }

    // MARK: - Channel-major ↔ channel-last, eight by eight

    /// row[q][c] = source[c·channelStride + q] for q in 0..<count and the eight channels
    /// whose rows start at `source`, eight columns at a time through a register transpose.
    /// A row's last partial group is read as the row's last eight columns; a row shorter than
    /// eight reads past its end only when `overreadable` says the memory there exists (the
    /// same plane's next rows), and otherwise value by value. `row` holds max(count, 8).
    @inline(__always)
    static func rowToChannelLast(_ source: UnsafePointer<T>, channelStride: Int, count: Int, overreadable: Bool,
                                 into row: UnsafeMutablePointer<Lanes>) {
        if count >= laneCount || overreadable {
            var q = 0
            while q < count {
                let start = Swift.max(0, Swift.min(q, count - laneCount))
                for c in 0..<laneCount { row[start + c] = load(source + c * channelStride + start) }
                transpose(row + start)
                q = start + laneCount
            }
        } else {
            for c in 0..<laneCount {
                var v = Lanes()
                for k in 0..<count { v[k] = source[c * channelStride + k] }
                row[c] = v
            }
            transpose(row)
        }
    }

    /// target[c·channelStride + q] = row[q][c] (+ bias[c]) for q in 0..<count: the inverse of
    /// `rowToChannelLast`. A row's last partial group is written as the row's last eight
    /// columns; a row shorter than eight is written eight wide when `overwritable` says the
    /// values past its end (the same plane's next rows) are written later, and value by value
    /// otherwise. `row` holds max(count, 8) values and is overwritten.
    @inline(__always)
    static func rowFromChannelLast(_ row: UnsafeMutablePointer<Lanes>, count: Int, into target: UnsafeMutablePointer<T>,
                                   channelStride: Int, bias: UnsafePointer<T>?, overwritable: Bool) {
        let (width, groups) = count >= laneCount ? (laneCount, (count + laneCount - 1) / laneCount) : (overwritable ? laneCount : count, 1)
        // Later groups first: the last group overlaps the one before it, whose transpose must
        // read the row before the overlap is transposed in place.
        for group in stride(from: groups - 1, through: 0, by: -1) {
            let start = count >= laneCount ? Swift.min(group * laneCount, count - laneCount) : 0
            if group == groups - 1 && groups > 1 && start % laneCount != 0 {
                // The overlapping last group reads a copy, leaving the previous group's rows intact.
                withUnsafeTemporaryAllocation(of: Lanes.self, capacity: laneCount) { copy in
                    let copy = copy.baseAddress!
                    for k in 0..<laneCount { copy[k] = row[start + k] }
                    writeGroup(copy, into: target + start, channelStride: channelStride, bias: bias, width: width)
                }
            } else {
                writeGroup(row + start, into: target + start, channelStride: channelStride, bias: bias, width: width)
            }
        }
    }

    @inline(__always)
    private static func writeGroup(_ block: UnsafeMutablePointer<Lanes>, into target: UnsafeMutablePointer<T>, channelStride: Int,
                                   bias: UnsafePointer<T>?, width: Int) {
        transpose(block)
        for c in 0..<laneCount {
            let v = bias.map { block[c] + Lanes(repeating: $0[c]) } ?? block[c]
            let row = target + c * channelStride
            if width == laneCount {
                store(v, row)
            } else {
                for k in 0..<width { row[k] = v[k] }
            }
        }
    }

    /// Whether the rows below row `row` of a plane hold the eight-wide access's spill past a
    /// row of `width` < 8 values (the same plane's later rows).
    @inline(__always)
    static func rowsBelowHold(_ row: Int, rows: Int, width: Int) -> Bool {
        (rows - 1 - row) * width >= laneCount - width
    }

    /// The transpose of the 8×8 block held as eight rows, as four 4×4 transposes of its
    /// quarters (each four unpacks and four half-moves on 4-wide registers, so baseline
    /// x86-64 builds keep the block in registers).
    @inline(__always)
    static func transpose(_ r: UnsafeMutablePointer<Lanes>) {
        typealias Quad = SIMD4<T>
        @inline(__always) func transpose4(_ a: Quad, _ b: Quad, _ c: Quad, _ d: Quad) -> (Quad, Quad, Quad, Quad) {
            let (ab0, cd0) = (Quad(a[0], b[0], a[1], b[1]), Quad(c[0], d[0], c[1], d[1]))
            let (ab1, cd1) = (Quad(a[2], b[2], a[3], b[3]), Quad(c[2], d[2], c[3], d[3]))
            return (Quad(ab0[0], ab0[1], cd0[0], cd0[1]), Quad(ab0[2], ab0[3], cd0[2], cd0[3]),
                    Quad(ab1[0], ab1[1], cd1[0], cd1[1]), Quad(ab1[2], ab1[3], cd1[2], cd1[3]))
        }
        let topLeft = transpose4(r[0].lowHalf, r[1].lowHalf, r[2].lowHalf, r[3].lowHalf)
        let topRight = transpose4(r[0].highHalf, r[1].highHalf, r[2].highHalf, r[3].highHalf)
        let bottomLeft = transpose4(r[4].lowHalf, r[5].lowHalf, r[6].lowHalf, r[7].lowHalf)
        let bottomRight = transpose4(r[4].highHalf, r[5].highHalf, r[6].highHalf, r[7].highHalf)
        // Row k of the transpose: column k of the top quarters, then of the bottom ones.
        r[0] = Lanes(lowHalf: topLeft.0, highHalf: bottomLeft.0)
        r[1] = Lanes(lowHalf: topLeft.1, highHalf: bottomLeft.1)
        r[2] = Lanes(lowHalf: topLeft.2, highHalf: bottomLeft.2)
        r[3] = Lanes(lowHalf: topLeft.3, highHalf: bottomLeft.3)
        r[4] = Lanes(lowHalf: topRight.0, highHalf: bottomRight.0)
        r[5] = Lanes(lowHalf: topRight.1, highHalf: bottomRight.1)
        r[6] = Lanes(lowHalf: topRight.2, highHalf: bottomRight.2)
        r[7] = Lanes(lowHalf: topRight.3, highHalf: bottomRight.3)
    }

    // MARK: - One-dimensional transforms (eight lanes at a time)

    /// Bᵀ d.
    @inline(__always)
    static func inputTransform(_ d0: Lanes, _ d1: Lanes, _ d2: Lanes, _ d3: Lanes, _ d4: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes) {
        let twice1 = d1 + d1
        return (d0 + d0 - d1 - (d2 + d2) + d3,
                twice1 + d2 - d3,
                3 * d2 - twice1 - d3,
                d3 - d1,
                twice1 - d2 - (d3 + d3) + d4)
    }

    /// B v, the adjoint of `inputTransform`.
    @inline(__always)
    static func inputAdjoint(_ v0: Lanes, _ v1: Lanes, _ v2: Lanes, _ v3: Lanes, _ v4: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes) {
        let twice4 = v4 + v4
        return (v0 + v0,
                (v1 + v1) - v0 - (v2 + v2) - v3 + twice4,
                v1 + 3 * v2 - (v0 + v0) - v4,
                v0 - v1 - v2 + v3 - twice4,
                v4)
    }

    /// Aᵀ m.
    @inline(__always)
    static func outputTransform(_ m0: Lanes, _ m1: Lanes, _ m2: Lanes, _ m3: Lanes, _ m4: Lanes) -> (Lanes, Lanes, Lanes, Lanes) {
        let (sum, difference) = (m1 + m2, m1 - m2)
        return (m0 + sum + m3, difference + 2 * m3, sum + 4 * m3, difference + 8 * m3 + m4)
    }

    /// A g, the adjoint of `outputTransform`.
    @inline(__always)
    static func outputAdjoint(_ g0: Lanes, _ g1: Lanes, _ g2: Lanes, _ g3: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes) {
        let (even, odd) = (g0 + g2, g1 + g3)
        return (g0, even + odd, even - odd, g0 + 2 * g1 + 4 * g2 + 8 * g3, g3)
    }

    /// G g for one pair of taps.
    @inline(__always)
    static func filterTransform(_ g0: Lanes, _ g1: Lanes) -> (Lanes, Lanes, Lanes, Lanes, Lanes) {
        let (half, sixth, third) = (T(1) / 2, T(1) / 6, T(1) / 3)
        return (half * g0, half * (g0 + g1), sixth * (g0 - g1), sixth * g0 + third * g1, g1)
    }

    /// Gᵀ u, the adjoint of `filterTransform`.
    @inline(__always)
    static func filterAdjoint(_ u0: Lanes, _ u1: Lanes, _ u2: Lanes, _ u3: Lanes, _ u4: Lanes) -> (Lanes, Lanes) {
        let (half, sixth, third) = (T(1) / 2, T(1) / 6, T(1) / 3)
        return (half * (u0 + u1) + sixth * (u2 + u3), half * u1 - sixth * u2 + third * u3 + u4)
    }

    @inline(__always)
    static func load(_ p: UnsafePointer<T>) -> Lanes {
        UnsafeRawPointer(p).loadUnaligned(as: Lanes.self)
    }

    @inline(__always)
    static func store(_ v: Lanes, _ p: UnsafeMutablePointer<T>) {
        UnsafeMutableRawPointer(p).storeBytes(of: v, as: Lanes.self)
    }

    @inline(__always)
    static func add(_ v: Lanes, _ p: UnsafeMutablePointer<T>) {
        store(load(p) + v, p)
    }
}
