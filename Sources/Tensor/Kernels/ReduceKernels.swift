/// Reductions along one axis of a tensor viewed as [outer, n, inner].
enum ReduceMode { case sum, max }

func reduceKernel<T: TensorScalar>(_ mode: ReduceMode, _ src: UnsafePointer<T>, outer: Int, n: Int, inner: Int,
                                   _ dst: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int>?) {
    for o in 0..<outer {
        let base = src + o * n * inner
        let out = dst + o * inner
        if inner == 1 {
            switch mode {
            case .sum:
                // Four partial sums: vectorisable, and a fixed order keeps results deterministic.
                var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
                var i = 0
                while i + 4 <= n {
                    s0 += base[i]; s1 += base[i + 1]; s2 += base[i + 2]; s3 += base[i + 3]
                    i += 4
                }
                while i < n { s0 += base[i]; i += 1 }
                out[0] = (s0 + s1) + (s2 + s3)
            case .max:
                // Selects instead of branches: short rows (maxout's 5 pieces) are dominated
                // by mispredictions otherwise. A NaN wins and then stays (NaN propagates).
                var best = base[0], bestIndex = 0
                for i in 1..<max(n, 1) {
                    let v = base[i]
                    let take = v > best || (v.isNaN && !best.isNaN)
                    best = take ? v : best
                    bestIndex = take ? i : bestIndex
                }
                out[0] = best
                argmax?[o] = bestIndex
            }
        } else {
            out.update(from: base, count: inner)
            if let argmax { (argmax + o * inner).update(repeating: 0, count: inner) }
            for i in 1..<max(n, 1) {
                let row = base + i * inner
                switch mode {
                case .sum:
                    for j in 0..<inner { out[j] += row[j] }
                case .max:
                    // Selects, not branches, so the row loop vectorises (maxout, pooling).
                    if let argmax {
                        let index = argmax + o * inner
                        for j in 0..<inner {
                            let v = row[j], current = out[j]
                            let take = v > current || (v.isNaN && !current.isNaN)
                            out[j] = take ? v : current
                            index[j] = take ? i : index[j]
                        }
                    } else {
                        for j in 0..<inner {
                            let v = row[j], current = out[j]
                            out[j] = v > current || (v.isNaN && !current.isNaN) ? v : current
                        }
                    }
                }
            }
        }
    }
}

/// Copies `src` (shape `srcShape`) broadcast into `dst` (shape `dstShape`).
func expandKernel<T: TensorScalar>(_ src: UnsafePointer<T>, _ srcShape: [Int], _ dst: UnsafeMutablePointer<T>, _ dstShape: [Int]) {
    if ShapeMath.count(srcShape) == 1 {
        dst.update(repeating: src[0], count: ShapeMath.count(dstShape))
        return
    }
    stridedCopyKernel(src, ShapeMath.broadcastStrides(srcShape, to: dstShape), dst, dstShape)
}

/// Writes `dst` (row-major, `shape`) from `src` read with per-axis element `strides`: a
/// permutation when the strides are permuted, a broadcast when some are 0. The last axis is
/// the inner loop; all other axes advance an odometer.
func stridedCopyKernel<T: TensorScalar>(_ src: UnsafePointer<T>, _ strides: [Int], _ dst: UnsafeMutablePointer<T>, _ shape: [Int]) {
    let n = ShapeMath.count(shape)
    guard n > 0 else { return }
    let rank = shape.count
    let inner = shape[rank - 1], innerStride = strides[rank - 1]
    var index = [Int](repeating: 0, count: rank)
    var offset = 0, o = 0
    for _ in 0..<(n / inner) {
        if innerStride == 0 {
            (dst + o).update(repeating: src[offset], count: inner)
        } else {
            for j in 0..<inner { dst[o + j] = src[offset + j * innerStride] }
        }
        o += inner
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offset += strides[axis]
            if index[axis] < shape[axis] { break }
            offset -= strides[axis] * shape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}
