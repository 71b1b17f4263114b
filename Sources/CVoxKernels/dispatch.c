#include "VoxKernels.h"
#include "internal.h"
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int forced = -1;

/* The fp32 kernels need AVX-512F at most: levels 3 and 4 add instructions only the low-precision kernels use. */
static int fp32_level(void) {
    int level = vox_kernel_level();
    return level > 2 ? 2 : level;
}

static int detected = -1;

int vox_kernel_level(void) {
    if (forced >= 0) return forced;
    if (detected < 0) {
        __builtin_cpu_init();
        int level = 0;
        if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) level = 1;
        if (level == 1 && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) level = 2;
        if (level == 2 && __builtin_cpu_supports("avx512vnni")) level = 3;
        /* Native BF16 only where it reproduces the emulation's bits (the instruction's documented semantics). */
        if (level == 3 && __builtin_cpu_supports("avx512bf16") && vox_bf16_native_probe()) level = 4;
        detected = level;
    }
    return detected;
}

int vox_detected_kernel_level(void) {
    int saved = forced;
    forced = -1;
    int level = vox_kernel_level();
    forced = saved;
    return level;
}

void vox_force_kernel_level(int level) {
    int highest = vox_detected_kernel_level();
    forced = level > highest ? highest : level;
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
    switch (fp32_level()) {
    case 2: vox_gemm_avx512(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu); break;
    case 1: vox_gemm_avx2(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu); break;
    default: vox_gemm_portable(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu); break;
    }
}

void vox_gelu(float *x, size_t count) {
    switch (fp32_level()) {
    case 2: vox_gelu_avx512(x, count); break;
    default: vox_gelu_portable(x, count); break;
    }
}

void vox_add_layer_norm(float *x, const float *residual, int rows, int width, const float *gamma, const float *beta,
                        float epsilon) {
    if (fp32_level() == 2 && width % 16 == 0)
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
    if (fp32_level() == 2 && (hidden / heads) % 16 == 0)
        vox_attention_avx512(qkv, tokens, hidden, heads, context, scratch, probabilities);
    else
        vox_attention_portable(qkv, tokens, hidden, heads, context, scratch, probabilities);
}

void vox_gelu_backward(const float *x, float *dy, size_t count) {
    if (fp32_level() == 2) vox_gelu_backward_avx512(x, dy, count);
    else vox_gelu_backward_portable(x, dy, count);
}

/* int8 (see gemm_int8.c). */
void vox_i8_quantize_rows(int m, int k, const float *a, int lda, uint8_t *q, int ldq, float *scale, int32_t *zero) {
    if (vox_kernel_level() >= 2) vox_i8_quantize_rows_avx512(m, k, a, lda, q, ldq, scale, zero);
    else vox_i8_quantize_rows_portable(m, k, a, lda, q, ldq, scale, zero);
}

void vox_i8_gemm(int m, int k, const uint8_t *q, int ldq, const float *row_scale, const int32_t *row_zero,
                 const int8_t *packed, const float *column_scale, const int32_t *column_sum, const float *bias, int n,
                 int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    if (vox_kernel_level() >= 3)
        vox_i8_gemm_vnni(m, k, q, ldq, row_scale, row_zero, packed, column_scale, column_sum, bias, n, panel_begin,
                         panel_end, c, ldc, gelu);
    else
        vox_i8_gemm_portable(m, k, q, ldq, row_scale, row_zero, packed, column_scale, column_sum, bias, n,
                             panel_begin, panel_end, c, ldc, gelu);
}

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Times the native and the emulated BF16 kernels on one projection-sized block (best of five each). Some CPUs
 * implement vdpbf16ps at a fraction of their FMA rate (measured: a quarter of the instructions per second of
 * vfmadd231ps, half its multiply-adds), so the emulation can be the faster path; both give the same bits (the
 * probe checked), so choosing by speed changes no result. */
