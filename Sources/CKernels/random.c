// Philox-4x32-10 with Float32 uniforms and Box–Muller normals, written as plain loops over
// blocks that the compiler vectorises for each instruction set (dispatch.h). The latent
// batches of the MLP GANs are 2 × 512 × 256 normals a step, which at SSE2 width cost more than
// the generator's first matrix product.
//
// Bit-identity across variants and with the Swift reference in the tests: contraction into
// FMA is off, the constants are given as bit patterns, and every select and operation order
// matches the reference (Tests/TensorTests/FastMathAccuracyTests.swift).

#include <string.h>
#include "CKernels.h"
#include "dispatch.h"

#pragma clang fp contract(off)

#define PHILOX_M0 0xD2511F53u
#define PHILOX_M1 0xCD9E8D57u
#define PHILOX_W0 0x9E3779B9u
#define PHILOX_W1 0xBB67AE85u

EQ_INLINE float from_bits(uint32_t bits) { float f; memcpy(&f, &bits, 4); return f; }
EQ_INLINE uint32_t to_bits(float f) { uint32_t bits; memcpy(&bits, &f, 4); return bits; }

/// The four words of Philox block `index` of `stream`. The state is kept in 64-bit integers
/// that hold 32-bit values, so the vectorised loop stays in 64-bit lanes where each 32×32→64
/// product is one PMULUDQ; with 32-bit state every round narrowed and widened the products.
EQ_INLINE void philox_block(uint64_t index, uint32_t stream, uint32_t k0, uint32_t k1, uint32_t w[4]) {
    const uint64_t low32 = 0xFFFFFFFFu;
    uint64_t c0 = index & low32, c1 = index >> 32, c2 = stream, c3 = 0;
    uint32_t r0 = k0, r1 = k1;
    for (int round = 0; round < 10; round++) {
        const uint64_t p0 = (c0 & low32) * PHILOX_M0, p1 = (c2 & low32) * PHILOX_M1;
        const uint64_t n0 = (p1 >> 32) ^ c1 ^ r0;
        const uint64_t n2 = (p0 >> 32) ^ c3 ^ r1;
        c1 = p1 & low32;
        c3 = p0 & low32;
        c0 = n0;
        c2 = n2;
        r0 += PHILOX_W0;
        r1 += PHILOX_W1;
    }
    w[0] = (uint32_t)c0; w[1] = (uint32_t)c1; w[2] = (uint32_t)c2; w[3] = (uint32_t)c3;
}

/// Natural log for u ∈ (0, 1]: u = m·2ᵉ with m ∈ [√½, √2), log m = 2·atanh(s),
/// s = (m − 1)/(m + 1), odd series through s⁹ (error < 4e-9). The exponent is read with the
/// 2²³ trick (the bits 0x4B000000 | k are the float 2²³ + k).
EQ_INLINE float log_unit(float u) {
    const uint32_t bits = to_bits(u);
    const float exponent = from_bits((bits >> 23) | 0x4B000000u) - from_bits(0x4B00007Fu);  // 2²³ + 127
    const float mantissa = from_bits((bits & 0x007FFFFFu) | 0x3F800000u);
    const int high = mantissa > from_bits(0x3FB504F3u);  // √2
    const float m = high ? mantissa * 0.5f : mantissa;
    const float e = high ? exponent + 1.0f : exponent;
    const float s = (m - 1.0f) / (m + 1.0f);
    const float s2 = s * s;
    float p = from_bits(0x3E638E39u);      // 2/9
    p = p * s2 + from_bits(0x3E924925u);   // 2/7
    p = p * s2 + from_bits(0x3ECCCCCDu);   // 2/5
    p = p * s2 + from_bits(0x3F2AAAABu);   // 2/3
    p = p * s2 + 2.0f;
    return s * p + e * from_bits(0x3F317218u);  // ln 2
}

