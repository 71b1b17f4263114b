#ifndef VOX_KERNELS_H
#define VOX_KERNELS_H
#include <stddef.h>

/* Vox's hand-written kernels, each with AVX-512, AVX2+FMA and portable paths chosen at run time.
 *
 * Every path computes every output element with the same sequence of fused multiply-adds (bias first, then
 * k = 0, 1, …), so results are bitwise identical whatever the matrix height, the element's row, the thread
 * split or the CPU: the property that makes Vox's inference batch-invariant. */

/// Floats needed to pack an n × k weight matrix (n rounded up to a multiple of 32).
size_t vox_packed_count(int n, int k);

/// Packs row-major w[n][k] (PyTorch's Linear layout) into 32-column panels: packed[p][k][j] = w[32p + j][k].
void vox_pack(const float *w, int n, int k, float *packed);

/// c[i][j] = bias[j] + Σ_k a[i][k] · w[j][k] for rows 0..<m and columns of panels [panel_begin, panel_end).
/// `bias` may be NULL (zero). `gelu` non-zero applies exact-GELU (erf form) to the results.
void vox_gemm(int m, int k, const float *a, int lda, const float *packed, const float *bias, int n,
              int panel_begin, int panel_end, float *c, int ldc, int gelu);

/// GELU in place, x · ½(1 + erf(x/√2)), with a rational erf approximation (|error| < 4e-7).
void vox_gelu(float *x, size_t count);

/// x[i] = LayerNorm(x[i] + residual[i]) for each of `rows` rows of `width` (residual may be NULL).
/// Sums run in 16 lanes reduced in a fixed order, identically on every path.
void vox_add_layer_norm(float *x, const float *residual, int rows, int width, const float *gamma, const float *beta,
                        float epsilon);

/// Floats of scratch `vox_attention` needs for sequences of up to `tokens` tokens and head width `head`.
size_t vox_attention_scratch(int tokens, int head);

/// Multi-head scaled dot-product attention of one unpadded sequence. `qkv` is [tokens][3·hidden] (Q, K, V side
/// by side, heads contiguous within each), `context` receives [tokens][hidden]. When `probabilities` is not NULL
/// it receives [heads][tokens][tokens]. Every path computes identical bits.
void vox_attention(const float *qkv, int tokens, int hidden, int heads, float *context, float *scratch,
                   float *probabilities);

/// dy[i] *= GELU'(x[i]), the derivative of the same GELU as `vox_gelu` (for backpropagation).
void vox_gelu_backward(const float *x, float *dy, size_t count);

/// The path in use: 2 = AVX-512, 1 = AVX2+FMA, 0 = portable.
int vox_kernel_level(void);

/// Forces a path (tests compare them); -1 returns to automatic choice.
void vox_force_kernel_level(int level);
#endif
