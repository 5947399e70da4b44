/// The geometry of a 2-D convolution and the im2col / col2im transforms that turn it into GEMM.
struct ConvGeometry: Sendable, Equatable {
    let channels: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int
    let stride: Int, padding: Int
    var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
    var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
    var colRows: Int { channels * kernelH * kernelW }
    var colCols: Int { outH * outW }
    var imageSize: Int { channels * height * width }

    /// The output positions o in 0..<count whose input coordinate o·s − p + offset lies in
    /// 0..<size: a contiguous range, so the copy loops below run without per-element tests.
    @inline(__always)
    private func validRange(offset: Int, size: Int, count: Int) -> Range<Int> {
        // o·s ≥ p − offset  and  o·s ≤ size − 1 + p − offset.
        let lowNumerator = padding - offset
        let low = lowNumerator <= 0 ? 0 : Swift.min(count, (lowNumerator + stride - 1) / stride)
        let highNumerator = size - 1 + padding - offset
        let high = highNumerator < 0 ? 0 : Swift.min(count, highNumerator / stride + 1)
        return low..<Swift.max(low, high)
    }

    /// cols[(c·kH + i)·kW + j, oh·outW + ow] = x[c, oh·s − p + i, ow·s − p + j] (0 outside);
    /// `ld` is the distance between rows of `cols` (colCols for one image; several images
    /// side by side use their total column count).
    func im2col<T: TensorScalar>(_ x: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>, ld: Int) {
        let (oh, ow) = (outH, outW)
        for i in 0..<kernelH {
            let rows = validRange(offset: i, size: height, count: oh)
            for j in 0..<kernelW {
                let columns = validRange(offset: j, size: width, count: ow)
                let shift = j - padding
                let (lead, run, trail) = (columns.lowerBound, columns.count, ow - columns.upperBound)
                for c in 0..<channels {
                    let plane = x + c * height * width
                    let row = cols + ((c * kernelH + i) * kernelW + j) * ld
                    // Rows above and below the image are all padding.
                    row.update(repeating: 0, count: rows.lowerBound * ow)
                    (row + rows.upperBound * ow).update(repeating: 0, count: (oh - rows.upperBound) * ow)
                    for y in rows {
                        let dst = row + y * ow
                        let src = plane + (y * stride - padding + i) * width + shift
                        if lead > 0 { dst.update(repeating: 0, count: lead) }
                        if stride == 1 {
                            (dst + lead).update(from: src + lead, count: run)
                        } else {
                            var (d, s, left) = (dst + lead, src + lead * stride, run)
                            while left > 0 {
                                d.pointee = s.pointee
                                d += 1
                                s += stride
                                left &-= 1
                            }
                        }
                        if trail > 0 { (dst + columns.upperBound).update(repeating: 0, count: trail) }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back into its image position (the
    /// image is overwritten, not accumulated into).
    func col2im<T: TensorScalar>(_ cols: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>, ld: Int) {
        let (oh, ow) = (outH, outW)
        x.update(repeating: 0, count: imageSize)
        for i in 0..<kernelH {
            let rows = validRange(offset: i, size: height, count: oh)
            for j in 0..<kernelW {
                let columns = validRange(offset: j, size: width, count: ow)
                let shift = j - padding
                for c in 0..<channels {
                    let plane = x + c * height * width
                    let row = cols + ((c * kernelH + i) * kernelW + j) * ld
                    for y in rows {
                        var d = plane + (y * stride - padding + i) * width + shift + columns.lowerBound * stride
                        var s = row + y * ow + columns.lowerBound
                        var left = columns.count
                        while left > 0 {
                            d.pointee += s.pointee
                            d += stride
                            s += 1
                            left &-= 1
                        }
                    }
                }
            }
        }
    }
}
