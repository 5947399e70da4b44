import RealModule

/// Elementwise maps of one tensor. The `switch` sits outside the loop, so each case compiles
/// to its own tight loop over raw pointers.
enum UnaryOp: Sendable {
    case neg, exp, log, log1p, sqrt, abs, tanh, sigmoid, softplus, relu, sign, square, reciprocal, sin, cos
    case leakyRelu(Double), elu(Double), pow(Double), addScalar(Double), mulScalar(Double)
    case clamp(Double, Double)
    /// 1 where lo ≤ x ≤ hi, else 0 (a constant mask, used by clamp's backward).
    case inRange(Double, Double)
    /// Comparisons with a scalar, giving 1 or 0.
    case greater(Double), greaterEqual(Double), less(Double), lessEqual(Double)
}

/// One thread's loop: `unaryKernel` splits the elements over the kernel threads first, so the
/// closure `f` is always inlined here. (Splitting inside, with `f` captured by the parallel
/// body, left the threads calling `f` indirectly per element, unvectorised.)
@inline(__always)
private func mapLoop<T: TensorScalar>(_ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ n: Int, _ f: (T) -> T) {
    for i in 0..<n { dst[i] = f(src[i]) }
}

/// Float32 transcendental ops take the vectorisable forms in `FastMath`; returns false for
/// ops it does not handle.
private func fastFloatKernel(_ op: UnaryOp, _ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) -> Bool {
    switch op {
    case .exp: mapLoop(src, dst, n) { FastMath.exp($0) }
    case .tanh: mapLoop(src, dst, n) { FastMath.tanh($0) }
    case .sigmoid: mapLoop(src, dst, n) { FastMath.sigmoid($0) }
    case .softplus: mapLoop(src, dst, n) { FastMath.softplus($0) }
    case .elu(let alpha):
        let a = Float(alpha)
        mapLoop(src, dst, n) { FastMath.elu($0, alpha: a) }
    default: return false
    }
    return true
}

/// dst = op(src) elementwise, split by ranges of elements over the kernel threads.
func unaryKernel<T: TensorScalar>(_ op: UnaryOp, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ n: Int) {
    forEachRange(n) { range in
        serialUnaryKernel(op, src + range.lowerBound, dst + range.lowerBound, range.count)
    }
}

private func serialUnaryKernel<T: TensorScalar>(_ op: UnaryOp, _ src: UnsafePointer<T>, _ dst: UnsafeMutablePointer<T>, _ n: Int) {
    if T.self == Float.self,
       fastFloatKernel(op, UnsafeRawPointer(src).assumingMemoryBound(to: Float.self),
                       UnsafeMutableRawPointer(dst).assumingMemoryBound(to: Float.self), n) {
        return
    }
    switch op {
    case .neg: mapLoop(src, dst, n) { -$0 }
    case .exp: mapLoop(src, dst, n) { T.exp($0) }
    case .log: mapLoop(src, dst, n) { T.log($0) }
    case .log1p: mapLoop(src, dst, n) { T.log(onePlus: $0) }
    case .sqrt: mapLoop(src, dst, n) { $0.squareRoot() }
    case .abs: mapLoop(src, dst, n) { Swift.abs($0) }
    case .tanh: mapLoop(src, dst, n) { T.tanh($0) }
    case .sin: mapLoop(src, dst, n) { T.sin($0) }
    case .cos: mapLoop(src, dst, n) { T.cos($0) }
    case .sigmoid:
        mapLoop(src, dst, n) { x in
            if x >= 0 { return 1 / (1 + T.exp(-x)) }
            let e = T.exp(x)
            return e / (1 + e)
        }
    case .softplus:
        // max(x, 0) + log1p(exp(−|x|)): no overflow for large |x|.
        mapLoop(src, dst, n) { x in Swift.max(x, 0) + T.log(onePlus: T.exp(-Swift.abs(x))) }
    case .relu: mapLoop(src, dst, n) { $0 > 0 ? $0 : 0 }
    case .sign: mapLoop(src, dst, n) { $0 > 0 ? 1 : ($0 < 0 ? -1 : 0) }
    case .square: mapLoop(src, dst, n) { $0 * $0 }
    case .reciprocal: mapLoop(src, dst, n) { 1 / $0 }
    case .leakyRelu(let slope):
        let s = T(slope)
        mapLoop(src, dst, n) { $0 > 0 ? $0 : s * $0 }
    case .elu(let alpha):
        let a = T(alpha)
        mapLoop(src, dst, n) { $0 > 0 ? $0 : a * T.expMinusOne($0) }
    case .pow(let p):
        let e = T(p)
        if p == 2 { mapLoop(src, dst, n) { $0 * $0 } }
        else if p == 1 { mapLoop(src, dst, n) { $0 } }
        else if p == 0.5 { mapLoop(src, dst, n) { $0.squareRoot() } }
        else if let k = Int(exactly: p) { mapLoop(src, dst, n) { T.pow($0, k) } }
        else { mapLoop(src, dst, n) { T.pow($0, e) } }
    case .addScalar(let c):
        let v = T(c)
        mapLoop(src, dst, n) { $0 + v }
    case .mulScalar(let c):
        let v = T(c)
        mapLoop(src, dst, n) { $0 * v }
    case .clamp(let lo, let hi):
        let l = T(lo), h = T(hi)
        mapLoop(src, dst, n) { Swift.min(Swift.max($0, l), h) }
    case .inRange(let lo, let hi):
        let l = T(lo), h = T(hi)
        mapLoop(src, dst, n) { $0 >= l && $0 <= h ? 1 : 0 }
    case .greater(let c):
        let v = T(c)
        mapLoop(src, dst, n) { $0 > v ? 1 : 0 }
    case .greaterEqual(let c):
        let v = T(c)
        mapLoop(src, dst, n) { $0 >= v ? 1 : 0 }
    case .less(let c):
        let v = T(c)
        mapLoop(src, dst, n) { $0 < v ? 1 : 0 }
    case .lessEqual(let c):
        let v = T(c)
        mapLoop(src, dst, n) { $0 <= v ? 1 : 0 }
    }
}
