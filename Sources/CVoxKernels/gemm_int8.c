#include <immintrin.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

/* int8 projections, u8 × s8 with int32 accumulation (the oneDNN / FBGEMM "u8s8 with compensation" design).
 *
 * Weights: symmetric per output channel, w ≈ scale[j] · q[j][k] with q in [-127, 127], packed in 32-column panels
 * of groups of four k: packed[p][g][j][4] = q[32p + j][4g … 4g + 3]. The panel's column sums Σ_k q[j][k] are kept.
 * Activations: asymmetric per row (token), x ≈ scale[i] · (u[i][k] − zero[i]) with u in [0, 255].
 *
 *   c[i][j] = bias[j] + (scale[i] · scale[j]) · (Σ_k u[i][k] · q[j][k] − zero[i] · Σ_k q[j][k])
 *
 * The integer sum is exact on every path: a product is at most 255 · 127 = 32,385 in magnitude, `vpdpbusd` adds four
 * of them (≤ 129,540) to its int32 lane without intermediate saturation (unlike `vpmaddubsw`, whose int16 pair sums
 * saturate, and `vpdpbusds`, which saturates the accumulator), and k ≤ VOX_I8_MAX_K keeps every partial sum far inside
 * int32. The float epilogue is one fixed sequence (convert, multiply the two scales, one fused multiply-add), so every
 * path computes identical bits, and a row's result depends on that row alone. */

size_t vox_i8_packed_bytes(int n, int k) {
    size_t panels = (size_t)(n + VOX_NR - 1) / VOX_NR;
    size_t groups = (size_t)(k + 3) / 4;
    return panels * groups * VOX_NR * 4;
}

int vox_i8_row_stride(int k) { return (k + 63) / 64 * 64; }

void vox_i8_pack(const float *w, int n, int k, int8_t *packed, float *scales, int32_t *sums) {
    int panels = (n + VOX_NR - 1) / VOX_NR;
    int groups = (k + 3) / 4;
    memset(packed, 0, vox_i8_packed_bytes(n, k));
    for (int j = 0; j < panels * VOX_NR; j++) {
        if (j >= n) {
            scales[j] = 0.0f;
            sums[j] = 0;
            continue;
        }
        const float *row = w + (size_t)j * k;
        float largest = 0.0f;
        for (int kk = 0; kk < k; kk++) largest = fabsf(row[kk]) > largest ? fabsf(row[kk]) : largest;
        float scale = largest > 0.0f ? largest / 127.0f : 1.0f;
        float inverse = 1.0f / scale;
        int32_t sum = 0;
        int8_t *panel = packed + (size_t)(j / VOX_NR) * groups * VOX_NR * 4;
        for (int kk = 0; kk < k; kk++) {
            float v = rintf(row[kk] * inverse);
            int q = v > 127.0f ? 127 : (v < -127.0f ? -127 : (int)v);
            panel[(size_t)(kk / 4) * VOX_NR * 4 + (j % VOX_NR) * 4 + kk % 4] = (int8_t)q;
            sum += q;
        }
        scales[j] = scale;
        sums[j] = sum;
    }
}

/* One row's scale and zero point: the range [min(0, lo), max(0, hi)] spread over 0 … 255. */
static inline void row_range(float lo, float hi, float *scale, float *inverse, int32_t *zero) {
    lo = lo < 0.0f ? lo : 0.0f;
    hi = hi > 0.0f ? hi : 0.0f;
    if (!(hi > lo)) {
        *scale = 1.0f;
        *inverse = 1.0f;
        *zero = 0;
        return;
    }
    *scale = (hi - lo) / 255.0f;
    *inverse = 1.0f / *scale;
    float z = rintf(-lo * *inverse);
    *zero = z > 255.0f ? 255 : (int32_t)z;
}

static inline uint8_t quantize_scalar(float x, float inverse, int32_t zero) {
    float v = rintf(x * inverse) + (float)zero;
    return (uint8_t)(v < 0.0f ? 0 : (v > 255.0f ? 255 : (int)v));
}

