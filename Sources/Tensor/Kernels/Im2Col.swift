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
    func phasePositions(_ r: Int, _ columns: Range<Int>) -> Range<Int> {
        let low = columns.lowerBound <= r ? 0 : (columns.lowerBound - r + stride - 1) / stride
        let high = columns.upperBound <= r ? 0 : (columns.upperBound - r + stride - 1) / stride
        return low..<Swift.max(low, high)
    }

    /// scratch ← the phase-split padded image: padded[c, a, b] = x[c, a − p, b − p], 0 outside.
    private func pad<T: TensorScalar>(_ x: UnsafePointer<T>, into scratch: UnsafeMutablePointer<T>) {
        scratch.update(repeating: 0, count: scratchCount)
        if T.self == Float.self, hasWholeRowsOfTwoPhases {
            splitRowsIntoPhases(UnsafeRawPointer(x).assumingMemoryBound(to: Float.self),
                                UnsafeMutableRawPointer(scratch).assumingMemoryBound(to: Float.self))
            return
        }
        let (ph, qw) = (paddedH, phaseW)
        let rowLength = stride * qw
        let inside = interiorColumns
        let phases = (0..<stride).map { phasePositions($0, inside) }
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
        if T.self == Float.self, hasWholeRowsOfTwoPhases {
            mergePhasesIntoRows(UnsafeRawPointer(scratch).assumingMemoryBound(to: Float.self),
                                UnsafeMutableRawPointer(x).assumingMemoryBound(to: Float.self))
            return
        }
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

    // MARK: Stride 2, sixteen columns at a time

    /// Stride 2 with every image column inside the padded width: the case of the 4×4,
    /// stride-2, padding-1 convolutions of DCGAN, where `pad` and `col2im`'s unpad are the
    /// phase split and merge of whole rows, which vector shuffles do sixteen values at once.
    private var hasWholeRowsOfTwoPhases: Bool { stride == 2 && padding + width <= paddedW }

    /// Where image column q of a row lands in the padded row: even q = 2t at position
    /// t + evenShift of phase `evenPhase`, odd q = 2t + 1 at position t + oddShift of the other.
    private var evenPhase: Int { padding & 1 }
    private var evenShift: Int { padding >> 1 }
    private var oddShift: Int { (padding + 1) >> 1 }

    /// The rows of a padded image that come from image rows: (image row r, padded row r + p).
    private var imageRowsInside: Range<Int> { 0..<Swift.max(0, Swift.min(height, paddedH - padding)) }

    /// `pad` for `hasWholeRowsOfTwoPhases` in Float32, into a zeroed scratch buffer. Each
    /// sixteen columns of a row load once and split into even and odd halves. Lanes past the
    /// row's end are cleared before they are stored, so they write zeros into padding slots or
    /// into slots that a later store of real values overwrites: each row stores its first
    /// phase and then its second, rows in order, and every store ends at most seven values
    /// past a phase row (the scratch margin). Loads may read past a row into the next one of
    /// the same image; the last sixteen values of the image load value by value.
    private func splitRowsIntoPhases(_ x: UnsafePointer<Float>, _ scratch: UnsafeMutablePointer<Float>) {
        let (ph, qw) = (paddedH, phaseW)
        let leadingLanes = Self.leadingLanes
        for c in 0..<channels {
            for r in imageRowsInside {
                let source = x + (c * height + r) * width
                let row = scratch + (c * ph + r + padding) * 2 * qw
                let readable = imageSize - (c * height + r) * width
                for phase in 0..<2 {
                    // The phase that takes even columns, then the other (first and second in memory).
                    let takesEven = phase == evenPhase
                    let target = row + phase * qw + (takesEven ? evenShift : oddShift)
                    var q = 0
                    while q < width {
                        let values: SIMD16<Float>
                        if q + 16 <= readable {
                            values = UnsafeRawPointer(source + q).loadUnaligned(as: SIMD16<Float>.self)
                        } else {
                            var partial = SIMD16<Float>()
                            for lane in 0..<(width - q) { partial[lane] = source[q + lane] }
                            values = partial
                        }
                        let valid = Swift.min(16, width - q)
                        var half = takesEven ? values.evenHalf : values.oddHalf
                        let count = takesEven ? (valid + 1) / 2 : valid / 2
                        if count < 8 {
                            half = unsafeBitCast(unsafeBitCast(half, to: SIMD8<UInt32>.self) & leadingLanes[count], to: SIMD8<Float>.self)
                        }
                        UnsafeMutableRawPointer(target + q / 2).storeBytes(of: half, as: SIMD8<Float>.self)
                        q += 16
                    }
                }
            }
        }
    }

    /// col2im's unpad for `hasWholeRowsOfTwoPhases` in Float32: each sixteen columns of an
    /// image row are the interleaved eight-value runs of its two phase rows. Rows are written
    /// in order, so the values a full-width store puts past a row's end are overwritten by the
    /// next row; the store that would pass the image's end writes value by value instead.
    /// Image rows below the padded height (no window reaches them) are zero.
    private func mergePhasesIntoRows(_ scratch: UnsafePointer<Float>, _ x: UnsafeMutablePointer<Float>) {
        let (ph, qw) = (paddedH, phaseW)
        let evenSource = evenPhase * qw + evenShift, oddSource = (1 - evenPhase) * qw + oddShift
        let inside = imageRowsInside
        for c in 0..<channels {
            for r in 0..<height {
                let target = x + (c * height + r) * width
                guard inside.contains(r) else {
                    target.update(repeating: 0, count: width)
                    continue
                }
                let row = scratch + (c * ph + r + padding) * 2 * qw
                let writable = imageSize - (c * height + r) * width
                var q = 0
                while q < width {
                    var values = SIMD16<Float>()
                    values.evenHalf = UnsafeRawPointer(row + evenSource + q / 2).loadUnaligned(as: SIMD8<Float>.self)
                    values.oddHalf = UnsafeRawPointer(row + oddSource + q / 2).loadUnaligned(as: SIMD8<Float>.self)
                    if q + 16 <= writable {
                        UnsafeMutableRawPointer(target + q).storeBytes(of: values, as: SIMD16<Float>.self)
                    } else {
                        for lane in 0..<Swift.min(16, width - q) { target[q + lane] = values[lane] }
                    }
                    q += 16
                }
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
