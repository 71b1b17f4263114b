#include <stdint.h>
#include <string.h>
#include "avx512_math.h"

/* The AVX-512 paths of gemm_bf16.c. The emulation splits each packed pair into its two BF16 halves (exact as
 * floats) and runs the two fused multiply-adds of `vdpbf16ps` in its order with MXCSR's flush-to-zero set for the k
 * loop (restored before the epilogue); the native path runs `vdpbf16ps` itself. */
#define VOX_BF16_EMU __attribute__((target("avx512f,avx512bw,fma")))
#define VOX_BF16_NATIVE __attribute__((target("avx512f,avx512bw,avx512bf16,fma")))

static inline VOX_BF16_EMU __m512 flush512(__m512 x) {
    __mmask16 tiny = _mm512_cmp_ps_mask(_mm512_abs_ps(x), _mm512_set1_ps(1.17549435e-38f), _CMP_LT_OQ);
    __m512i sign = _mm512_and_si512(_mm512_castps_si512(x), _mm512_set1_epi32((int)0x80000000u));
    return _mm512_mask_mov_ps(x, tiny, _mm512_castsi512_ps(sign));
}

/* Bias (flushed), then the MR × 32 tile's accumulation, then GELU and masked stores. */
#define VOX_BF16_KERNEL(NAME, ATTR, MR, SETUP, STEP, DONE)                                                       \
    static inline ATTR void NAME##_##MR(int pairs, const float *a, int lda, const uint16_t *b, __m512 bias0,     \
                                        __m512 bias1, float *c, int ldc, __mmask16 m0, __mmask16 m1, int gelu) { \
        enum { ROWS = MR };                                                                                      \
        __m512 acc0[MR], acc1[MR];                                                                               \
        for (int r = 0; r < MR; r++) {                                                                           \
            acc0[r] = bias0;                                                                                     \
            acc1[r] = bias1;                                                                                     \
        }                                                                                                        \
        SETUP;                                                                                                   \
        for (int g = 0; g < pairs; g++) {                                                                        \
            __m512i b0 = _mm512_loadu_si512(b + (size_t)g * VOX_NR * 2);                                         \
            __m512i b1 = _mm512_loadu_si512(b + (size_t)g * VOX_NR * 2 + 32);                                    \
            STEP;                                                                                                \
        }                                                                                                        \
        DONE;                                                                                                    \
        for (int r = 0; r < MR; r++) {                                                                           \
            __m512 out0 = gelu ? gelu512(acc0[r]) : acc0[r];                                                     \
            __m512 out1 = gelu ? gelu512(acc1[r]) : acc1[r];                                                     \
            _mm512_mask_storeu_ps(c + (size_t)r * ldc, m0, out0);                                                \
            _mm512_mask_storeu_ps(c + (size_t)r * ldc + 16, m1, out1);                                           \
        }                                                                                                        \
    }

#define VOX_EMU_SETUP                                                                                            \
    unsigned int saved = _mm_getcsr();                                                                           \
    _mm_setcsr(saved | 0x8040u); /* flush-to-zero and denormals-are-zero, as vdpbf16ps */                       \
    const __m512i high = _mm512_set1_epi32((int)0xFFFF0000u)
#define VOX_EMU_STEP                                                                                             \
    __m512 b0odd = _mm512_castsi512_ps(_mm512_and_si512(b0, high));                                              \
    __m512 b0even = _mm512_castsi512_ps(_mm512_slli_epi32(b0, 16));                                              \
    __m512 b1odd = _mm512_castsi512_ps(_mm512_and_si512(b1, high));                                              \
    __m512 b1even = _mm512_castsi512_ps(_mm512_slli_epi32(b1, 16));                                              \
    for (int r = 0; r < ROWS; r++) {                                                                             \
        __m512 odd = _mm512_set1_ps(a[(size_t)r * lda + 2 * g + 1]);                                             \
        __m512 even = _mm512_set1_ps(a[(size_t)r * lda + 2 * g]);                                                \
        acc0[r] = _mm512_fmadd_ps(even, b0even, _mm512_fmadd_ps(odd, b0odd, acc0[r]));                           \
        acc1[r] = _mm512_fmadd_ps(even, b1even, _mm512_fmadd_ps(odd, b1odd, acc1[r]));                           \
    }
