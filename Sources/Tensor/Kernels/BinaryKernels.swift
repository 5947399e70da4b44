import RealModule

/// Elementwise functions of two tensors with NumPy broadcasting.
enum BinaryOp: Sendable {
    case add, sub, mul, div, pow, maximum, minimum
    case greater, greaterEqual, less, lessEqual, equal, notEqual
    /// a where b > 0, else 0: ReLU's backward, fused so it allocates one tensor.
    case reluMask
    /// a where b > 0, else slope·a: leaky ReLU's backward.
    case leakyMask(Double)
}

/// Merges axis k into axis k + 1 wherever, for both operands, stepping once along k is the
/// same as stepping through all of k + 1 (stride[k] = stride[k + 1]·shape[k + 1]; broadcast
/// axes have stride 0 on both sides). The elements visited, and their order, are unchanged.
private func coalescedAxes(_ shape: [Int], _ sa: [Int], _ sb: [Int]) -> ([Int], [Int], [Int]) {
    var (shapeOut, aOut, bOut) = ([shape[shape.count - 1]], [sa[sa.count - 1]], [sb[sb.count - 1]])
    for axis in stride(from: shape.count - 2, through: 0, by: -1) {
        let size = shapeOut[0]
        if sa[axis] == aOut[0] * size && sb[axis] == bOut[0] * size {
            shapeOut[0] *= shape[axis]
        } else {
            shapeOut.insert(shape[axis], at: 0)
            aOut.insert(sa[axis], at: 0)
            bOut.insert(sb[axis], at: 0)
        }
    }
    return (shapeOut, aOut, bOut)
}

/// Applies `f` over the broadcast of `a` (shape `aShape`) and `b` into `out` (`outShape`), on
/// the calling thread (`binaryKernel` splits the element-wise cases over the kernel threads
/// before it gets here, so `f` is inlined into every loop).
@inline(__always)
private func broadcastLoop<T: TensorScalar>(
    _ a: UnsafePointer<T>, _ aShape: [Int], _ b: UnsafePointer<T>, _ bShape: [Int],
    _ out: UnsafeMutablePointer<T>, _ outShape: [Int], _ f: (T, T) -> T
) {
    let n = ShapeMath.count(outShape)
    if aShape == bShape {
        for i in 0..<n { out[i] = f(a[i], b[i]) }
        return
    }
    let aCount = ShapeMath.count(aShape), bCount = ShapeMath.count(bShape)
    if bCount == 1 {
        let v = b[0]
        for i in 0..<n { out[i] = f(a[i], v) }
        return
    }
    if aCount == 1 {
        let v = a[0]
        for i in 0..<n { out[i] = f(v, b[i]) }
        return
    }
    // General case: walk all but the last axis with an odometer; the last axis is a strided
    // inner loop (stride 0 or 1 in the common bias / row / column broadcasts). Adjacent axes
    // that both operands traverse alike are merged first, so a per-channel bias over
    // [N, C, H, W] runs inner loops of H·W, not W.
    let (outShape, sa, sb) = coalescedAxes(outShape, ShapeMath.broadcastStrides(aShape, to: outShape),
                                           ShapeMath.broadcastStrides(bShape, to: outShape))
    let rank = outShape.count
    let inner = outShape[rank - 1]
    let ia = sa[rank - 1], ib = sb[rank - 1]
    let outer = n / Swift.max(inner, 1)
    var index = [Int](repeating: 0, count: rank)
    var offA = 0, offB = 0
    var o = 0
    for _ in 0..<outer {
        if ia == 1 && ib == 1 {
            for j in 0..<inner { out[o + j] = f(a[offA + j], b[offB + j]) }
        } else if ia == 1 && ib == 0 {
            let v = b[offB]
            for j in 0..<inner { out[o + j] = f(a[offA + j], v) }
        } else if ia == 0 && ib == 1 {
            let v = a[offA]
            for j in 0..<inner { out[o + j] = f(v, b[offB + j]) }
        } else {
            for j in 0..<inner { out[o + j] = f(a[offA + j * ia], b[offB + j * ib]) }
        }
        o += inner
        // Advance the odometer over axes rank-2 … 0.
        var axis = rank - 2
        while axis >= 0 {
            index[axis] += 1
            offA += sa[axis]
            offB += sb[axis]
            if index[axis] < outShape[axis] { break }
            offA -= sa[axis] * outShape[axis]
            offB -= sb[axis] * outShape[axis]
            index[axis] = 0
            axis -= 1
        }
    }
}

/// out = op(a, b) with broadcasting. Same-shape operands and scalar ones are split by ranges
/// of elements over the kernel threads, each range one call of the serial kernel; the general
/// broadcast runs on the calling thread.
func binaryKernel<T: TensorScalar>(
    _ op: BinaryOp, _ a: UnsafePointer<T>, _ aShape: [Int], _ b: UnsafePointer<T>, _ bShape: [Int],
    _ out: UnsafeMutablePointer<T>, _ outShape: [Int]
) {
    let (aScalar, bScalar) = (ShapeMath.count(aShape) == 1, ShapeMath.count(bShape) == 1)
    guard aShape == bShape || aScalar || bScalar else {
        serialBinaryKernel(op, a, aShape, b, bShape, out, outShape)
        return
    }
    forEachRange(ShapeMath.count(outShape)) { range in
        let (low, part) = (range.lowerBound, [range.count])
        serialBinaryKernel(op, aScalar ? a : a + low, aScalar ? [1] : part, bScalar ? b : b + low, bScalar ? [1] : part,
                           out + low, part)
    }
}

private func serialBinaryKernel<T: TensorScalar>(
    _ op: BinaryOp, _ a: UnsafePointer<T>, _ aShape: [Int], _ b: UnsafePointer<T>, _ bShape: [Int],
    _ out: UnsafeMutablePointer<T>, _ outShape: [Int]
) {
    switch op {
    case .add: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 + $1 }
    case .sub: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 - $1 }
    case .mul: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 * $1 }
    case .div: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 / $1 }
    case .pow:
        broadcastLoop(a, aShape, b, bShape, out, outShape) { x, p in
            if let k = Int(exactly: p) { return T.pow(x, k) }
            return T.pow(x, p)
        }
    case .maximum: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 >= $1 ? $0 : $1 }
    case .minimum: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 <= $1 ? $0 : $1 }
    case .greater: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 > $1 ? 1 : 0 }
    case .greaterEqual: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 >= $1 ? 1 : 0 }
    case .less: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 < $1 ? 1 : 0 }
    case .lessEqual: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 <= $1 ? 1 : 0 }
    case .equal: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 == $1 ? 1 : 0 }
    case .notEqual: broadcastLoop(a, aShape, b, bShape, out, outShape) { $0 != $1 ? 1 : 0 }
    case .reluMask: broadcastLoop(a, aShape, b, bShape, out, outShape) { $1 > 0 ? $0 : 0 }
    case .leakyMask(let slope):
        let s = T(slope)
        if aShape == bShape {
            // A closure that captures (the slope) is not inlined into broadcastLoop, and this
            // same-shape case is the hot one (every leaky-ReLU backward).
            for i in 0..<ShapeMath.count(outShape) { out[i] = b[i] > 0 ? a[i] : s * a[i] }
        } else {
            broadcastLoop(a, aShape, b, bShape, out, outShape) { $1 > 0 ? $0 : s * $0 }
        }
    }
}
