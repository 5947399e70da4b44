/// The geometry of a 2-D convolution and the im2col / col2im transforms that turn it into GEMM.
///
/// Both transforms go through a zero-padded copy of one image (`scratch`), stored with its
/// columns split by their residue modulo the stride: padded column b = m·s + r lives at
/// position m of phase r. A window entry (c, i, j) at output (y, o) reads padded column
/// o·s + j, which is position o + j / s of phase j mod s, so every row of the column matrix
/// is a set of *contiguous* runs, whatever the stride. In Float32 those runs move eight
/// values at a time.
struct ConvGeometry: Sendable, Equatable {
    let channels: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int
    let stride: Int, padding: Int
    var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
    var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
    var colRows: Int { channels * kernelH * kernelW }
    var colCols: Int { outH * outW }
    var imageSize: Int { channels * height * width }

    /// Rows and columns of the padded image that some window touches.
    var paddedH: Int { (outH - 1) * stride + kernelH }
    var paddedW: Int { (outW - 1) * stride + kernelW }
    /// Positions per phase row: ⌈paddedW / stride⌉.
    private var phaseW: Int { (paddedW + stride - 1) / stride }
    /// Elements of the scratch buffer `im2col` and `col2im` need: the phase-split padded
    /// image plus the margin that eight-wide loads may reach past its end.
    var scratchCount: Int { channels * paddedH * stride * phaseW + Self.vectorWidth }
    /// Elements a column buffer handed to `col2im` must have past its last entry.
    static let columnSlack = vectorWidth
    private static let vectorWidth = 8

    /// Where padded row a (of channel c) of phase r starts in the scratch buffer.
    @inline(__always)
    private func phaseRow(channel c: Int, row a: Int, phase r: Int) -> Int {
        ((c * paddedH + a) * stride + r) * phaseW
    }

    /// The padded columns b whose image column b − padding exists: a contiguous range.
    private var interiorColumns: Range<Int> {
        let low = Swift.min(padding, paddedW)
        return low..<Swift.max(low, Swift.min(paddedW, padding + width))
    }

    /// The positions m of phase r whose padded column m·s + r lies in `columns`.
    @inline(__always)
    private func phasePositions(_ r: Int, _ columns: Range<Int>) -> Range<Int> {
        let low = columns.lowerBound <= r ? 0 : (columns.lowerBound - r + stride - 1) / stride
        let high = columns.upperBound <= r ? 0 : (columns.upperBound - r + stride - 1) / stride
        return low..<Swift.max(low, high)
    }

    /// scratch ← the phase-split padded image: padded[c, a, b] = x[c, a − p, b − p], 0 outside.
    private func pad<T: TensorScalar>(_ x: UnsafePointer<T>, into scratch: UnsafeMutablePointer<T>) {
        let (ph, qw) = (paddedH, phaseW)
        let rowLength = stride * qw
        let inside = interiorColumns
        let phases = (0..<stride).map { phasePositions($0, inside) }
        scratch.update(repeating: 0, count: scratchCount)
        for c in 0..<channels {
            for r in 0..<height where r + padding < ph {
                let source = (c * height + r) * width - padding
                let row = scratch + (c * ph + r + padding) * rowLength
                for phase in 0..<stride {
                    let positions = phases[phase]
                    var (d, s) = (row + phase * qw + positions.lowerBound, x + (source + positions.lowerBound * stride + phase))
                    for _ in positions {
                        d.pointee = s.pointee
                        d += 1
                        s += stride
                    }
                }
            }
        }
    }

    /// cols[(c·kH + i)·kW + j, oh·outW + ow] = x[c, oh·s − p + i, ow·s − p + j] (0 outside);
    /// `ld` is the distance between rows of `cols` (colCols for one image; several images
    /// side by side use their total column count). `scratch` holds `scratchCount` elements.
    func im2col<T: TensorScalar>(_ x: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>, ld: Int,
                                 scratch: UnsafeMutablePointer<T>) {
        pad(x, into: scratch)
        let (oh, ow) = (outH, outW)
        let sourceStep = stride * stride * phaseW
        for c in 0..<channels {
            for i in 0..<kernelH {
                for j in 0..<kernelW {
                    let row = cols + ((c * kernelH + i) * kernelW + j) * ld
                    let source = scratch + phaseRow(channel: c, row: i, phase: j % stride) + j / stride
                    if T.self == Float.self {
                        Self.copyRuns(UnsafeRawPointer(source).assumingMemoryBound(to: Float.self), sourceStep: sourceStep,
                                      UnsafeMutableRawPointer(row).assumingMemoryBound(to: Float.self), rows: oh, columns: ow)
                    } else {
                        for y in 0..<oh { (row + y * ow).update(from: source + y * sourceStep, count: ow) }
                    }
                }
            }
        }
    }

