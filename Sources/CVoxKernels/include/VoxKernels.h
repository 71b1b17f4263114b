#ifndef VOX_KERNELS_H
#define VOX_KERNELS_H
#include <stddef.h>
#include <stdint.h>

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

/* int8: weights symmetric per output channel, activations asymmetric u8 per row, exact int32 sums (u8 × s8,
 * AVX-512 VNNI's vpdpbusd or portable), one fixed float epilogue: identical bits on every path, rows independent. */

/// The largest k the int8 kernel accepts (keeps every int32 partial sum exact).
#define VOX_I8_MAX_K 16384

/// Bytes to pack an n × k weight matrix as int8 (n rounded up to 32, k to 4).
size_t vox_i8_packed_bytes(int n, int k);

/// Bytes per row of a quantised activation buffer for k inputs (k rounded up to 64).
int vox_i8_row_stride(int k);

/// Quantises row-major w[n][k] per output row (scale = max|w| / 127) into the VNNI panel layout; `scales` and `sums`
/// (Σ_k of the quantised row) receive n rounded up to 32 entries (zero beyond n).
void vox_i8_pack(const float *w, int n, int k, int8_t *packed, float *scales, int32_t *sums);

/// Quantises rows of a[m][k] to u8 with a scale and zero point per row; q has row stride ldq ≥ vox_i8_row_stride(k).
void vox_i8_quantize_rows(int m, int k, const float *a, int lda, uint8_t *q, int ldq, float *scale, int32_t *zero);

/// c[i][j] = bias[j] + scale_i · scale_j · (Σ_k q[i][k] · w[j][k] − zero_i · sum_j) for the panels asked (GELU when asked).
void vox_i8_gemm(int m, int k, const uint8_t *q, int ldq, const float *row_scale, const int32_t *row_zero,
                 const int8_t *packed, const float *column_scale, const int32_t *column_sum, const float *bias, int n,
                 int panel_begin, int panel_end, float *c, int ldc, int gelu);

/* BF16: weights and activations rounded to BF16 (nearest even), FP32 accumulation with vdpbf16ps' semantics. */

/// uint16 elements to pack an n × k weight matrix as BF16 pairs.
size_t vox_bf16_packed_count(int n, int k);

/// Floats per row of a rounded activation buffer for k inputs.
int vox_bf16_row_stride(int k);

/// Rounds row-major w[n][k] to BF16 into 32-column panels of k pairs.
void vox_bf16_pack(const float *w, int n, int k, uint16_t *packed);

/// Rounds rows of a[m][k] to BF16 into `out` (row stride ldo ≥ vox_bf16_row_stride(k)), in the layout the current
/// path's vox_bf16_gemm reads.
void vox_bf16_round_rows(int m, int k, const float *a, int lda, float *out, int ldo);

/// c[i][j] = bias[j] + Σ over k pairs of the rounded products, for the panels asked (GELU when asked).
void vox_bf16_gemm(int m, int k, const float *a, int lda, const uint16_t *packed, const float *bias, int n,
                   int panel_begin, int panel_end, float *c, int ldc, int gelu);

/// The path in use: 4 = AVX-512 with VNNI and native BF16, 3 = AVX-512 with VNNI, 2 = AVX-512, 1 = AVX2+FMA,
/// 0 = portable. fp32 kernels use AVX-512 from 2 up, int8 VNNI from 3, BF16 the native instruction at 4 where it
/// is faster than the emulation (or level 4 is forced), the AVX-512 emulation otherwise from 2.
int vox_kernel_level(void);

/// Whether BF16 products run on vdpbf16ps (1) or the bit-identical AVX-512 / portable emulation (0). At level 4 it
/// is decided once, by timing both paths on one block.
int vox_bf16_native_in_use(void);

/// The path this CPU supports, whatever is forced.
int vox_detected_kernel_level(void);

/// Forces a path at most the detected one (tests compare them); -1 returns to automatic choice.
void vox_force_kernel_level(int level);
/// Dequantises `blocks` Q4_0 blocks (an fp16 scale, then 16 bytes: byte j holds weight j in its low nibble and
/// weight j + 16 in its high nibble, each (nibble - 8) * scale) into out[32 * blocks]; exact in float32.
/// Returns 1 when every value is finite, else 0.
int vox_q4_0_dequantize(const uint8_t *data, size_t blocks, float *out);

#endif
