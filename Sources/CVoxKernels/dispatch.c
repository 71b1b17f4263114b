#include "VoxKernels.h"
#include "internal.h"

static int forced = -1;

int vox_kernel_level(void) {
    if (forced >= 0) return forced;
    static int detected = -1;
    if (detected < 0) {
        __builtin_cpu_init();
        if (__builtin_cpu_supports("avx512f")) detected = 2;
        else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) detected = 1;
        else detected = 0;
    }
    return detected;
}

void vox_force_kernel_level(int level) {
    forced = level > 2 ? 2 : level;
}

size_t vox_packed_count(int n, int k) {
    size_t panels = (size_t)(n + VOX_NR - 1) / VOX_NR;
    return panels * (size_t)k * VOX_NR;
}

void vox_pack(const float *w, int n, int k, float *packed) {
    int panels = (n + VOX_NR - 1) / VOX_NR;
    for (int p = 0; p < panels; p++) {
        float *out = packed + (size_t)p * k * VOX_NR;
        for (int kk = 0; kk < k; kk++) {
            for (int j = 0; j < VOX_NR; j++) {
                int row = p * VOX_NR + j;
                out[(size_t)kk * VOX_NR + j] = row < n ? w[(size_t)row * k + kk] : 0.0f;
            }
        }
    }
}

void vox_gemm(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
              int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    switch (vox_kernel_level()) {
    case 2: vox_gemm_avx512(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu); break;
    case 1: vox_gemm_avx2(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu); break;
    default: vox_gemm_portable(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu); break;
    }
}

void vox_gelu(float *x, size_t count) {
    switch (vox_kernel_level()) {
    case 2: vox_gelu_avx512(x, count); break;
    default: vox_gelu_portable(x, count); break;
    }
}

void vox_add_layer_norm(float *x, const float *residual, int rows, int width, const float *gamma, const float *beta,
                        float epsilon) {
    if (vox_kernel_level() == 2 && width % 16 == 0)
        vox_layer_norm_avx512(x, residual, rows, width, gamma, beta, epsilon);
    else
        vox_layer_norm_portable(x, residual, rows, width, gamma, beta, epsilon);
}

size_t vox_attention_scratch(int tokens, int head) {
    size_t padded = (size_t)(tokens + 15) / 16 * 16;
    return padded * (size_t)head + padded;
}

void vox_attention(const float *qkv, int tokens, int hidden, int heads, float *context, float *scratch,
                   float *probabilities) {
    if (vox_kernel_level() == 2 && (hidden / heads) % 16 == 0)
        vox_attention_avx512(qkv, tokens, hidden, heads, context, scratch, probabilities);
    else
        vox_attention_portable(qkv, tokens, hidden, heads, context, scratch, probabilities);
}

void vox_gelu_backward(const float *x, float *dy, size_t count) {
    if (vox_kernel_level() == 2) vox_gelu_backward_avx512(x, dy, count);
    else vox_gelu_backward_portable(x, dy, count);
}
