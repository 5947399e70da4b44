/// Branch-free Float32 exp, log1p-on-[0,1], tanh, sigmoid and softplus that LLVM vectorises
/// (libm calls do not: they cost 4–16 ns per element here, the polynomials well under 1 ns).
/// Float64 tensors keep using libm, so gradient checks and analysis code see exact libm
/// values. Accuracy of these Float32 forms is checked against Float64 in TensorTests
/// (a few ulp relative, or ~1e-7 absolute for tanh/softplus near their cancellation points).
enum FastMath {
    /// eˣ: range reduction x = n·ln2 + r, |r| ≤ ln2/2, a degree-6 polynomial for eʳ, and 2ⁿ
    /// built from the exponent bits. Inputs are clamped so the result stays finite.
    @inline(__always)
    static func exp(_ x: Float) -> Float {
        let clamped = Swift.min(Swift.max(x, -87.3), 88.7)
        // Round to nearest by adding and subtracting 1.5·2²³ (no branch, no libm call).
        // The sum's low mantissa bits then hold n itself, read without a trapping Float→Int.
        let magic: Float = 12_582_912
        let shifted = clamped * 1.442_695_04 + magic
        let n = shifted - magic
        let r = (clamped - n * 0.693_145_751_953_125) - n * 1.428_606_765_330_187e-06
        var p: Float = 1.987_569_1e-4
        p = p * r + 1.398_199_9e-3
        p = p * r + 8.333_452e-3
        p = p * r + 4.166_579_6e-2
        p = p * r + 1.666_666_5e-1
        p = p * r + 0.5
        p = p * r * r + r + 1
        let bits = (shifted.bitPattern &- 0x4B40_0000 &+ 127) << 23
        return p * Float(bitPattern: bits)
    }

    /// log(1 + u) for u ∈ [0, 1] as u·p(u), with p a degree-8 least-squares (Chebyshev)
    /// fit of log1p(u)/u: no division, and the relative error stays ≤ 3e-7 down to u → 0,
    /// so softplus of very negative inputs (≈ eˣ) keeps its relative accuracy.
    @inline(__always)
    static func log1pUnit(_ u: Float) -> Float {
        var p: Float = 0.005_185_997_6
        p = p * u - 0.029_210_235
        p = p * u + 0.077_540_31
        p = p * u - 0.135_839_34
        p = p * u + 0.190_559_51
        p = p * u - 0.248_256_47
        p = p * u + 0.333_160_1
        p = p * u - 0.499_992_56
        p = p * u + 0.999_999_92
        return u * p
    }

    /// tanh as a rational function x·P(x²)/Q(x²) on |x| ≤ 7.905 (the coefficients of Eigen's
    /// float tanh; beyond that, tanh rounds to ±1 within 3e-7). One division, no exp; max
    /// error 3.3e-7 against Float64 tanh (checked in TensorTests).
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let c = Swift.min(Swift.max(x, -7.905_311_1), 7.905_311_1)
        let x2 = c * c
        var p: Float = -2.760_768_5e-16
        p = p * x2 + 2.000_187_9e-13
        p = p * x2 - 8.604_671_5e-11
        p = p * x2 + 5.122_297_1e-08
        p = p * x2 + 1.485_722_4e-05
        p = p * x2 + 6.372_619_3e-04
        p = p * x2 + 4.893_524_6e-03
        var q: Float = 1.198_258_4e-06
        q = q * x2 + 1.185_347_1e-04
        q = q * x2 + 2.268_434_6e-03
        q = q * x2 + 4.893_525_2e-03
        return c * p / q
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        // e^(−|x|) ≤ 1 never overflows; the two halves are mirror images.
        let e = exp(-Swift.abs(x))
        let r = 1 / (1 + e)
        // For x < 0, e·r keeps full relative precision where 1 − r would round to 0.
        return x >= 0 ? r : e * r
    }

    /// log(1 + eˣ) = max(x, 0) + log1p(e^(−|x|)).
    @inline(__always)
    static func softplus(_ x: Float) -> Float {
        Swift.max(x, 0) + log1pUnit(exp(-Swift.abs(x)))
    }

    /// α(eˣ − 1) for x ≤ 0, x otherwise. Near 0⁻, eˣ − 1 loses relative accuracy, so a short
    /// Taylor series takes over for |x| < 0.25.
    @inline(__always)
    static func elu(_ x: Float, alpha: Float) -> Float {
        let taylor = x * (1 + x * (0.5 + x * (1.0 / 6 + x * (1.0 / 24 + x * (1.0 / 120 + x * (1.0 / 720))))))
        let em1 = x > -0.25 ? taylor : exp(x) - 1
        return x > 0 ? x : alpha * em1
    }
}
