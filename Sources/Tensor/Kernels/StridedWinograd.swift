/// Winograd's minimal filtering F(4×4, 2×2) for the 4×4, stride-2 convolutions of DCGAN-style
/// players: the forward, its adjoint in the input (the transposed convolution) and the weight
/// gradient, each with a quarter fewer GEMM FLOPs than half of im2col's.
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
/// **Layout.** Per chunk of images: the input as channel-last phase planes
/// [phase][phaseH][phaseW][C] per image; the transformed input `vt` as [ξ][tile][4C] (k =
/// phase·C + c, so the transforms read and write eight channels at a time); the transformed
/// weight `u` as [ξ][Cout][4C]; the GEMM products as [ξ][Cout][tile]. Chunks hold at most
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

    /// The chunk's GEMM width: its tiles rounded up to whole lane groups (the extra tiles are
    /// zero and never written back).
    func paddedTiles(images: Int) -> Int {
        (images * tilesPerImage + Self.laneCount - 1) / Self.laneCount * Self.laneCount
    }

    // MARK: - The three convolutions

    /// out [N, Cout, Ho, Wo] = conv(x, w) (+ bias per output channel).
    func forward(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, bias: UnsafePointer<T>?, _ out: UnsafeMutablePointer<T>, images n: Int) {
        let u = transformedWeights(w)
        defer { u.deallocate() }
        let (xs, us, os) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: u), SharedPointer(base: out))
        let bs = bias.map { SharedPointer(base: UnsafeMutablePointer(mutating: $0)) }
        for first in stride(from: 0, to: n, by: imagesPerChunk) {
            let images = first..<Swift.min(n, first + imagesPerChunk)
            let tiles = paddedTiles(images: images.count)
            let vt = UnsafeMutablePointer<T>.allocate(capacity: Self.points * tiles * depth)
            let products = UnsafeMutablePointer<T>.allocate(capacity: Self.points * outputChannels * tiles)
            defer { vt.deallocate(); products.deallocate() }
            transformInputs(xs.base, images: images, into: vt, tiles: tiles)
            let (vs, ps) = (SharedPointer(base: vt), SharedPointer(base: products))
            forEachChunk(Self.points) { point in
                gemm(transA: false, transB: true, m: outputChannels, n: tiles, k: depth, alpha: 1,
                     us.base + point * outputChannels * depth, lda: depth, vs.base + point * tiles * depth, ldb: depth,
                     beta: 0, ps.base + point * outputChannels * tiles, ldc: tiles)
            }
            forEachChunk(outputChannels) { channel in
                writeOutputs(ps.base, channel: channel, tiles: tiles, images: images, bias: bs?.base[channel], into: os.base)
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
        for first in stride(from: 0, to: n, by: imagesPerChunk) {
            let images = first..<Swift.min(n, first + imagesPerChunk)
            let tiles = paddedTiles(images: images.count)
            let products = UnsafeMutablePointer<T>.allocate(capacity: Self.points * outputChannels * tiles)
            let vt = UnsafeMutablePointer<T>.allocate(capacity: Self.points * tiles * depth)
            defer { vt.deallocate(); products.deallocate() }
            let (vs, ps) = (SharedPointer(base: vt), SharedPointer(base: products))
            forEachChunk(outputChannels) { channel in
                transformGradients(gs.base, channel: channel, tiles: tiles, images: images, into: ps.base)
            }
            forEachChunk(Self.points) { point in
                gemm(transA: true, transB: false, m: tiles, n: depth, k: outputChannels, alpha: 1,
                     ps.base + point * outputChannels * tiles, lda: tiles, us.base + point * outputChannels * depth, ldb: depth,
                     beta: 0, vs.base + point * tiles * depth, ldc: depth)
            }
            forEachChunk(images.count) { k in
                let image = images.lowerBound + k
                accumulateInputGradient(vs.base, tiles: tiles, localImage: k, into: os.base + image * geo.imageSize,
                                        bias: bs.map { UnsafePointer($0.base) })
            }
        }
    }

    /// out [Cout, C, 4, 4] = Σ_images ∂⟨conv(x, w), g⟩/∂w: per chunk, 25 GEMMs of the
    /// transformed gradients against the transformed inputs, summed in chunk order, then
    /// Gᵀ · G back to the 2×2 sub-kernels.
    func weightGradient(_ x: UnsafePointer<T>, _ g: UnsafePointer<T>, _ out: UnsafeMutablePointer<T>, images n: Int) {
        let size = Self.points * outputChannels * depth
        let sum = UnsafeMutablePointer<T>.allocate(capacity: size)
        let partial = UnsafeMutablePointer<T>.allocate(capacity: size)
        defer { sum.deallocate(); partial.deallocate() }
        sum.update(repeating: 0, count: size)
        let (xs, gs, ps) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: UnsafeMutablePointer(mutating: g)),
                            SharedPointer(base: partial))
        for first in stride(from: 0, to: n, by: imagesPerChunk) {
            let images = first..<Swift.min(n, first + imagesPerChunk)
            let tiles = paddedTiles(images: images.count)
            let vt = UnsafeMutablePointer<T>.allocate(capacity: Self.points * tiles * depth)
            let products = UnsafeMutablePointer<T>.allocate(capacity: Self.points * outputChannels * tiles)
            defer { vt.deallocate(); products.deallocate() }
            transformInputs(xs.base, images: images, into: vt, tiles: tiles)
            let (vs, qs) = (SharedPointer(base: vt), SharedPointer(base: products))
            forEachChunk(outputChannels) { channel in
                transformGradients(gs.base, channel: channel, tiles: tiles, images: images, into: qs.base)
            }
            forEachChunk(Self.points) { point in
                gemm(transA: false, transB: false, m: outputChannels, n: depth, k: tiles, alpha: 1,
                     qs.base + point * outputChannels * tiles, lda: tiles, vs.base + point * tiles * depth, ldb: depth,
                     beta: 0, ps.base + point * outputChannels * depth, ldc: depth)
            }
            for i in 0..<size { sum[i] += partial[i] }
        }
        untransformWeightGradient(sum, into: out)
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

    /// vt[ξ][t][k] = (Bᵀ d B)[ξ] for every tile t of the chunk's images and every input
    /// channel and phase k; rows past the chunk's tiles are zero.
    private func transformInputs(_ x: UnsafePointer<T>, images: Range<Int>, into vt: UnsafeMutablePointer<T>, tiles: Int) {
        let used = images.count * tilesPerImage
        if used < tiles {
            for point in 0..<Self.points {
                (vt + (point * tiles + used) * depth).update(repeating: 0, count: (tiles - used) * depth)
            }
        }
        let (xs, vs) = (SharedPointer(base: UnsafeMutablePointer(mutating: x)), SharedPointer(base: vt))
        forEachChunk(images.count) { k in
            let planes = UnsafeMutablePointer<T>.allocate(capacity: phaseImageCount)
            defer { planes.deallocate() }
            splitIntoPhasePlanes(xs.base + (images.lowerBound + k) * geo.imageSize, planes)
            for tile in 0..<tilesPerImage {
                transformInputTile(planes, tile: tile, row: k * tilesPerImage + tile, vt: vs.base, tiles: tiles)
            }
        }
    }

    /// planes[phase][m][n][c] = padded[c, 2m + ρ, 2n + σ] (0 outside the image), phase = 2ρ + σ.
    private func splitIntoPhasePlanes(_ x: UnsafePointer<T>, _ planes: UnsafeMutablePointer<T>) {
        planes.update(repeating: 0, count: phaseImageCount)
        let (c, h, w, p) = (geo.channels, geo.height, geo.width, geo.padding)
        for a in 0..<h where (a + p) / 2 < phaseH {
            let (m, rho) = ((a + p) / 2, (a + p) % 2)
            for b in 0..<w where (b + p) / 2 < phaseW {
                let (nIndex, sigma) = ((b + p) / 2, (b + p) % 2)
                let target = planes + (((2 * rho + sigma) * phaseH + m) * phaseW + nIndex) * c
                let source = x + a * w + b
                for block in stride(from: 0, to: c, by: Self.laneCount) {
                    var v = Lanes()
                    for lane in 0..<Self.laneCount { v[lane] = source[(block + lane) * h * w] }
                    Self.store(v, target + block)
                }
            }
        }
    }

    /// One tile's 5×5 windows of the four phase planes, transformed: Bᵀ d B.
    @inline(__always)
    private func transformInputTile(_ planes: UnsafePointer<T>, tile: Int, row: Int, vt: UnsafeMutablePointer<T>, tiles: Int) {
        let c = geo.channels
        let (ti, tj) = (tile / tilesW, tile % tilesW)
        let pointStride = tiles * depth
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { d in
            for phase in 0..<4 {
                let corner = planes + ((phase * phaseH + 4 * ti) * phaseW + 4 * tj) * c
                let target = vt + row * depth + phase * c
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
    private func accumulateInputGradient(_ vt: UnsafePointer<T>, tiles: Int, localImage k: Int, into x: UnsafeMutablePointer<T>,
                                         bias: UnsafePointer<T>?) {
        let c = geo.channels
        let planes = UnsafeMutablePointer<T>.allocate(capacity: phaseImageCount)
        defer { planes.deallocate() }
        planes.update(repeating: 0, count: phaseImageCount)
        let pointStride = tiles * depth
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { d in
            for tile in 0..<tilesPerImage {
                let (ti, tj) = (tile / tilesW, tile % tilesW)
                let row = k * tilesPerImage + tile
                for phase in 0..<4 {
                    let corner = planes + ((phase * phaseH + 4 * ti) * phaseW + 4 * tj) * c
                    let source = vt + row * depth + phase * c
                    for block in stride(from: 0, to: c, by: Self.laneCount) {
                        for point in 0..<25 { d[point] = Self.load(source + block + point * pointStride) }
                        for s in 0..<5 {
                            let v = Self.inputAdjoint(d[s], d[5 + s], d[10 + s], d[15 + s], d[20 + s])
                            (d[s], d[5 + s], d[10 + s], d[15 + s], d[20 + s]) = v
                        }
                        for r in 0..<5 {
                            let v = Self.inputAdjoint(d[r * 5], d[r * 5 + 1], d[r * 5 + 2], d[r * 5 + 3], d[r * 5 + 4])
                            let out = corner + r * phaseW * c + block
                            Self.add(v.0, out)
                            Self.add(v.1, out + c)
                            Self.add(v.2, out + 2 * c)
                            Self.add(v.3, out + 3 * c)
                            Self.add(v.4, out + 4 * c)
                        }
                    }
                }
            }
        }
        let (h, w, p) = (geo.height, geo.width, geo.padding)
        for a in 0..<h {
            let (m, rho) = ((a + p) / 2, (a + p) % 2)
            for b in 0..<w {
                let (nIndex, sigma) = ((b + p) / 2, (b + p) % 2)
                let target = x + a * w + b
                guard m < phaseH, nIndex < phaseW else {
                    // Rows or columns no window reaches: their gradient is zero.
                    for channel in 0..<c { target[channel * h * w] = bias?[channel] ?? 0 }
                    continue
                }
                let source = planes + (((2 * rho + sigma) * phaseH + m) * phaseW + nIndex) * c
                if let bias {
                    for channel in 0..<c { target[channel * h * w] = source[channel] + bias[channel] }
                } else {
                    for channel in 0..<c { target[channel * h * w] = source[channel] }
                }
            }
        }
    }

    // MARK: - Outputs and output gradients

    /// out[image, o, 4ti + i, 4tj + j] = (Aᵀ m A)[i][j] (+ bias) for one output channel, eight
    /// tiles at a time; outputs past the image's edge are dropped.
    private func writeOutputs(_ products: UnsafePointer<T>, channel o: Int, tiles: Int, images: Range<Int>, bias: T?,
                              into out: UnsafeMutablePointer<T>) {
        let (cout, ho, wo) = (outputChannels, geo.outH, geo.outW)
        let used = images.count * tilesPerImage
        let pointStride = cout * tiles
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { m in
            for group in stride(from: 0, to: used, by: Self.laneCount) {
                let source = products + o * tiles + group
                for point in 0..<25 { m[point] = Self.load(source + point * pointStride) }
                for s in 0..<5 {
                    let v = Self.outputTransform(m[s], m[5 + s], m[10 + s], m[15 + s], m[20 + s])
                    (m[s], m[5 + s], m[10 + s], m[15 + s]) = v
                }
                for i in 0..<4 {
                    let v = Self.outputTransform(m[i * 5], m[i * 5 + 1], m[i * 5 + 2], m[i * 5 + 3], m[i * 5 + 4])
                    (m[i * 5], m[i * 5 + 1], m[i * 5 + 2], m[i * 5 + 3]) = v
                }
                for lane in 0..<Swift.min(Self.laneCount, used - group) {
                    let t = group + lane
                    let (image, tile) = (images.lowerBound + t / tilesPerImage, t % tilesPerImage)
                    let (y0, x0) = (4 * (tile / tilesW), 4 * (tile % tilesW))
                    let plane = out + (image * cout + o) * ho * wo
                    for i in 0..<Swift.min(4, ho - y0) {
                        for j in 0..<Swift.min(4, wo - x0) {
                            plane[(y0 + i) * wo + x0 + j] = m[i * 5 + j][lane] + (bias ?? 0)
                        }
                    }
                }
            }
        }
    }

    /// products[ξ][o][t] = (A gy Aᵀ)[ξ] for the 4×4 tiles of one channel of g (zero past the
    /// image's edge and past the chunk's tiles): the adjoint of `writeOutputs`.
    private func transformGradients(_ g: UnsafePointer<T>, channel o: Int, tiles: Int, images: Range<Int>,
                                    into products: UnsafeMutablePointer<T>) {
        let (cout, ho, wo) = (outputChannels, geo.outH, geo.outW)
        let used = images.count * tilesPerImage
        let pointStride = cout * tiles
        withUnsafeTemporaryAllocation(of: Lanes.self, capacity: 25) { m in
            for group in stride(from: 0, to: tiles, by: Self.laneCount) {
                for point in 0..<25 { m[point] = Lanes() }
                for lane in 0..<Swift.max(0, Swift.min(Self.laneCount, used - group)) {
                    let t = group + lane
                    let (image, tile) = (images.lowerBound + t / tilesPerImage, t % tilesPerImage)
                    let (y0, x0) = (4 * (tile / tilesW), 4 * (tile % tilesW))
                    let plane = g + (image * cout + o) * ho * wo
                    for i in 0..<Swift.min(4, ho - y0) {
                        for j in 0..<Swift.min(4, wo - x0) { m[i * 5 + j][lane] = plane[(y0 + i) * wo + x0 + j] }
                    }
                }
                for i in 0..<4 {
                    let v = Self.outputAdjoint(m[i * 5], m[i * 5 + 1], m[i * 5 + 2], m[i * 5 + 3])
                    (m[i * 5], m[i * 5 + 1], m[i * 5 + 2], m[i * 5 + 3], m[i * 5 + 4]) = v
                }
                let target = products + o * tiles + group
                for s in 0..<5 {
                    let v = Self.outputAdjoint(m[s], m[5 + s], m[10 + s], m[15 + s])
                    Self.store(v.0, target + s * pointStride)
                    Self.store(v.1, target + (5 + s) * pointStride)
                    Self.store(v.2, target + (10 + s) * pointStride)
                    Self.store(v.3, target + (15 + s) * pointStride)
                    Self.store(v.4, target + (20 + s) * pointStride)
                }
            }
        }
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