void vox_i8_quantize_rows_portable(int m, int k, const float *a, int lda, uint8_t *q, int ldq, float *scale,
                                   int32_t *zero) {
    for (int i = 0; i < m; i++) {
        const float *row = a + (size_t)i * lda;
        float lo = 0.0f, hi = 0.0f;
        for (int kk = 0; kk < k; kk++) {
            lo = row[kk] < lo ? row[kk] : lo;
            hi = row[kk] > hi ? row[kk] : hi;
        }
        float inverse;
        row_range(lo, hi, &scale[i], &inverse, &zero[i]);
        uint8_t *out = q + (size_t)i * ldq;
        for (int kk = 0; kk < k; kk++) out[kk] = quantize_scalar(row[kk], inverse, zero[i]);
        for (int kk = k; kk < ldq; kk++) out[kk] = 0;
    }
}

__attribute__((target("avx512f,avx512bw"))) void vox_i8_quantize_rows_avx512(int m, int k, const float *a, int lda,
                                                                           uint8_t *q, int ldq, float *scale,
                                                                           int32_t *zero) {
    for (int i = 0; i < m; i++) {
        const float *row = a + (size_t)i * lda;
        __m512 lo = _mm512_setzero_ps(), hi = _mm512_setzero_ps();
        int kk = 0;
        for (; kk + 16 <= k; kk += 16) {
            __m512 v = _mm512_loadu_ps(row + kk);
            lo = _mm512_min_ps(lo, v);
            hi = _mm512_max_ps(hi, v);
        }
        float low = _mm512_reduce_min_ps(lo), high = _mm512_reduce_max_ps(hi);
        for (; kk < k; kk++) {
            low = row[kk] < low ? row[kk] : low;
            high = row[kk] > high ? row[kk] : high;
        }
        float inverse;
        row_range(low, high, &scale[i], &inverse, &zero[i]);
        __m512 inv = _mm512_set1_ps(inverse);
        __m512i z = _mm512_set1_epi32(zero[i]);
        uint8_t *out = q + (size_t)i * ldq;
        for (kk = 0; kk + 16 <= k; kk += 16) {
            __m512 v = _mm512_mul_ps(_mm512_loadu_ps(row + kk), inv);
            __m512i r = _mm512_cvt_roundps_epi32(v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
            r = _mm512_add_epi32(r, z);
            r = _mm512_min_epi32(_mm512_max_epi32(r, _mm512_setzero_si512()), _mm512_set1_epi32(255));
            _mm_storeu_si128((__m128i *)(out + kk), _mm512_cvtepi32_epi8(r));
        }
        for (; kk < k; kk++) out[kk] = quantize_scalar(row[kk], inverse, zero[i]);
        for (kk = k; kk < ldq; kk++) out[kk] = 0;
    }
}

/* The shared float epilogue: identical on every path. */
static inline float epilogue_scalar(int32_t dot, int32_t zero, int32_t sum, float row_scale, float column_scale,
                                    float bias) {
    float scale = row_scale * column_scale;
    return fmaf((float)(dot - zero * sum), scale, bias);
}

void vox_i8_gemm_portable(int m, int k, const uint8_t *q, int ldq, const float *row_scale, const int32_t *row_zero,
                          const int8_t *packed, const float *column_scale, const int32_t *column_sum,
                          const float *bias, int n, int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    int groups = (k + 3) / 4;
    for (int p = panel_begin; p < panel_end; p++) {
        const int8_t *panel = packed + (size_t)p * groups * VOX_NR * 4;
        int columns = n - p * VOX_NR < VOX_NR ? n - p * VOX_NR : VOX_NR;
        for (int i = 0; i < m; i++) {
            const uint8_t *row = q + (size_t)i * ldq;
            for (int j = 0; j < columns; j++) {
                int32_t dot = 0;
                for (int g = 0; g < groups; g++)
                    for (int t = 0; t < 4; t++)
                        dot += (int32_t)row[4 * g + t] * (int32_t)panel[(size_t)g * VOX_NR * 4 + j * 4 + t];
                int column = p * VOX_NR + j;
                float v = epilogue_scalar(dot, row_zero[i], column_sum[column], row_scale[i], column_scale[column],
                                          bias ? bias[column] : 0.0f);
                c[(size_t)i * ldc + column] = gelu ? vox_gelu_scalar(v) : v;
            }
        }
    }
}
