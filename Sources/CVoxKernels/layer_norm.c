#include <immintrin.h>
#include "internal.h"


void vox_layer_norm_portable(float *x, const float *residual, int rows, int width, const float *gamma,
                             const float *beta, float epsilon) {
    for (int r = 0; r < rows; r++) {
        float *v = x + (size_t)r * width;
        if (residual)
            for (int i = 0; i < width; i++) v[i] = v[i] + residual[(size_t)r * width + i];
        float lanes[16] = {0};
        for (int i = 0; i < width; i++) lanes[i % 16] = lanes[i % 16] + v[i];
        float mean = vox_reduce16(lanes) / (float)width;
        float squares[16] = {0};
        for (int i = 0; i < width; i++) {
            float centred = v[i] - mean;
            squares[i % 16] = squares[i % 16] + centred * centred;
        }
        float inverse = 1.0f / sqrtf(vox_reduce16(squares) / (float)width + epsilon);
        for (int i = 0; i < width; i++) v[i] = ((v[i] - mean) * inverse) * gamma[i] + beta[i];
    }
}

__attribute__((target("avx512f"))) void vox_layer_norm_avx512(float *x, const float *residual, int rows, int width,
                                                              const float *gamma, const float *beta, float epsilon) {
    for (int r = 0; r < rows; r++) {
        float *v = x + (size_t)r * width;
        __m512 sum = _mm512_setzero_ps();
        for (int i = 0; i < width; i += 16) {
            __m512 value = _mm512_loadu_ps(v + i);
            if (residual) {
                value = _mm512_add_ps(value, _mm512_loadu_ps(residual + (size_t)r * width + i));
                _mm512_storeu_ps(v + i, value);
            }
            sum = _mm512_add_ps(sum, value);
        }
        float lanes[16];
        _mm512_storeu_ps(lanes, sum);
        __m512 mean = _mm512_set1_ps(vox_reduce16(lanes) / (float)width);
        __m512 squares = _mm512_setzero_ps();
        for (int i = 0; i < width; i += 16) {
            __m512 centred = _mm512_sub_ps(_mm512_loadu_ps(v + i), mean);
            squares = _mm512_add_ps(squares, _mm512_mul_ps(centred, centred));
        }
        _mm512_storeu_ps(lanes, squares);
        __m512 inverse = _mm512_set1_ps(1.0f / sqrtf(vox_reduce16(lanes) / (float)width + epsilon));
        for (int i = 0; i < width; i += 16) {
            __m512 normal = _mm512_mul_ps(_mm512_sub_ps(_mm512_loadu_ps(v + i), mean), inverse);
            __m512 out = _mm512_add_ps(_mm512_mul_ps(normal, _mm512_loadu_ps(gamma + i)), _mm512_loadu_ps(beta + i));
            _mm512_storeu_ps(v + i, out);
        }
    }
}
