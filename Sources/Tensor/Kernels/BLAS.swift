import CBLAS

/// Row-major GEMM: C = alpha·op(A)·op(B) + beta·C, dispatched to OpenBLAS sgemm or dgemm.
@inline(__always)
func gemm<T: TensorScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                           _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                           beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int) {
    let ta = transA ? CblasTrans : CblasNoTrans
    let tb = transB ? CblasTrans : CblasNoTrans
    if m == 0 || n == 0 { return }
    if T.self == Float.self {
        cblas_sgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Float(alpha),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Float.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Float.self), Int32(ldb), Float(beta),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Float.self), Int32(ldc))
    } else {
        cblas_dgemm(CblasRowMajor, ta, tb, Int32(m), Int32(n), Int32(k), Double(alpha),
                    UnsafeRawPointer(a).assumingMemoryBound(to: Double.self), Int32(lda),
                    UnsafeRawPointer(b).assumingMemoryBound(to: Double.self), Int32(ldb), Double(beta),
                    UnsafeMutableRawPointer(c).assumingMemoryBound(to: Double.self), Int32(ldc))
    }
}

/// Threads OpenBLAS may use. Results of a GEMM do not depend on this in OpenBLAS's
/// partitioning (it splits M and N, never K), but callers that parallelise themselves
/// should set 1 to avoid oversubscription.
public enum BLASThreads {
    public static func set(_ n: Int) { openblas_set_num_threads(Int32(max(n, 1))) }
    public static var current: Int { Int(openblas_get_num_threads()) }
}