/// (sin, cos) of 2π·u for u ∈ [0, 1): quadrant q = ⌊4u⌋, φ = (4u − q)·π/2, Taylor
/// polynomials through φ¹¹ (sin) and φ¹² (cos), error < 6e-8, then the quadrant's swap and
/// signs as selects.
EQ_INLINE void sincos_turns(float u, float *sine, float *cosine) {
    const float scaled = u * 4.0f;
    // ⌊scaled⌋ by round-to-nearest of scaled − ½⁻ through the 1.5·2²³ trick.
    const float magic = 12582912.0f;
    const float q = ((scaled - from_bits(0x3EFFFFFFu)) + magic) - magic;
    const float phi = (scaled - q) * from_bits(0x3FC90FDAu);  // Swift's Float.pi / 2 (rounded down)
    const float x2 = phi * phi;
    float sp = from_bits(0xB2D7322Bu);          // −1/11!
    sp = sp * x2 + from_bits(0x3638EF1Du);      // 1/9!
    sp = sp * x2 + from_bits(0xB9500D01u);      // −1/7!
    sp = sp * x2 + from_bits(0x3C088889u);      // 1/5!
    sp = sp * x2 + from_bits(0xBE2AAAABu);      // −1/3!
    sp = sp * x2 + 1.0f;
    const float s = phi * sp;
    float cp = from_bits(0x310F76C7u);          // 1/12!
    cp = cp * x2 + from_bits(0xB493F27Eu);      // −1/10!
    cp = cp * x2 + from_bits(0x37D00D01u);      // 1/8!
    cp = cp * x2 + from_bits(0xBAB60B61u);      // −1/6!
    cp = cp * x2 + from_bits(0x3D2AAAABu);      // 1/4!
    cp = cp * x2 - 0.5f;
    const float c = cp * x2 + 1.0f;
    const int swap = q == 1.0f || q == 3.0f;
    const float sv = swap ? c : s;
    const float cv = swap ? s : c;
    *sine = q >= 2.0f ? -sv : sv;
    *cosine = (q == 1.0f || q == 2.0f) ? -cv : cv;
}

/// The normal pair from two words: 23 random bits of each as a float in [1, 2);
/// u1 = 2 − that ∈ (0, 1], u2 = that − 1 ∈ [0, 1). Writes (r·cos θ, r·sin θ).
EQ_INLINE void normal_pair(uint32_t w1, uint32_t w2, float mean, float std, float *a, float *b) {
    const float u1 = 2.0f - from_bits((w1 >> 9) | 0x3F800000u);
    const float u2 = from_bits((w2 >> 9) | 0x3F800000u) - 1.0f;
    const float t = -2.0f * log_unit(u1);
    // max(t, 0) as Swift.max writes it (y >= x ? y : x): +0 for t = −0.
    const float clamped = 0.0f >= t ? 0.0f : t;
#if __has_builtin(__builtin_elementwise_sqrt)
    const float r = __builtin_elementwise_sqrt(clamped);  // no errno path: stays a vector sqrt
#else
    const float r = __builtin_sqrtf(clamped);
#endif
    float sine, cosine;
    sincos_turns(u2, &sine, &cosine);
    *a = mean + std * (r * cosine);
    *b = mean + std * (r * sine);
}

/// A word as a uniform in [low, low + scale], capped at `cap` (the largest float below the
/// upper end): low + scale·(w >> 8)·2⁻²⁴, then min(·, cap) as Swift.min writes it.
EQ_INLINE float uniform_word(uint32_t w, float low, float scale, float cap) {
    const float v = low + scale * ((float)(w >> 8) * 0x1p-24f);
    return cap < v ? cap : v;
}

/// The four uniforms of block b (elements 4b ..< 4b + 4; element i is word i).
EQ_INLINE void uniform_block(float *restrict x, uint64_t b, uint32_t stream, uint32_t k0, uint32_t k1,
                             float low, float scale, float cap) {
    uint32_t w[4];
    philox_block(b, stream, k0, k1, w);
    for (int j = 0; j < 4; j++) x[j] = uniform_word(w[j], low, scale, cap);
}

