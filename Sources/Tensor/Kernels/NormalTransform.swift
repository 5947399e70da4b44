/// Box–Muller for Float32 on 8 pairs at a time with explicit SIMD types: a polynomial log on
/// (0, 1] and a quadrant-reduced polynomial sin/cos, so no libm call and no data-dependent
/// branch. libm's logf/cosf/sinf made normal sampling about half of a small GAN's training
/// step (two 512×256 latent batches per step). Float64 tensors keep the libm path.
/// Accuracy against libm in Float64 on the same uniforms is bounded in TensorTests.
enum NormalTransform {
    static let ln2: Float = 0.693_147_18

    /// Natural log for u ∈ (0, 1]: u = m·2ᵉ with m ∈ [√½, √2), log m = 2·atanh(s),
    /// s = (m − 1)/(m + 1) ∈ [−0.172, 0.172], odd series through s⁹ (error < 4e-9).
    @inline(__always)
    static func log(_ u: SIMD8<Float>) -> SIMD8<Float> {
        // Integer↔float conversions of SIMD vectors take a slow generic path in Swift, so
        // the exponent is read with the 2²³ trick: the bits 0x4B000000 | k are the float
        // 2²³ + k.
        let bits = unsafeBitCast(u, to: SIMD8<UInt32>.self)
        var e = unsafeBitCast((bits &>> 23) | 0x4B00_0000, to: SIMD8<Float>.self) - (8_388_608 + 127)
        var m = unsafeBitCast((bits & 0x007F_FFFF) | 0x3F80_0000, to: SIMD8<Float>.self)
        let high = m .> 1.414_213_5
        m.replace(with: m * 0.5, where: high)
        e.replace(with: e + 1, where: high)
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var p = SIMD8<Float>(repeating: 2.0 / 9)
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
    static func sinCos(turns u: SIMD8<Float>) -> (sin: SIMD8<Float>, cos: SIMD8<Float>) {
        let scaled = u * 4
        // ⌊scaled⌋ for scaled ∈ [0, 4) by round-to-nearest of scaled − ½⁻ through the 1.5·2²³
        // trick (no integer conversion, see `log`).
        let magic: Float = 12_582_912
        let q = ((scaled - 0.499_999_97) + magic) - magic
        let phi = (scaled - q) * (Float.pi / 2)
        let x2 = phi * phi
        var sp = SIMD8<Float>(repeating: -1.0 / 39_916_800)
        sp = sp * x2 + 1.0 / 362_880
        sp = sp * x2 - 1.0 / 5_040
        sp = sp * x2 + 1.0 / 120
        sp = sp * x2 - 1.0 / 6
        sp = sp * x2 + 1
        let s = phi * sp
        var cp = SIMD8<Float>(repeating: 1.0 / 479_001_600)
        cp = cp * x2 - 1.0 / 3_628_800
        cp = cp * x2 + 1.0 / 40_320
        cp = cp * x2 - 1.0 / 720
        cp = cp * x2 + 1.0 / 24
        cp = cp * x2 - 0.5
        let c = cp * x2 + 1
        let swap = (q .== 1) .| (q .== 3)
        var sine = s.replacing(with: c, where: swap)
        var cosine = c.replacing(with: s, where: swap)
        sine.replace(with: -sine, where: q .>= 2)
        cosine.replace(with: -cosine, where: (q .== 1) .| (q .== 2))
        return (sine, cosine)
    }

    /// 16 normals from 16 Philox words (4 blocks): pair k is (w[2k], w[2k+1]), giving
    /// element 2k = r·cos θ and 2k + 1 = r·sin θ, as the scalar path orders them.
    @inline(__always)
    static func normals(_ words: SIMD16<UInt32>, mean: Float, std: Float) -> SIMD16<Float> {
        // 23 random bits as a float in [1, 2), minus 1: uniforms on a 2⁻²³ grid; u1 ∈ (0, 1].
        let u1 = 2 - unsafeBitCast((words.evenHalf &>> 9) | 0x3F80_0000, to: SIMD8<Float>.self)
        let u2 = unsafeBitCast((words.oddHalf &>> 9) | 0x3F80_0000, to: SIMD8<Float>.self) - 1
        let r = (-2 * log(u1)).squareRoot()
        let (sine, cosine) = sinCos(turns: u2)
        var out = SIMD16<Float>()
        out.evenHalf = mean + std * (r * cosine)
        out.oddHalf = mean + std * (r * sine)
        return out
    }
}