#define VOX_EMU_DONE _mm_setcsr(saved)

#define VOX_NATIVE_STEP                                                                                          \
    for (int r = 0; r < ROWS; r++) {                                                                             \
        int32_t pair;                                                                                            \
        memcpy(&pair, a + (size_t)r * lda + g, 4);                                                               \
        __m512i av = _mm512_set1_epi32(pair);                                                                    \
        acc0[r] = _mm512_dpbf16_ps(acc0[r], (__m512bh)av, (__m512bh)b0);                                         \
        acc1[r] = _mm512_dpbf16_ps(acc1[r], (__m512bh)av, (__m512bh)b1);                                         \
    }

#define VOX_BF16_KERNELS(NAME, ATTR, SETUP, STEP, DONE)                                                          \
    VOX_BF16_KERNEL(NAME, ATTR, 12, SETUP, STEP, DONE)                                                           \
    VOX_BF16_KERNEL(NAME, ATTR, 8, SETUP, STEP, DONE)                                                            \
    VOX_BF16_KERNEL(NAME, ATTR, 4, SETUP, STEP, DONE)                                                            \
    VOX_BF16_KERNEL(NAME, ATTR, 2, SETUP, STEP, DONE)                                                            \
    VOX_BF16_KERNEL(NAME, ATTR, 1, SETUP, STEP, DONE)

VOX_BF16_KERNELS(emu, VOX_BF16_EMU, VOX_EMU_SETUP, VOX_EMU_STEP, VOX_EMU_DONE)
VOX_BF16_KERNELS(native, VOX_BF16_NATIVE, (void)0, VOX_NATIVE_STEP, (void)0)

/* The row-chunk and panel loops, shared by both paths. */
#define VOX_BF16_DRIVER(NAME, ATTR)                                                                              \
    ATTR void vox_bf16_gemm_##NAME(int m, int k, const float *a, int lda, const uint16_t *packed,                \
                                   const float *bias, int n, int panel_begin, int panel_end, float *c, int ldc,  \
                                   int gelu) {                                                                   \
        int pairs = (k + 1) / 2;                                                                                 \
        for (int i0 = 0; i0 < m; i0 += VOX_ROW_CHUNK) {                                                          \
            int i1 = i0 + VOX_ROW_CHUNK < m ? i0 + VOX_ROW_CHUNK : m;                                            \
            for (int p = panel_begin; p < panel_end; p++) {                                                      \
                const uint16_t *panel = packed + (size_t)p * pairs * VOX_NR * 2;                                 \
                int columns = n - p * VOX_NR < VOX_NR ? n - p * VOX_NR : VOX_NR;                                 \
                __mmask16 m0 = columns >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << columns) - 1);             \
                __mmask16 m1 = columns >= 32 ? (__mmask16)0xFFFF                                                 \
                                             : (columns > 16 ? (__mmask16)((1u << (columns - 16)) - 1)           \
                                                             : (__mmask16)0);                                    \
                __m512 bias0 = flush512(bias ? _mm512_maskz_loadu_ps(m0, bias + p * VOX_NR) : _mm512_setzero_ps()); \
                __m512 bias1 =                                                                                   \
                    flush512(bias ? _mm512_maskz_loadu_ps(m1, bias + p * VOX_NR + 16) : _mm512_setzero_ps());    \
                float *out = c + p * VOX_NR;                                                                     \
                int i = i0;                                                                                      \
                for (; i + 12 <= i1; i += 12)                                                                    \
                    NAME##_12(pairs, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc,  \
                              m0, m1, gelu);                                                                     \
                if (i + 8 <= i1) {                                                                               \
                    NAME##_8(pairs, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc,   \
                             m0, m1, gelu);                                                                      \
                    i += 8;                                                                                      \
                }                                                                                                \
                if (i + 4 <= i1) {                                                                               \
                    NAME##_4(pairs, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc,   \
                             m0, m1, gelu);                                                                      \
                    i += 4;                                                                                      \
                }                                                                                                \
                if (i + 2 <= i1) {                                                                               \
                    NAME##_2(pairs, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc,   \
                             m0, m1, gelu);                                                                      \
                    i += 2;                                                                                      \
                }                                                                                                \
                if (i < i1)                                                                                      \
                    NAME##_1(pairs, a + (size_t)i * lda, lda, panel, bias0, bias1, out + (size_t)i * ldc, ldc,   \
                             m0, m1, gelu);                                                                      \
            }                                                                                                    \
        }                                                                                                        \
    }

