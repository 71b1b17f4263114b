#include <float.h>
#include <stdint.h>
#include <string.h>
#include "internal.h"

/* BF16 projections with FP32 accumulation, defined by the semantics of AVX-512 BF16's `vdpbf16ps`: per output
 * element, bias first, then for each pair of k (2g, 2g + 1): acc += a[2g+1]·w[2g+1], then acc += a[2g]·w[2g], each
 * a fused multiply-add rounded to nearest even with denormal results flushed to zero. Weights are rounded to BF16 once
 * at packing, activations per row just before the projection (round to nearest even, denormals to signed zero), so
 * no input is ever denormal. The portable path, the AVX-512F emulation and the native instruction compute the same
 * bits (the native one only where a probe at start-up shows it does; see dispatch.c).
 *
 * Packed weights: 32-column panels of k pairs, packed[p][g][j][2] = bf16(w[32p + j][2g … 2g + 1]).
 * Row buffers hold, per row, k rounded up to VOX_BF16_ROW floats: the rounded values as floats on the portable and
 * emulated paths, BF16 pairs (one per float slot, the rest unused) on the native path. */

uint16_t vox_bf16_from_float(float f) {
    uint32_t bits;
    memcpy(&bits, &f, 4);
    if ((bits & 0x7F800000u) == 0) return (uint16_t)((bits >> 16) & 0x8000u);                /* zero, denormal */
    if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (uint16_t)((bits >> 16) | 0x0040u);     /* NaN, quietened */
    bits += 0x7FFFu + ((bits >> 16) & 1u);
    return (uint16_t)(bits >> 16);
}

float vox_float_from_bf16(uint16_t h) {
    uint32_t bits = (uint32_t)h << 16;
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

size_t vox_bf16_packed_count(int n, int k) {
    size_t panels = (size_t)(n + VOX_NR - 1) / VOX_NR;
    size_t pairs = (size_t)(k + 1) / 2;
    return panels * pairs * VOX_NR * 2;
}

int vox_bf16_row_stride(int k) { return (k + VOX_BF16_ROW - 1) / VOX_BF16_ROW * VOX_BF16_ROW; }

void vox_bf16_pack(const float *w, int n, int k, uint16_t *packed) {
    int pairs = (k + 1) / 2;
    memset(packed, 0, vox_bf16_packed_count(n, k) * sizeof(uint16_t));
    for (int j = 0; j < n; j++) {
        uint16_t *panel = packed + (size_t)(j / VOX_NR) * pairs * VOX_NR * 2;
        for (int kk = 0; kk < k; kk++)
            panel[(size_t)(kk / 2) * VOX_NR * 2 + (j % VOX_NR) * 2 + kk % 2] = vox_bf16_from_float(w[(size_t)j * k + kk]);
    }
}

float vox_bf16_flush(float x) { return fabsf(x) < FLT_MIN ? copysignf(0.0f, x) : x; }

void vox_bf16_round_rows_portable(int m, int k, const float *a, int lda, float *out, int ldo) {
    for (int i = 0; i < m; i++) {
        for (int kk = 0; kk < k; kk++) out[(size_t)i * ldo + kk] = vox_float_from_bf16(vox_bf16_from_float(a[(size_t)i * lda + kk]));
        for (int kk = k; kk < ldo; kk++) out[(size_t)i * ldo + kk] = 0.0f;
    }
}

void vox_bf16_gemm_portable(int m, int k, const float *a, int lda, const uint16_t *packed, const float *bias, int n,
                            int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    int pairs = (k + 1) / 2;
    for (int p = panel_begin; p < panel_end; p++) {
        const uint16_t *panel = packed + (size_t)p * pairs * VOX_NR * 2;
        int columns = n - p * VOX_NR < VOX_NR ? n - p * VOX_NR : VOX_NR;
        for (int i = 0; i < m; i++) {
            const float *row = a + (size_t)i * lda;
            for (int j = 0; j < columns; j++) {
                float acc = bias ? vox_bf16_flush(bias[p * VOX_NR + j]) : 0.0f;
                for (int g = 0; g < pairs; g++) {
                    const uint16_t *w = panel + (size_t)g * VOX_NR * 2 + j * 2;
                    acc = vox_bf16_flush(fmaf(row[2 * g + 1], vox_float_from_bf16(w[1]), acc));
                    acc = vox_bf16_flush(fmaf(row[2 * g], vox_float_from_bf16(w[0]), acc));
                }
                c[(size_t)i * ldc + p * VOX_NR + j] = gelu ? vox_gelu_scalar(acc) : acc;
            }
        }
    }
}
