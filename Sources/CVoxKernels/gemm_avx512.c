#include "avx512_math.h"

/* MR rows × 32 columns: 2·MR accumulators stay in registers across the whole k loop. */
#define VOX_KERNEL(MR)                                                                                           \
    static inline VOX_AVX512 void kernel_##MR(int k, const float *a, int lda, const float *b, __m512 bias0,      \
                                              __m512 bias1, float *c, int ldc, __mmask16 m0, __mmask16 m1,       \
                                              int gelu) {                                                        \
        __m512 acc0[MR], acc1[MR];                                                                               \
        for (int r = 0; r < MR; r++) {                                                                           \
            acc0[r] = bias0;                                                                                     \
            acc1[r] = bias1;                                                                                     \
        }                                                                                                        \
        for (int kk = 0; kk < k; kk++) {                                                                         \
            __m512 b0 = _mm512_loadu_ps(b + (size_t)kk * VOX_NR);                                                \
            __m512 b1 = _mm512_loadu_ps(b + (size_t)kk * VOX_NR + 16);                                           \
            for (int r = 0; r < MR; r++) {                                                                       \
                __m512 av = _mm512_set1_ps(a[(size_t)r * lda + kk]);                                             \
                acc0[r] = _mm512_fmadd_ps(av, b0, acc0[r]);                                                      \
                acc1[r] = _mm512_fmadd_ps(av, b1, acc1[r]);                                                      \
            }                                                                                                    \
        }                                                                                                        \
        for (int r = 0; r < MR; r++) {                                                                           \
            __m512 out0 = gelu ? gelu512(acc0[r]) : acc0[r];                                                     \
            __m512 out1 = gelu ? gelu512(acc1[r]) : acc1[r];                                                     \
            _mm512_mask_storeu_ps(c + (size_t)r * ldc, m0, out0);                                                \
            _mm512_mask_storeu_ps(c + (size_t)r * ldc + 16, m1, out1);                                           \
        }                                                                                                        \
    }

VOX_KERNEL(12)
VOX_KERNEL(8)
VOX_KERNEL(4)
VOX_KERNEL(2)
VOX_KERNEL(1)

VOX_AVX512 void vox_gemm_avx512(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
                                int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    for (int i0 = 0; i0 < m; i0 += VOX_ROW_CHUNK) {
        int i1 = i0 + VOX_ROW_CHUNK < m ? i0 + VOX_ROW_CHUNK : m;
        for (int p = panel_begin; p < panel_end; p++) {
            const float *panel = packed + (size_t)p * k * VOX_NR;
            int columns = n - p * VOX_NR < VOX_NR ? n - p * VOX_NR : VOX_NR;
            __mmask16 m0 = columns >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << columns) - 1);
            __mmask16 m1 = columns >= 32 ? (__mmask16)0xFFFF
                                         : (columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1) : (__mmask16)0);
            __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m0, bias + p * VOX_NR) : _mm512_setzero_ps();
            __m512 bias1 = bias ? _mm512_maskz_loadu_ps(m1, bias + p * VOX_NR + 16) : _mm512_setzero_ps();
            float *out = c + p * VOX_NR;
            int i = i0;
            for (; i + 12 <= i1; i += 12)
                kernel_12(k, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc, m0, m1, gelu);
            if (i + 8 <= i1) {
                kernel_8(k, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc, m0, m1, gelu);
                i += 8;
            }
            if (i + 4 <= i1) {
                kernel_4(k, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc, m0, m1, gelu);
                i += 4;
            }
            if (i + 2 <= i1) {
                kernel_2(k, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc, m0, m1, gelu);
                i += 2;
            }
            if (i < i1) kernel_1(k, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc, m0, m1, gelu);
        }
    }
}

VOX_AVX512 void vox_gelu_avx512(float *x, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(x + i, gelu512(_mm512_loadu_ps(x + i)));
    for (; i < count; i++) x[i] = vox_gelu_scalar(x[i]);
}
