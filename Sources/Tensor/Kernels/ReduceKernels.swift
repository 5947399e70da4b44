/// Reductions along one axis of a tensor viewed as [outer, n, inner].
enum ReduceMode { case sum, max }

/// The sum of `n` contiguous values as every contiguous-row reduction adds them: four
/// partial sums (vectorisable; the fixed order keeps results deterministic), the tail into
/// the first, then (s0 + s1) + (s2 + s3). `OrderedChannelSums` repeats this order exactly.
@inline(__always)
func fourPartialSum<T: TensorScalar>(_ base: UnsafePointer<T>, _ n: Int) -> T {
    var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0
    var i = 0
    while i + 4 <= n {
        s0 += base[i]; s1 += base[i + 1]; s2 += base[i + 2]; s3 += base[i + 3]
        i += 4
    }
    while i < n { s0 += base[i]; i += 1 }
    return (s0 + s1) + (s2 + s3)
}

func reduceKernel<T: TensorScalar>(_ mode: ReduceMode, _ src: UnsafePointer<T>, outer: Int, n: Int, inner: Int,
                                   _ dst: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int>?) {
    if mode == .max && inner > 1 {
        maxRowsKernel(src, outer: outer, n: n, inner: inner, dst, argmax: argmax)
        return
    }
    for o in 0..<outer {
        let base = src + o * n * inner
        let out = dst + o * inner
        if inner == 1 {
            switch mode {
            case .sum:
                out[0] = fourPartialSum(base, n)
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
            for i in 1..<max(n, 1) {
                let row = base + i * inner
                for j in 0..<inner { out[j] += row[j] }
            }
        }
    }
}

/// Max (and its first index) over the `n` rows of `inner` values of each of `outer` blocks:
/// maxout's reduction over its pieces. The row loop must vectorise, and three things kept it
/// scalar, each worth about a tenth of a PacGAN-ring training step: 64-bit `Int` index
/// selects beside 32-bit float masks (the running index is kept in `Int32` here), the
/// short-circuit NaN rule (now nested single-compare selects), and updating the running max
/// in place (`x = c ? x : v` became a conditional store); rows ping-pong between two buffers.
/// `v` replaces the running max unless v ≤ max or the max is already NaN, so a NaN wins and
/// then stays, and ties keep the first index.
private func maxRowsKernel<T: TensorScalar>(_ src: UnsafePointer<T>, outer: Int, n: Int, inner: Int,
                                            _ dst: UnsafeMutablePointer<T>, argmax: UnsafeMutablePointer<Int>?) {
    let spare = UnsafeMutablePointer<T>.allocate(capacity: inner)
    let indexA = UnsafeMutablePointer<Int32>.allocate(capacity: inner)
    let indexB = UnsafeMutablePointer<Int32>.allocate(capacity: inner)
    defer { spare.deallocate(); indexA.deallocate(); indexB.deallocate() }
    for o in 0..<outer {
        let base = src + o * n * inner
        let out = dst + o * inner
        var current = out, next = spare
        var currentIndex = indexA, nextIndex = indexB
        current.update(from: base, count: inner)
        currentIndex.update(repeating: 0, count: inner)
        for i in 1..<max(n, 1) {
            let row = base + i * inner
            let piece = Int32(truncatingIfNeeded: i)
            for j in 0..<inner {
                let v = row[j], best = current[j], bestIndex = currentIndex[j]
                let keep = v <= best || best != best
                next[j] = keep ? best : v
                nextIndex[j] = keep ? bestIndex : piece
            }
            swap(&current, &next)
            swap(&currentIndex, &nextIndex)
        }
        if current != out { out.update(from: current, count: inner) }
        if let argmax {
            let index = argmax + o * inner
            for j in 0..<inner { index[j] = Int(currentIndex[j]) }
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
