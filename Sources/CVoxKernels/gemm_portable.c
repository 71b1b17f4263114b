#include "internal.h"

/* The reference path: one fused multiply-add chain per element, bias first, k ascending. */
void vox_gemm_portable(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
                       int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    for (int p = panel_begin; p < panel_end; p++) {
        const float *panel = packed + (size_t)p * k * VOX_NR;
        int columns = n - p * VOX_NR < VOX_NR ? n - p * VOX_NR : VOX_NR;
        for (int i = 0; i < m; i++) {
            const float *row = a + (size_t)i * lda;
            for (int j = 0; j < columns; j++) {
                float acc = bias ? bias[p * VOX_NR + j] : 0.0f;
                for (int kk = 0; kk < k; kk++) acc = fmaf(row[kk], panel[(size_t)kk * VOX_NR + j], acc);
                c[(size_t)i * ldc + p * VOX_NR + j] = gelu ? vox_gelu_scalar(acc) : acc;
            }
        }
    }
}

void vox_gelu_portable(float *x, size_t count) {
    for (size_t i = 0; i < count; i++) x[i] = vox_gelu_scalar(x[i]);
}

void vox_gelu_backward_portable(const float *x, float *dy, size_t count) {
    for (size_t i = 0; i < count; i++) {
        float v = x[i];
        float cdf = 0.5f * (1.0f + vox_erf_scalar(v * VOX_RSQRT2));
        float pdf = 0.3989422804014327f * vox_exp_scalar(-0.5f * v * v);
        dy[i] *= cdf + v * pdf;
    }
}