EQ_INLINE void uniform_blocks_body(float *restrict out, int64_t blocks, uint32_t stream,
                                   uint32_t k0, uint32_t k1, float low, float scale, float cap) {
    for (int64_t b = 0; b < blocks; b++) uniform_block(out + 4 * b, (uint64_t)b, stream, k0, k1, low, scale, cap);
}

EQ_KERNEL_VARIANTS(uniform_blocks,
                   (float *restrict out, int64_t blocks, uint32_t stream, uint32_t k0, uint32_t k1, float low, float scale, float cap),
                   (out, blocks, stream, k0, k1, low, scale, cap))

void eq_uniform_f32(float *out, int64_t n, uint32_t stream, uint32_t k0, uint32_t k1,
                    float low, float scale, float cap) {
    if (n <= 0) return;
    const int64_t whole = n / 4;
    uniform_blocks_dispatch(out, whole, stream, k0, k1, low, scale, cap);
    if (n % 4 != 0) {
        float x[4];
        uniform_block(x, (uint64_t)whole, stream, k0, k1, low, scale, cap);
        for (int64_t i = 4 * whole; i < n; i++) out[i] = x[i - 4 * whole];
    }
}

/// The four normals of block b (elements 4b ..< 4b + 4): element i pairs words 2⌊i/2⌋ and
/// 2⌊i/2⌋ + 1.
EQ_INLINE void normal_block(float *restrict x, uint64_t b, uint32_t stream, uint32_t k0, uint32_t k1,
                            float mean, float std) {
    uint32_t w[4];
    philox_block(b, stream, k0, k1, w);
    normal_pair(w[0], w[1], mean, std, &x[0], &x[1]);
    normal_pair(w[2], w[3], mean, std, &x[2], &x[3]);
}

EQ_INLINE void normal_blocks_body(float *restrict out, int64_t blocks, uint32_t stream,
                                  uint32_t k0, uint32_t k1, float mean, float std) {
    for (int64_t b = 0; b < blocks; b++) normal_block(out + 4 * b, (uint64_t)b, stream, k0, k1, mean, std);
}

EQ_KERNEL_VARIANTS(normal_blocks,
                   (float *restrict out, int64_t blocks, uint32_t stream, uint32_t k0, uint32_t k1, float mean, float std),
                   (out, blocks, stream, k0, k1, mean, std))

void eq_normal_f32(float *out, int64_t n, uint32_t stream, uint32_t k0, uint32_t k1,
                   float mean, float std) {
    if (n <= 0) return;
    const int64_t whole = n / 4;
    normal_blocks_dispatch(out, whole, stream, k0, k1, mean, std);
    if (n % 4 != 0) {
        // The last block, partly used.
        float x[4];
        normal_block(x, (uint64_t)whole, stream, k0, k1, mean, std);
        for (int64_t i = 4 * whole; i < n; i++) out[i] = x[i - 4 * whole];
    }
}

EQ_INLINE void normal_words_body(float *restrict out, const uint32_t *restrict words, int64_t pairs,
                                 float mean, float std) {
    for (int64_t k = 0; k < pairs; k++) {
        float a, b;
        normal_pair(words[2 * k], words[2 * k + 1], mean, std, &a, &b);
        out[2 * k] = a;
        out[2 * k + 1] = b;
    }
}

EQ_KERNEL_VARIANTS(normal_words,
                   (float *restrict out, const uint32_t *restrict words, int64_t pairs, float mean, float std),
                   (out, words, pairs, mean, std))

void eq_normal_f32_from_words(float *out, const uint32_t *words, int64_t pairs, float mean, float std) {
    normal_words_dispatch(out, words, pairs, mean, std);
}