VOX_BF16_DRIVER(emu, VOX_BF16_EMU)
VOX_BF16_DRIVER(native, VOX_BF16_NATIVE)

/* Rounds rows to BF16 (nearest even; zero and denormals to signed zero; NaN quietened), as vox_bf16_from_float.
 * `pairs` non-zero writes BF16 pairs for the native path (row g holds k = 2g, 2g + 1), else the rounded floats. */
VOX_BF16_EMU void vox_bf16_round_rows_avx512(int m, int k, const float *a, int lda, float *out, int ldo, int pairs) {
    const __m512i exponent = _mm512_set1_epi32(0x7F800000);
    const __m512i magnitude = _mm512_set1_epi32(0x7FFFFFFF);
    const __m512i sign = _mm512_set1_epi32((int)0x80000000u);
    const __m512i high = _mm512_set1_epi32((int)0xFFFF0000u);
    for (int i = 0; i < m; i++) {
        const float *row = a + (size_t)i * lda;
        float *dst = out + (size_t)i * ldo;
        int kk = 0;
        for (; kk + 16 <= k; kk += 16) {
            __m512i bits = _mm512_castps_si512(_mm512_loadu_ps(row + kk));
            __m512i lsb = _mm512_and_si512(_mm512_srli_epi32(bits, 16), _mm512_set1_epi32(1));
            __m512i rounded = _mm512_add_epi32(bits, _mm512_add_epi32(_mm512_set1_epi32(0x7FFF), lsb));
            rounded = _mm512_and_si512(rounded, high);
            __mmask16 small = _mm512_cmpeq_epi32_mask(_mm512_and_si512(bits, exponent), _mm512_setzero_si512());
            __mmask16 nan = _mm512_cmpgt_epi32_mask(_mm512_and_si512(bits, magnitude), exponent);
            rounded = _mm512_mask_mov_epi32(rounded, small, _mm512_and_si512(bits, sign));
            rounded = _mm512_mask_mov_epi32(
                rounded, nan, _mm512_or_si512(_mm512_and_si512(bits, high), _mm512_set1_epi32(0x00400000)));
            if (pairs) {
                /* 16 rounded floats → 8 pairs: even k in the low half, odd k in the high half of each dword. */
                __m512i shifted = _mm512_srli_epi32(rounded, 16);
                __m256i halves = _mm512_cvtepi32_epi16(shifted);
                _mm256_storeu_si256((__m256i *)((uint16_t *)dst + kk), halves);
            } else {
                _mm512_storeu_si512(dst + kk, rounded);
            }
        }
        for (; kk < k; kk++) {
            uint16_t h = vox_bf16_from_float(row[kk]);
            if (pairs) ((uint16_t *)dst)[kk] = h;
            else dst[kk] = vox_float_from_bf16(h);
        }
        if (pairs) {
            for (int t = k; t < 2 * ldo; t++) ((uint16_t *)dst)[t] = 0;
        } else {
            for (int t = k; t < ldo; t++) dst[t] = 0.0f;
        }
    }
}
