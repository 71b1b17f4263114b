#ifndef VOX_AVX512_MATH_H
#define VOX_AVX512_MATH_H
#include <immintrin.h>
#include "internal.h"

/* The AVX-512 versions of internal.h's scalar erf, GELU and exp: the same operations in the same order. */
#define VOX_AVX512 __attribute__((target("avx512f,fma")))

static inline VOX_AVX512 __m512 erf512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(-4.0f)), _mm512_set1_ps(4.0f));
    __m512 x2 = _mm512_mul_ps(x, x);
    __m512 p = _mm512_fmadd_ps(x2, _mm512_set1_ps(VOX_ERF_P13), _mm512_set1_ps(VOX_ERF_P11));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(VOX_ERF_P9));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(VOX_ERF_P7));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(VOX_ERF_P5));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(VOX_ERF_P3));
    p = _mm512_fmadd_ps(x2, p, _mm512_set1_ps(VOX_ERF_P1));
    p = _mm512_mul_ps(x, p);
    __m512 q = _mm512_fmadd_ps(x2, _mm512_set1_ps(VOX_ERF_Q8), _mm512_set1_ps(VOX_ERF_Q6));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(VOX_ERF_Q4));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(VOX_ERF_Q2));
    q = _mm512_fmadd_ps(x2, q, _mm512_set1_ps(VOX_ERF_Q0));
    return _mm512_div_ps(p, q);
}

static inline VOX_AVX512 __m512 gelu512(__m512 v) {
    __m512 erf = erf512(_mm512_mul_ps(v, _mm512_set1_ps(VOX_RSQRT2)));
    return _mm512_mul_ps(_mm512_mul_ps(_mm512_set1_ps(0.5f), v), _mm512_add_ps(_mm512_set1_ps(1.0f), erf));
}

static inline VOX_AVX512 __m512 exp512(__m512 x) {
    x = _mm512_min_ps(_mm512_max_ps(x, _mm512_set1_ps(VOX_EXP_LO)), _mm512_set1_ps(VOX_EXP_HI));
    __m512 n = _mm512_roundscale_ps(_mm512_fmadd_ps(x, _mm512_set1_ps(VOX_LOG2E), _mm512_set1_ps(0.5f)),
                                    _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC);
    x = _mm512_fmadd_ps(n, _mm512_set1_ps(-VOX_EXP_C1), x);
    x = _mm512_fmadd_ps(n, _mm512_set1_ps(-VOX_EXP_C2), x);
    __m512 p = _mm512_fmadd_ps(_mm512_set1_ps(VOX_EXP_P0), x, _mm512_set1_ps(VOX_EXP_P1));
    p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(VOX_EXP_P2));
    p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(VOX_EXP_P3));
    p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(VOX_EXP_P4));
    p = _mm512_fmadd_ps(p, x, _mm512_set1_ps(VOX_EXP_P5));
    __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(x, x), x), _mm512_set1_ps(1.0f));
    __m512i bits = _mm512_slli_epi32(_mm512_add_epi32(_mm512_cvtps_epi32(n), _mm512_set1_epi32(127)), 23);
    return _mm512_mul_ps(y, _mm512_castsi512_ps(bits));
}

#endif
