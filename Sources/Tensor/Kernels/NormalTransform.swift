/// Box–Muller for Float32 with a polynomial log on (0, 1] and a quadrant-reduced polynomial
/// sin/cos: no libm call and no data-dependent branch. It is written as scalar code over
/// plain buffers (`fill`), which LLVM vectorises; libm's logf/cosf/sinf made normal sampling
/// about half of a small GAN's training step (two 512×256 latent batches per step), and an
/// earlier version on explicit `SIMD8` types was scalarised lane by lane by the compiler (its
/// masked `replace(with:where:)` and `squareRoot()` are generic loops), still ~28 % of that
/// step. Float64 tensors keep the libm path. Accuracy against libm in Float64 on the same
/// uniforms is bounded in TensorTests.
enum NormalTransform {
    static let ln2: Float = 0.693_147_18

    /// Natural log for u ∈ (0, 1]: u = m·2ᵉ with m ∈ [√½, √2), log m = 2·atanh(s),
    /// s = (m − 1)/(m + 1) ∈ [−0.172, 0.172], odd series through s⁹ (error < 4e-9).
    @inline(__always)
    static func log(_ u: Float) -> Float {
        // The exponent is read with the 2²³ trick (the bits 0x4B000000 | k are the float
        // 2²³ + k), which vectorises where an Int conversion would not.
        let bits = u.bitPattern
        let exponent = Float(bitPattern: (bits &>> 23) | 0x4B00_0000) - (8_388_608 + 127)
        let mantissa = Float(bitPattern: (bits & 0x007F_FFFF) | 0x3F80_0000)
        let high = mantissa > 1.414_213_5
        let m = high ? mantissa * 0.5 : mantissa
        let e = high ? exponent + 1 : exponent
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p: Float = 2.0 / 9
        p = p * s2 + 2.0 / 7
        p = p * s2 + 2.0 / 5
        p = p * s2 + 2.0 / 3
        p = p * s2 + 2
        return s * p + e * ln2
    }

    /// (sin, cos) of 2π·u for u ∈ [0, 1): quadrant q = ⌊4u⌋, φ = (4u − q)·π/2 ∈ [0, π/2),
    /// Taylor polynomials through φ¹¹ (sin) and φ¹² (cos), error < 6e-8, then the quadrant's
    /// swap and signs as selects.
    @inline(__always)
    static func sinCos(turns u: Float) -> (sin: Float, cos: Float) {
        let scaled = u * 4
        // ⌊scaled⌋ for scaled ∈ [0, 4) by round-to-nearest of scaled − ½⁻ through the 1.5·2²³
        // trick (no integer conversion, see `log`).
        let magic: Float = 12_582_912
        let q = ((scaled - 0.499_999_97) + magic) - magic
        let phi = (scaled - q) * (Float.pi / 2)
        let x2 = phi * phi
        var sp: Float = -1.0 / 39_916_800
        sp = sp * x2 + 1.0 / 362_880
        sp = sp * x2 - 1.0 / 5_040
        sp = sp * x2 + 1.0 / 120
        sp = sp * x2 - 1.0 / 6
        sp = sp * x2 + 1
        let s = phi * sp
        var cp: Float = 1.0 / 479_001_600
        cp = cp * x2 - 1.0 / 3_628_800
        cp = cp * x2 + 1.0 / 40_320
        cp = cp * x2 - 1.0 / 720
        cp = cp * x2 + 1.0 / 24
        cp = cp * x2 - 0.5
        let c = cp * x2 + 1
        let swap = q == 1 || q == 3
        let sine = swap ? c : s
        let cosine = swap ? s : c
        return (q >= 2 ? -sine : sine, (q == 1 || q == 2) ? -cosine : cosine)
    }

    /// The normal pair from two Philox words: 23 random bits of each as a float in [1, 2);
    /// u1 = 2 − that ∈ (0, 1], u2 = that − 1 ∈ [0, 1). Returns (r·cos θ, r·sin θ).
    @inline(__always)
    static func pair(_ w1: UInt32, _ w2: UInt32, mean: Float, std: Float) -> (Float, Float) {
        let u1 = 2 - Float(bitPattern: (w1 &>> 9) | 0x3F80_0000)
        let u2 = Float(bitPattern: (w2 &>> 9) | 0x3F80_0000) - 1
        // −2·log(u1) ≥ 0 already; the max lets LLVM prove it, so the square root becomes a
        // plain vector sqrt instead of a call to libm's sqrtf with its errno path, which kept
        // the whole loop scalar.
        let r = Swift.max(-2 * log(u1), 0).squareRoot()
        let (sine, cosine) = sinCos(turns: u2)
        return (mean + std * (r * cosine), mean + std * (r * sine))
    }

    /// `2·pairs` normals from `2·pairs` words: words (2k, 2k + 1) give elements 2k (cos) and
    /// 2k + 1 (sin).
    @inline(__always)
    static func fill(_ out: UnsafeMutablePointer<Float>, words: UnsafePointer<UInt32>, pairs: Int,
                     mean: Float, std: Float) {
        for k in 0..<pairs {
            let (a, b) = pair(words[2 * k], words[2 * k + 1], mean: mean, std: std)
            out[2 * k] = a
            out[2 * k + 1] = b
        }
    }

    /// 16 normals from 16 words, in the element order `fill` uses (for tests).
    static func normals(_ words: SIMD16<UInt32>, mean: Float, std: Float) -> SIMD16<Float> {
        var out = SIMD16<Float>()
        for k in 0..<8 {
            let (a, b) = pair(words[2 * k], words[2 * k + 1], mean: mean, std: std)
            out[2 * k] = a
            out[2 * k + 1] = b
        }
        return out
    }
}