    /// target[y·columns + o] = source[y·sourceStep + o], eight values per load and store. A
    /// row's last group may store up to seven values past the row, into the following rows,
    /// which are written later; a group whose store would pass `rows·columns` stores value by
    /// value instead, so nothing outside the block is written. Loads reach at most seven
    /// elements past a source row (the scratch margin).
    @inline(__always)
    private static func copyRuns(_ source: UnsafePointer<Float>, sourceStep: Int, _ target: UnsafeMutablePointer<Float>,
                                 rows: Int, columns: Int) {
        let end = rows * columns
        for y in 0..<rows {
            let (s, d) = (source + y * sourceStep, target + y * columns)
            var o = 0
            while o < columns {
                let values = UnsafeRawPointer(s + o).loadUnaligned(as: SIMD8<Float>.self)
                let valid = columns - o
                if y * columns + o + 8 <= end {
                    UnsafeMutableRawPointer(d + o).storeBytes(of: values, as: SIMD8<Float>.self)
                } else {
                    for lane in 0..<Swift.min(valid, 8) { d[o + lane] = values[lane] }
                }
                o += 8
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back into its image position (the
    /// image is overwritten, not accumulated into). Every pixel sums its entries in the order
    /// of (i, j), starting from zero. `cols` needs `columnSlack` readable elements past its
    /// last entry.
    func col2im<T: TensorScalar>(_ cols: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>, ld: Int,
                                 scratch: UnsafeMutablePointer<T>) {
        let (oh, ow, ph) = (outH, outW, paddedH)
        scratch.update(repeating: 0, count: scratchCount)
        let targetStep = stride * stride * phaseW
        for c in 0..<channels {
            for i in 0..<kernelH {
                for j in 0..<kernelW {
                    let row = cols + ((c * kernelH + i) * kernelW + j) * ld
                    let target = scratch + phaseRow(channel: c, row: i, phase: j % stride) + j / stride
                    if T.self == Float.self {
                        Self.addRuns(UnsafeRawPointer(row).assumingMemoryBound(to: Float.self),
                                     UnsafeMutableRawPointer(target).assumingMemoryBound(to: Float.self),
                                     targetStep: targetStep, rows: oh, columns: ow)
                    } else {
                        for y in 0..<oh {
                            let (d, s) = (target + y * targetStep, row + y * ow)
                            for o in 0..<ow { d[o] += s[o] }
                        }
                    }
                }
            }
        }
        // Unpad: image pixel (r, q) is padded (r + p, q + p); pixels no window reaches are 0.
        let inside = interiorColumns
        let phases = (0..<stride).map { phasePositions($0, inside) }
        let qw = phaseW
        let rowLength = stride * qw
        for c in 0..<channels {
            for r in 0..<height {
                let row = (c * height + r) * width - padding
                guard r + padding < ph else {
                    (x + row + padding).update(repeating: 0, count: width)
                    continue
                }
                let source = scratch + (c * ph + r + padding) * rowLength
                for phase in 0..<stride {
                    let positions = phases[phase]
                    var (d, s) = (x + (row + positions.lowerBound * stride + phase), source + phase * qw + positions.lowerBound)
                    for _ in positions {
                        d.pointee = s.pointee
                        d += stride
                        s += 1
                    }
                }
                for b in inside.upperBound..<(padding + width) { x[row + b] = 0 }
            }
        }
    }

    /// leadingLanes[k]: all bits set in the first k lanes, clear in the rest.
    private static let leadingLanes: [SIMD8<UInt32>] = (0...8).map { k in
        SIMD8<UInt32>((0..<8).map { $0 < k ? UInt32.max : 0 })
    }

    /// target[y·targetStep + o] += source[y·columns + o], eight at a time. Lanes past
    /// `columns` add +0, which leaves the padded image unchanged: its sums start from +0 and
    /// so are never −0. Reads and writes reach at most seven elements past a row (the scratch
    /// margin, and the columns' slack for the source).
    @inline(__always)
    private static func addRuns(_ source: UnsafePointer<Float>, _ target: UnsafeMutablePointer<Float>,
                                targetStep: Int, rows: Int, columns: Int) {
        let leadingLanes = Self.leadingLanes
        for y in 0..<rows {
            let (s, d) = (source + y * columns, target + y * targetStep)
            var o = 0
            while o < columns {
                var addend = UnsafeRawPointer(s + o).loadUnaligned(as: SIMD8<Float>.self)
                if columns - o < 8 {
                    // A bitwise mask (one vector AND): lane-wise selects compile to scalar code.
                    let bits = unsafeBitCast(addend, to: SIMD8<UInt32>.self) & leadingLanes[columns - o]
                    addend = unsafeBitCast(bits, to: SIMD8<Float>.self)
                }
                let slot = UnsafeMutableRawPointer(d + o)
                slot.storeBytes(of: slot.loadUnaligned(as: SIMD8<Float>.self) + addend, as: SIMD8<Float>.self)
                o += 8
            }
        }
    }
}
