#ifndef VOX_COPENBLAS_SHIM_H
#define VOX_COPENBLAS_SHIM_H
#include <cblas.h>

/// Row-major C = alpha * A * op(B) + beta * C, with B transposed when `transposeB` is non-zero.
static inline void COpenBLAS_sgemm(int transposeB, int m, int n, int k, float alpha, const float *a, int lda,
                                   const float *b, int ldb, float beta, float *c, int ldc) {
    cblas_sgemm(CblasRowMajor, CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, m, n, k, alpha, a, lda, b, ldb,
                beta, c, ldc);
}

/// Row-major C = alpha * op(A) * op(B) + beta * C with both transposes chosen (used by backward passes).
static inline void COpenBLAS_sgemm_general(int transposeA, int transposeB, int m, int n, int k, float alpha,
                                           const float *a, int lda, const float *b, int ldb, float beta, float *c,
                                           int ldc) {
    cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans, m, n,
                k, alpha, a, lda, b, ldb, beta, c, ldc);
}

static inline void COpenBLAS_set_threads(int count) { openblas_set_num_threads(count); }
static inline int COpenBLAS_get_threads(void) { return openblas_get_num_threads(); }
static inline const char *COpenBLAS_config(void) { return openblas_get_config(); }
#endif
