#include <cblas.h>
#include <stddef.h>

// LAPACK symbols that libopenblas exports but no installed header declares (Debian ships no
// lapacke.h with libopenblas-dev). Fortran calling convention: every argument by pointer,
// column-major arrays, and one hidden trailing length per CHARACTER argument (gfortran passes
// them as size_t after the visible arguments; callers pass 1 for a one-letter option).

/// Eigenvalues (ascending) and, with jobz = 'V', orthonormal eigenvectors of a real symmetric
/// matrix by divide and conquer. lwork = liwork = -1 is a workspace query.
void dsyevd_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
             double *work, const int *lwork, int *iwork, const int *liwork, int *info,
             size_t jobz_len, size_t uplo_len);
