#include <immintrin.h>
#include "internal.h"

#define VOX_AVX2 __attribute__((target("avx2,fma")))

/* MR rows × 16 columns (half a panel) with 2·MR ymm accumulators; same per-element FMA order as every path. */
#define VOX_KERNEL2(MR)                                                                                          \
    static inline VOX_AVX2 void kernel2_##MR(int k, const float *a, int lda, const float *b, const float *bias,  \
                                             float *c, int ldc, int columns, int gelu) {                         \
        __m256 acc0[MR], acc1[MR];                                                                               \
        float lanes[16];                                                                                         \
        for (int j = 0; j < 16; j++) lanes[j] = (bias && j < columns) ? bias[j] : 0.0f;                          \
        for (int r = 0; r < MR; r++) {                                                                           \
            acc0[r] = _mm256_loadu_ps(lanes);                                                                    \
            acc1[r] = _mm256_loadu_ps(lanes + 8);                                                                \
        }                                                                                                        \
        for (int kk = 0; kk < k; kk++) {                                                                         \
            __m256 b0 = _mm256_loadu_ps(b + (size_t)kk * VOX_NR);                                                \
            __m256 b1 = _mm256_loadu_ps(b + (size_t)kk * VOX_NR + 8);                                            \
            for (int r = 0; r < MR; r++) {                                                                       \
                __m256 av = _mm256_set1_ps(a[(size_t)r * lda + kk]);                                             \
                acc0[r] = _mm256_fmadd_ps(av, b0, acc0[r]);                                                      \
                acc1[r] = _mm256_fmadd_ps(av, b1, acc1[r]);                                                      \
            }                                                                                                    \
        }                                                                                                        \
        for (int r = 0; r < MR; r++) {                                                                           \
            _mm256_storeu_ps(lanes, acc0[r]);                                                                    \
            _mm256_storeu_ps(lanes + 8, acc1[r]);                                                                \
            for (int j = 0; j < columns; j++)                                                                    \
                c[(size_t)r * ldc + j] = gelu ? vox_gelu_scalar(lanes[j]) : lanes[j];                            \
        }                                                                                                        \
    }

VOX_KERNEL2(6)
VOX_KERNEL2(1)

VOX_AVX2 void vox_gemm_avx2(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
                            int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    for (int i0 = 0; i0 < m; i0 += VOX_ROW_CHUNK) {
        int i1 = i0 + VOX_ROW_CHUNK < m ? i0 + VOX_ROW_CHUNK : m;
        for (int p = panel_begin; p < panel_end; p++) {
            for (int half = 0; half < 2; half++) {
                int first = p * VOX_NR + half * 16;
                int columns = n - first < 16 ? n - first : 16;
                if (columns <= 0) continue;
                const float *panel = packed + (size_t)p * k * VOX_NR + half * 16;
                const float *b = bias ? bias + first : 0;
                int i = i0;
                for (; i + 6 <= i1; i += 6)
                    kernel2_6(k, a + (size_t)i * lda, lda, panel, b, c + (size_t)i * ldc + first, ldc, columns, gelu);
                for (; i < i1; i++)
                    kernel2_1(k, a + (size_t)i * lda, lda, panel, b, c + (size_t)i * ldc + first, ldc, columns, gelu);
            }
        }
    }
}