static int native_faster = 0;
static void measure_bf16_paths(void) {
    enum { M = 48, K = 384, N = 96 };
    float *w = malloc(sizeof(float) * N * K), *a = malloc(sizeof(float) * M * K);
    float *rounded = malloc(sizeof(float) * M * K), *pairs = malloc(sizeof(float) * M * K);
    float *c = malloc(sizeof(float) * M * N);
    uint16_t *packed = malloc(sizeof(uint16_t) * 3 * 32 * (K / 2) * 2);
    if (!w || !a || !rounded || !pairs || !c || !packed) goto done;
    for (int i = 0; i < N * K; i++) w[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
    for (int i = 0; i < M * K; i++) a[i] = (float)((i * 53) % 97) / 97.0f - 0.5f;
    vox_bf16_pack(w, N, K, packed);
    vox_bf16_round_rows_avx512(M, K, a, K, rounded, K, 0);
    vox_bf16_round_rows_avx512(M, K, a, K, pairs, K, 1);
    double best[2] = {1e30, 1e30};
    for (int round = 0; round < 5; round++) {
        for (int path = 0; path < 2; path++) {
            double start = seconds_now();
            for (int rep = 0; rep < 4; rep++) {
                if (path) vox_bf16_gemm_native(M, K, pairs, K, packed, NULL, N, 0, 3, c, N, 0);
                else vox_bf16_gemm_emu(M, K, rounded, K, packed, NULL, N, 0, 3, c, N, 0);
            }
            double elapsed = seconds_now() - start;
            if (elapsed < best[path]) best[path] = elapsed;
        }
    }
    native_faster = best[1] < best[0];
done:
    free(w), free(a), free(rounded), free(pairs), free(c), free(packed);
}

static pthread_once_t bf16_measured = PTHREAD_ONCE_INIT;

/* Whether BF16 runs on vdpbf16ps: where the CPU has it (level 4) and it is faster here, or a test forces level 4. */
static int bf16_native(void) {
    int level = vox_kernel_level();
    if (level < 4) return 0;
    if (forced >= 4) return 1;
    pthread_once(&bf16_measured, measure_bf16_paths);
    return native_faster;
}

int vox_bf16_native_in_use(void) { return bf16_native(); }

/* BF16 (see gemm_bf16.c). */
void vox_bf16_round_rows(int m, int k, const float *a, int lda, float *out, int ldo) {
    int level = vox_kernel_level();
    if (level >= 2) vox_bf16_round_rows_avx512(m, k, a, lda, out, ldo, bf16_native());
    else vox_bf16_round_rows_portable(m, k, a, lda, out, ldo);
}

void vox_bf16_gemm(int m, int k, const float *a, int lda, const uint16_t *packed, const float *bias, int n,
                   int panel_begin, int panel_end, float *c, int ldc, int gelu) {
    int level = vox_kernel_level();
    if (bf16_native()) vox_bf16_gemm_native(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu);
    else if (level >= 2) vox_bf16_gemm_emu(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu);
    else vox_bf16_gemm_portable(m, k, a, lda, packed, bias, n, panel_begin, panel_end, c, ldc, gelu);
}

/* Runs the native and the emulated BF16 kernels on the same inputs (random ones, and a case where one rounding of the
 * pair's sum differs from two), and says whether every result bit agrees. */
int vox_bf16_native_probe(void) {
    enum { M = 13, K = 70, N = 40 };
    float w[N * K], a[M * K], bias[N], rounded[M * 80], pairs[M * 80], c0[M * N], c1[M * N];
    uint16_t packed[2 * 32 * 35 * 2];
    uint32_t state = 12345u;
    for (int i = 0; i < N * K; i++) {
        state = state * 1664525u + 1013904223u;
        w[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * (float)(1 + (state & 7));
    }
    for (int i = 0; i < M * K; i++) {
        state = state * 1664525u + 1013904223u;
        a[i] = ((float)(state >> 8) / 16777216.0f - 0.5f) * (float)(1 + (state & 3));
    }
    for (int j = 0; j < N; j++) bias[j] = (float)j * 0.25f - 3.0f;
    /* Row 0, column 0: bias 1, first pair 2^-24 (a tie with one rounding per step) then 2^-30. */
    for (int kk = 0; kk < K; kk++) {
        a[kk] = 0.0f;
        w[kk] = 0.0f;
    }
    bias[0] = 1.0f;
    a[1] = 1.0f / 4096.0f;
    w[1] = 1.0f / 4096.0f;
    a[0] = 1.0f / 32768.0f;
    w[0] = 1.0f / 32768.0f;
    vox_bf16_pack(w, N, K, packed);
    vox_bf16_round_rows_avx512(M, K, a, K, rounded, 80, 0);
    vox_bf16_round_rows_avx512(M, K, a, K, pairs, 80, 1);
    vox_bf16_gemm_emu(M, K, rounded, 80, packed, bias, N, 0, 2, c0, N, 0);
    vox_bf16_gemm_native(M, K, pairs, 80, packed, bias, N, 0, 2, c1, N, 0);
    return memcmp(c0, c1, sizeof c0) == 0;
}
