#include <stdint.h>
#include <string.h>
#include "avx512_math.h"

/* The AVX-512 VNNI path of gemm_int8.c: `vpdpbusd` (u8 × s8, four products per int32 lane, wrapping, never
 * saturating) on MR rows × 32 columns, 2·MR int32 accumulators in registers across the whole k loop; then the same
 * float epilogue as the portable path. */
#define VOX_VNNI __attribute__((target("avx512f,avx512bw,avx512vnni,fma")))

static inline VOX_VNNI __m512 epilogue512(__m512i dot, int32_t zero, __m512i sums, float row_scale,
                                          __m512 column_scales, __m512 bias) {
    __m512i corrected = _mm512_sub_epi32(dot, _mm512_mullo_epi32(_mm512_set1_epi32(zero), sums));
    __m512 scale = _mm512_mul_ps(_mm512_set1_ps(row_scale), column_scales);
    return _mm512_fmadd_ps(_mm512_cvtepi32_ps(corrected), scale, bias);
}

#define VOX_I8_KERNEL(MR)                                                                                        \
    static inline VOX_VNNI void i8_kernel_##MR(int groups, const uint8_t *q, int ldq, const int8_t *b,          \
                                               const float *row_scale, const int32_t *row_zero, __m512i sums0,   \
                                               __m512i sums1, __m512 scales0, __m512 scales1, __m512 bias0,      \
                                               __m512 bias1, float *c, int ldc, __mmask16 m0, __mmask16 m1,      \
                                               int gelu) {                                                       \
        __m512i acc0[MR], acc1[MR];                                                                              \
        for (int r = 0; r < MR; r++) {                                                                           \
            acc0[r] = _mm512_setzero_si512();                                                                    \
            acc1[r] = _mm512_setzero_si512();                                                                    \
        }                                                                                                        \
        for (int g = 0; g < groups; g++) {                                                                       \
            __m512i b0 = _mm512_loadu_si512(b + (size_t)g * VOX_NR * 4);                                         \
            __m512i b1 = _mm512_loadu_si512(b + (size_t)g * VOX_NR * 4 + 64);                                    \
            for (int r = 0; r < MR; r++) {                                                                       \
                int32_t four;                                                                                    \
                memcpy(&four, q + (size_t)r * ldq + 4 * g, 4);                                                   \
                __m512i av = _mm512_set1_epi32(four);                                                            \
                acc0[r] = _mm512_dpbusd_epi32(acc0[r], av, b0);                                                  \
                acc1[r] = _mm512_dpbusd_epi32(acc1[r], av, b1);                                                  \
            }                                                                                                    \
        }                                                                                                        \
        for (int r = 0; r < MR; r++) {                                                                           \
            __m512 out0 = epilogue512(acc0[r], row_zero[r], sums0, row_scale[r], scales0, bias0);                \
            __m512 out1 = epilogue512(acc1[r], row_zero[r], sums1, row_scale[r], scales1, bias1);                \
            if (gelu) {                                                                                          \
                out0 = gelu512(out0);                                                                            \
                out1 = gelu512(out1);                                                                            \
            }                                                                                                    \
            _mm512_mask_storeu_ps(c + (size_t)r * ldc, m0, out0);                                                \
            _mm512_mask_storeu_ps(c + (size_t)r * ldc + 16, m1, out1);                                           \
        }                                                                                                        \
    }

VOX_I8_KERNEL(12)
VOX_I8_KERNEL(8)
VOX_I8_KERNEL(4)
VOX_I8_KERNEL(2)
VOX_I8_KERNEL(1)

#define VOX_I8_ROW_CHUNK 192 /* quantised rows (k ≤ 1536 bytes each) that stay in L2 while every panel passes */

VOX_VNNI void vox_i8_gemm_vnni(int m, int k, const uint8_t *q, int ldq, const float *row_scale,
                               const int32_t *row_zero, const int8_t *packed, const float *column_scale,
                               const int32_t *column_sum, const float *bias, int n, int panel_begin, int panel_end,
                               float *c, int ldc, int gelu) {
    int groups = (k + 3) / 4;
    for (int i0 = 0; i0 < m; i0 += VOX_I8_ROW_CHUNK) {
        int i1 = i0 + VOX_I8_ROW_CHUNK < m ? i0 + VOX_I8_ROW_CHUNK : m;
        for (int p = panel_begin; p < panel_end; p++) {
            const int8_t *panel = packed + (size_t)p * groups * VOX_NR * 4;
            int columns = n - p * VOX_NR < VOX_NR ? n - p * VOX_NR : VOX_NR;
            __mmask16 m0 = columns >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << columns) - 1);
            __mmask16 m1 = columns >= 32 ? (__mmask16)0xFFFF
                                         : (columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1) : (__mmask16)0);
            int first = p * VOX_NR;
            /* Padding columns of the last panel have scale 0 and sum 0 (see vox_i8_pack); bias is masked. */
            __m512 bias0 = bias ? _mm512_maskz_loadu_ps(m0, bias + first) : _mm512_setzero_ps();
            __m512 bias1 = bias ? _mm512_maskz_loadu_ps(m1, bias + first + 16) : _mm512_setzero_ps();
            __m512i sums0 = _mm512_loadu_si512(column_sum + first);
            __m512i sums1 = _mm512_loadu_si512(column_sum + first + 16);
            __m512 scales0 = _mm512_loadu_ps(column_scale + first);
            __m512 scales1 = _mm512_loadu_ps(column_scale + first + 16);
            float *out = c + first;
#define VOX_I8_CALL(MR)                                                                                          \
    i8_kernel_##MR(groups, q + (size_t)i * ldq, ldq, panel, row_scale + i, row_zero + i, sums0, sums1, scales0,  \
                   scales1, bias0, bias1, out + (size_t)i * ldc, ldc, m0, m1, gelu)
            int i = i0;
            for (; i + 12 <= i1; i += 12) VOX_I8_CALL(12);
            if (i + 8 <= i1) {
                VOX_I8_CALL(8);
                i += 8;
            }
            if (i + 4 <= i1) {
                VOX_I8_CALL(4);
                i += 4;
            }
            if (i + 2 <= i1) {
                VOX_I8_CALL(2);
                i += 2;
            }
            if (i < i1) VOX_I8_CALL(1);
#undef VOX_I8_CALL
        }
    }
}
