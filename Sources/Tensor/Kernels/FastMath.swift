/// Branch-free Float32 exp, log1p-on-(0,1], tanh, sigmoid and softplus that LLVM vectorises
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

    /// log(1 + u) for u ∈ [0, 1]: 2·atanh(s) with s = u / (2 + u) ∈ [0, 1/3], an odd series
    /// through s¹³ (truncation error below 5e-8).
    @inline(__always)
    static func log1pUnit(_ u: Float) -> Float {
        let s = u / (2 + u)
        let s2 = s * s
        var p: Float = 1.0 / 13
        p = p * s2 + 1.0 / 11
        p = p * s2 + 1.0 / 9
        p = p * s2 + 1.0 / 7
        p = p * s2 + 1.0 / 5
        p = p * s2 + 1.0 / 3
        p = p * s2 + 1
        return 2 * s * p
    }

    /// tanh: an odd Taylor polynomial for |x| < 0.5 (error < 5e-8), (1 − t)/(1 + t) with
    /// t = e^(−2|x|) elsewhere; both are computed and one selected, so the loop stays branch-free.
    @inline(__always)
    static func tanh(_ x: Float) -> Float {
        let a = Swift.abs(x)
        let t = exp(-2 * a)
        let large = (1 - t) / (1 + t)
        let x2 = x * x
        var p: Float = 6_404_582.0 / 10_854_718_875
        p = p * x2 - 443_861_162.0 / 1_856_156_927_625
        p = p * x2 + 21_844.0 / 6_081_075
        p = p * x2 - 1_382.0 / 155_925
        p = p * x2 + 62.0 / 2_835
        p = p * x2 - 17.0 / 315
        p = p * x2 + 2.0 / 15
        p = p * x2 - 1.0 / 3
        let small = x + x * x2 * p
        let magnitude = a < 0.5 ? Swift.abs(small) : large
        return x < 0 ? -magnitude : magnitude
    }

    @inline(__always)
    static func sigmoid(_ x: Float) -> Float {
        // e^(−|x|) ≤ 1 never overflows; the two halves are mirror images.
        let e = exp(-Swift.abs(x))
        let positive = 1 / (1 + e)
        return x >= 0 ? positive : 1 - positive
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
