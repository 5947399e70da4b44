import CBLAS
import Tensor

/// Eigendecomposition A = V diag(w) Vᵀ of a real symmetric matrix, by LAPACK's divide-and-conquer
/// `dsyevd` from OpenBLAS (declared in `Sources/CBLAS/shim.h`; no LAPACKE header is installed).
/// It exists for the Fréchet distance's matrix square roots, where a symmetric solver keeps every
/// eigenvalue real, so roots of covariance matrices stay real after clamping rounding negatives.
public struct SymmetricEigen: Sendable, Equatable {
    public let dimension: Int
    /// Eigenvalues in ascending order.
    public let values: [Double]
    /// V, row-major n×n: column j (elements `vectors[i * n + j]`) is the unit eigenvector of
    /// `values[j]`; the columns are orthonormal. Empty when vectors were not requested.
    public let vectors: [Double]

    /// Decomposes the row-major n×n symmetric `matrix`.
    ///
    /// The input must be finite and symmetric to 1e-10 of its largest entry: LAPACK reads only one
    /// triangle, so an asymmetric matrix would be decomposed as some other matrix without a word.
    /// Throws `.lapackFailure` when `dsyevd` reports info ≠ 0.
    public init(_ matrix: [Double], dimension n: Int, computeVectors: Bool = true) throws(MetricError) {
        guard n > 0 else { throw .invalidParameter("SymmetricEigen: dimension must be positive, got \(n)") }
        guard n <= 46_340 else { throw .invalidParameter("SymmetricEigen: dimension \(n) overflows LAPACK's 32-bit sizes") }
        guard matrix.count == n * n else { throw .shapeMismatch(what: "SymmetricEigen", expected: "[\(n), \(n)]", got: [matrix.count]) }
        if let i = matrix.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: "SymmetricEigen", row: i / n, column: i % n) }
        let scale = matrix.reduce(0) { max($0, abs($1)) }
        for i in 0..<n {
            for j in (i + 1)..<n where abs(matrix[i * n + j] - matrix[j * n + i]) > 1e-10 * scale {
                throw .invalidParameter("SymmetricEigen: matrix is not symmetric at (\(i), \(j)): \(matrix[i * n + j]) vs \(matrix[j * n + i])")
            }
        }
        // Same one-thread pinning as Tensor's GEMMs: dsyevd calls threaded BLAS inside, and the
        // result must not depend on the machine's core count.
        _ = BLASThreads.current

        var a = matrix
        var w = [Double](repeating: 0, count: n)
        var jobz = CChar(UInt8(ascii: computeVectors ? "V" : "N"))
        var uplo = CChar(UInt8(ascii: "L"))
        var order = CInt(n), lda = CInt(n), info: CInt = 0
        // Workspace query (lwork = liwork = -1): LAPACK writes the optimal sizes into work[0] and iwork[0].
        var lwork: CInt = -1, liwork: CInt = -1
        var workQuery = 0.0, iworkQuery: CInt = 0
        dsyevd_(&jobz, &uplo, &order, &a, &lda, &w, &workQuery, &lwork, &iworkQuery, &liwork, &info, 1, 1)
        guard info == 0 else { throw .lapackFailure(routine: "dsyevd (workspace query)", info: Int(info)) }
        // Never below the documented minima, in case a query result was rounded down in Float64.
        let minimumWork = computeVectors ? 1 + 6 * n + 2 * n * n : 2 * n + 1
        let minimumIWork = computeVectors ? 3 + 5 * n : 1
        lwork = CInt(max(Int(workQuery.rounded(.up)), minimumWork))
        liwork = CInt(max(Int(iworkQuery), minimumIWork))
        var work = [Double](repeating: 0, count: Int(lwork))
        var iwork = [CInt](repeating: 0, count: Int(liwork))
        dsyevd_(&jobz, &uplo, &order, &a, &lda, &w, &work, &lwork, &iwork, &liwork, &info, 1, 1)
        guard info == 0 else { throw .lapackFailure(routine: "dsyevd", info: Int(info)) }

        dimension = n
        values = w
        if computeVectors {
            // LAPACK leaves the eigenvectors as the columns of a column-major array, i.e. as the
            // rows of `a` read row-major; transpose to the row-major V documented above.
            var v = [Double](repeating: 0, count: n * n)
            for j in 0..<n { for i in 0..<n { v[i * n + j] = a[j * n + i] } }
            vectors = v
        } else {
            vectors = []
        }
    }
}
