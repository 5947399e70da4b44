/// The geometry of a 2-D convolution and the im2col / col2im transforms that turn it into GEMM.
struct ConvGeometry: Sendable, Equatable {
    let channels: Int, height: Int, width: Int
    let kernelH: Int, kernelW: Int
    let stride: Int, padding: Int
    var outH: Int { (height + 2 * padding - kernelH) / stride + 1 }
    var outW: Int { (width + 2 * padding - kernelW) / stride + 1 }
    var colRows: Int { channels * kernelH * kernelW }
    var colCols: Int { outH * outW }

    /// cols[(c·kH + i)·kW + j, oh·outW + ow] = x[c, oh·s − p + i, ow·s − p + j] (0 outside).
    func im2col<T: TensorScalar>(_ x: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>) {
        let (oh, ow) = (outH, outW)
        for c in 0..<channels {
            let plane = x + c * height * width
            for i in 0..<kernelH {
                for j in 0..<kernelW {
                    let row = cols + ((c * kernelH + i) * kernelW + j) * oh * ow
                    for y in 0..<oh {
                        let iy = y * stride - padding + i
                        let dst = row + y * ow
                        if iy < 0 || iy >= height {
                            dst.update(repeating: 0, count: ow)
                            continue
                        }
                        let src = plane + iy * width
                        if stride == 1 {
                            // Contiguous run: only the padded edges need care.
                            for xo in 0..<ow {
                                let ix = xo - padding + j
                                dst[xo] = (ix >= 0 && ix < width) ? src[ix] : 0
                            }
                        } else {
                            for xo in 0..<ow {
                                let ix = xo * stride - padding + j
                                dst[xo] = (ix >= 0 && ix < width) ? src[ix] : 0
                            }
                        }
                    }
                }
            }
        }
    }

    /// The adjoint of `im2col`: adds each column entry back into its image position.
    func col2im<T: TensorScalar>(_ cols: UnsafePointer<T>, _ x: UnsafeMutablePointer<T>) {
        let (oh, ow) = (outH, outW)
        x.update(repeating: 0, count: channels * height * width)
        for c in 0..<channels {
            let plane = x + c * height * width
            for i in 0..<kernelH {
                for j in 0..<kernelW {
                    let row = cols + ((c * kernelH + i) * kernelW + j) * oh * ow
                    for y in 0..<oh {
                        let iy = y * stride - padding + i
                        if iy < 0 || iy >= height { continue }
                        let dst = plane + iy * width
                        let src = row + y * ow
                        for xo in 0..<ow {
                            let ix = xo * stride - padding + j
                            if ix >= 0 && ix < width { dst[ix] += src[xo] }
                        }
                    }
                }
            }
        }
    }
}
