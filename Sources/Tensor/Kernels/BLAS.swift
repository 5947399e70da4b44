import CBLAS

/// Row-major GEMM: C = alpha·op(A)·op(B) + beta·C, dispatched to OpenBLAS sgemm or dgemm.
@inline(__always)
func gemm<T: TensorScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                           _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                           beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int) {
    let ta = transA ? CblasTrans : CblasNoTrans
    let tb = transB ? CblasTrans : CblasNoTrans
    if m == 0 || n == 0 { return }
    BLASThreads.pinOnFirstUse()
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

/// Threads OpenBLAS may use.
///
/// Equilibrium pins OpenBLAS to **one thread** before its first GEMM, because OpenBLAS 0.3.21
/// does not give bit-identical products on 1 and 2 threads (measured here: a 300×257·257×190
/// sgemm differs in the last bits), and a run must reproduce its numbers on any machine.
/// Parallelism comes from Equilibrium's own deterministic loops (independent runs, grid
/// cells) instead. `set(_:)` opts into threaded BLAS, trading bitwise reproducibility across
/// thread counts for speed on large matrices.
public enum BLASThreads {
    private static let pinned: Void = { openblas_set_num_threads(1) }()

    @inline(__always)
    static func pinOnFirstUse() { _ = pinned }

    public static func set(_ n: Int) {
        pinOnFirstUse()
        openblas_set_num_threads(Int32(max(n, 1)))
    }

    public static var current: Int {
        pinOnFirstUse()
        return Int(openblas_get_num_threads())
    }
}

/// What the loaded OpenBLAS says about itself, for benchmark and run protocols.
public enum BLASInfo {
    /// The kernel family OpenBLAS selected for this CPU (e.g. "SkylakeX", "Haswell").
    /// OpenBLAS 0.3.21 does not recognise some newer CPUs and falls back to "Prescott"
    /// (SSE3), 4–5× slower; `OPENBLAS_CORETYPE=SkylakeX` in the environment overrides it.
    public static var coreName: String { String(cString: openblas_get_corename()) }
    /// The library's build configuration string.
    public static var configuration: String { String(cString: openblas_get_config()) }
}
