/// A GEMM whose output is cut into fixed blocks that run on the kernel threads.
///
/// OpenBLAS is pinned to one thread (its threaded products change bits with the thread
/// count), so a large product outside the convolutions, such as a DCGAN generator's
/// 100 → 6,272 linear layer, would keep the other kernel thread idle. Here a product whose
/// output has a long side is split along it into blocks of `blockSize` rows or columns;
/// each block is an independent single-threaded GEMM (every output element is still its
/// own dot product over all of k), and the blocks depend only on the shapes, never on the
/// thread count, so the bits are the same on one thread and many. (They can differ in the
/// last bits from one unblocked GEMM, whose edge tiles fall elsewhere: the blocking is part
/// of how a product is computed, like the convolutions' chunks.)
enum BlockedGEMM {
    /// Rows or columns per block.
    static let blockSize = 512
    /// A side is split only from this length on (at least four blocks).
    static let minimumSplitSide = 4 * blockSize
    /// …and only when the product is large enough (multiply–adds) to repay the hand-off.
    static let minimumWork = 1 << 22

    /// C = alpha·op(A)·op(B) + beta·C, row-major, as `gemm`. `splitRows: false` keeps the
    /// rows whole: `Tensor.linear` passes it, because its rows are samples, and a large
    /// evaluation batch (10,000 generated points through an MLP) should round exactly as it
    /// did before blocking existed; only its output features (columns) are split.
    @inline(__always)
    static func run<T: TensorScalar>(transA: Bool, transB: Bool, m: Int, n: Int, k: Int, alpha: T,
                                     _ a: UnsafePointer<T>, lda: Int, _ b: UnsafePointer<T>, ldb: Int,
                                     beta: T, _ c: UnsafeMutablePointer<T>, ldc: Int, splitRows: Bool = true) {
        let splitColumns = n >= minimumSplitSide && (n >= m || !splitRows)
        let side = splitColumns ? n : (splitRows ? m : 0)
        guard side >= minimumSplitSide, m * n * k >= minimumWork else {
            gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: alpha, a, lda: lda, b, ldb: ldb,
                 beta: beta, c, ldc: ldc)
            return
        }
        let (sa, sb, sc) = (SharedPointer(base: UnsafeMutablePointer(mutating: a)),
                            SharedPointer(base: UnsafeMutablePointer(mutating: b)), SharedPointer(base: c))
        let blocks = (side + blockSize - 1) / blockSize
        forEachChunk(blocks) { block in
            let start = block * blockSize
            let width = Swift.min(blockSize, side - start)
            if splitColumns {
                // Columns start… of op(B): B's columns when B is plain, B's rows when transposed.
                gemm(transA: transA, transB: transB, m: m, n: width, k: k, alpha: alpha, sa.base, lda: lda,
                     sb.base + (transB ? start * ldb : start), ldb: ldb, beta: beta, sc.base + start, ldc: ldc)
            } else {
                // Rows start… of op(A): A's rows when A is plain, A's columns when transposed.
                gemm(transA: transA, transB: transB, m: width, n: n, k: k, alpha: alpha,
                     sa.base + (transA ? start : start * lda), lda: lda, sb.base, ldb: ldb, beta: beta,
                     sc.base + start * ldc, ldc: ldc)
            }
        }
    }
}
