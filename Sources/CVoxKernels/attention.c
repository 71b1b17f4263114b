#include "avx512_math.h"

/* Per head: scores[i][j] = (Σ_t q[i][t]·k[j][t]) · scale, an FMA chain over t ascending; softmax with the row
   maximum subtracted, exp as above, the sum in 16 lanes; context[i][t] = Σ_j p[i][j]·v[j][t], j ascending. */

void vox_attention_portable(const float *qkv, int tokens, int hidden, int heads, float *context, float *scratch,
                            float *probabilities) {
    int d = hidden / heads, stride = 3 * hidden;
    float scale = 1.0f / sqrtf((float)d);
    float *row = scratch;
    for (int h = 0; h < heads; h++) {
        const float *q = qkv + h * d, *k = qkv + hidden + h * d, *v = qkv + 2 * hidden + h * d;
        for (int i = 0; i < tokens; i++) {
            float maximum = -INFINITY;
            for (int j = 0; j < tokens; j++) {
                float acc = 0.0f;
                for (int t = 0; t < d; t++) acc = fmaf(q[(size_t)i * stride + t], k[(size_t)j * stride + t], acc);
                row[j] = acc * scale;
                maximum = row[j] > maximum ? row[j] : maximum;
            }
            float lanes[16] = {0};
            for (int j = 0; j < tokens; j++) {
                row[j] = vox_exp_scalar(row[j] - maximum);
                lanes[j % 16] = lanes[j % 16] + row[j];
            }
            float inverse = 1.0f / vox_reduce16(lanes);
            for (int j = 0; j < tokens; j++) row[j] = row[j] * inverse;
            if (probabilities)
                for (int j = 0; j < tokens; j++) probabilities[((size_t)h * tokens + i) * tokens + j] = row[j];
            for (int t = 0; t < d; t++) {
                float acc = 0.0f;
                for (int j = 0; j < tokens; j++) acc = fmaf(row[j], v[(size_t)j * stride + t], acc);
                context[(size_t)i * hidden + h * d + t] = acc;
            }
        }
    }
}

VOX_AVX512 void vox_attention_avx512(const float *qkv, int tokens, int hidden, int heads, float *context,
                                     float *scratch, float *probabilities) {
    int d = hidden / heads, stride = 3 * hidden;
    int padded = (tokens + 15) / 16 * 16, blocks = padded / 16;
    float scale = 1.0f / sqrtf((float)d);
    float *kt = scratch;                       /* [d][padded]: K of this head, transposed */
    float *row = scratch + (size_t)d * padded; /* [padded] */
    for (int h = 0; h < heads; h++) {
        const float *q = qkv + h * d, *k = qkv + hidden + h * d, *v = qkv + 2 * hidden + h * d;
        for (int t = 0; t < d; t++) {
            for (int j = 0; j < tokens; j++) kt[(size_t)t * padded + j] = k[(size_t)j * stride + t];
            for (int j = tokens; j < padded; j++) kt[(size_t)t * padded + j] = 0.0f;
        }
        __mmask16 last = (__mmask16)(tokens % 16 == 0 ? 0xFFFF : (1u << (tokens % 16)) - 1);
        for (int i = 0; i < tokens; i++) {
            const float *qi = q + (size_t)i * stride;
            __m512 maximum = _mm512_set1_ps(-INFINITY);
            for (int b = 0; b < blocks; b++) {
                __m512 acc = _mm512_setzero_ps();
                for (int t = 0; t < d; t++)
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(qi[t]), _mm512_loadu_ps(kt + (size_t)t * padded + 16 * b), acc);
                acc = _mm512_mul_ps(acc, _mm512_set1_ps(scale));
                _mm512_storeu_ps(row + 16 * b, acc);
                __mmask16 valid = b == blocks - 1 ? last : (__mmask16)0xFFFF;
                maximum = _mm512_mask_max_ps(maximum, valid, maximum, acc);
            }
            __m512 rowMax = _mm512_set1_ps(_mm512_reduce_max_ps(maximum));
            __m512 sum = _mm512_setzero_ps();
            for (int b = 0; b < blocks; b++) {
                __mmask16 valid = b == blocks - 1 ? last : (__mmask16)0xFFFF;
                __m512 e = _mm512_maskz_mov_ps(valid, exp512(_mm512_sub_ps(_mm512_loadu_ps(row + 16 * b), rowMax)));
                _mm512_storeu_ps(row + 16 * b, e);
                sum = _mm512_add_ps(sum, e);
            }
            float lanes[16];
            _mm512_storeu_ps(lanes, sum);
            __m512 inverse = _mm512_set1_ps(1.0f / vox_reduce16(lanes));
            for (int b = 0; b < blocks; b++) _mm512_storeu_ps(row + 16 * b, _mm512_mul_ps(_mm512_loadu_ps(row + 16 * b), inverse));
            if (probabilities)
                for (int j = 0; j < tokens; j++) probabilities[((size_t)h * tokens + i) * tokens + j] = row[j];
            float *out = context + (size_t)i * hidden + h * d;
            for (int t0 = 0; t0 < d; t0 += 16) {
                __m512 acc = _mm512_setzero_ps();
                for (int j = 0; j < tokens; j++)
                    acc = _mm512_fmadd_ps(_mm512_set1_ps(row[j]), _mm512_loadu_ps(v + (size_t)j * stride + t0), acc);
                _mm512_storeu_ps(out + t0, acc);
            }
        }
    }
}

/* GELU'(v) = Φ(v) + v·φ(v), with the same erf and exp as the forward kernels (training only). */
VOX_AVX512 void vox_gelu_backward_avx512(const float *x, float *dy, size_t count) {
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        __m512 v = _mm512_loadu_ps(x + i);
        __m512 cdf = _mm512_mul_ps(_mm512_set1_ps(0.5f), _mm512_add_ps(_mm512_set1_ps(1.0f), erf512(_mm512_mul_ps(v, _mm512_set1_ps(VOX_RSQRT2)))));
        __m512 pdf = _mm512_mul_ps(_mm512_set1_ps(0.3989422804014327f),
                                   exp512(_mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(-0.5f), v), v)));
        __m512 grad = _mm512_add_ps(cdf, _mm512_mul_ps(v, pdf));
        _mm512_storeu_ps(dy + i, _mm512_mul_ps(_mm512_loadu_ps(dy + i), grad));
    }
    if (i < count) vox_gelu_backward_portable(x + i, dy + i, count - i);
}
