import Foundation
import Synchronization
import CKernels
import Testing
@testable import Tensor

/// Float32 tensors use the vectorisable polynomial forms in `FastMath`; Float64 tensors use
/// libm. These tests bound the Float32 error against the Float64 result on a dense grid,
/// including the tails and the points where naive formulas cancel.
struct FastMathAccuracyTests {
    /// 200,001 points on [lo, hi], plus a few tiny magnitudes, all exactly representable in
    /// Float32 so that both paths see the same input (rounding an input of 80 to Float32
    /// alone changes eˣ by up to 5e-6 relative).
    static func grid(_ lo: Double, _ hi: Double) -> [Double] {
        ((0...200_000).map { lo + (hi - lo) * Double($0) / 200_000 } + [1e-30, -1e-30, 1e-7, -1e-7, 0])
            .map { Double(Float($0)) }
    }

    static func maxError(_ op: (Tensor) -> Tensor, on points: [Double], relativeFloor: Double) -> Double {
        let exact = op(Tensor(points, shape: [points.count])).doubles
        let fast = op(Tensor(points.map(Float.init), shape: [points.count])).doubles
        var worst = 0.0
        for (e, f) in zip(exact, fast) {
            worst = max(worst, abs(e - f) / max(abs(e), relativeFloor))
        }
        return worst
    }

    @Test func expIsWithinAFewUlp() {
        #expect(Self.maxError({ $0.exp() }, on: Self.grid(-87, 88), relativeFloor: 1e-37) < 1e-6)
    }

    @Test func tanhIsAccurateEverywhere() {
        #expect(Self.maxError({ $0.tanh() }, on: Self.grid(-20, 20), relativeFloor: 1e-6) < 1e-6)
    }

    @Test func sigmoidIsAccurateIncludingTails() {
        #expect(Self.maxError({ $0.sigmoid() }, on: Self.grid(-80, 80), relativeFloor: 1e-30) < 2e-6)
    }

    @Test func softplusKeepsRelativeAccuracyForNegativeInputs() {
        #expect(Self.maxError({ $0.softplus() }, on: Self.grid(-80, 80), relativeFloor: 1e-30) < 2e-6)
    }

    @Test func eluIsAccurateNearZero() {
        #expect(Self.maxError({ $0.elu(1) }, on: Self.grid(-20, 5), relativeFloor: 1e-6) < 1e-6)
    }
}

/// The Float32 Box–Muller of `Tensor.normal` (the C kernel in CKernels/random.c) against the
/// same transform in Float64 with libm, on the same uniforms: every word pattern class,
/// including u1 = 1 (r = 0), the smallest u1 (the largest |z|) and the quadrant boundaries of θ.
/// And every instruction-set variant of the kernel against the transform written out in
/// Swift (`ReferenceBoxMuller`, the implementation it replaced), bit for bit.
@Suite(.serialized) struct NormalTransformAccuracyTests {
    /// 2·pairs normals from 2·pairs words through the C kernel.
    static func kernelNormals(_ words: [UInt32], mean: Float = 0, std: Float = 1) -> [Float] {
        var out = [Float](repeating: .nan, count: words.count)
        out.withUnsafeMutableBufferPointer { o in
            words.withUnsafeBufferPointer { w in
                eq_normal_f32_from_words(o.baseAddress!, w.baseAddress!, Int64(words.count / 2), mean, std)
            }
        }
        return out
    }

    /// The first index where two bit-pattern arrays differ, with both values (nil if equal).
    static func firstMismatch(_ got: [UInt32], _ expected: [UInt32]) -> String? {
        guard got.count == expected.count else { return "\(got.count) values, expected \(expected.count)" }
        guard let i = got.indices.first(where: { got[$0] != expected[$0] }) else { return nil }
        return "element \(i): \(Float(bitPattern: got[i])) (0x\(String(got[i], radix: 16))), expected \(Float(bitPattern: expected[i])) (0x\(String(expected[i], radix: 16)))"
    }

    /// Words that hit the transform's edges: u1 = 1 and the smallest u1, θ at each quadrant
    /// boundary and just below it, and mantissas on both sides of √2 in the log's reduction.
    static let edgeWords: [UInt32] = [
        0, 0, .max, 0x4000_0000, 0x1234_5678, 0x8000_0000, 0x9ABC_DEF0, 0xC000_0000,
        0xFFFF_FE00, 0x3FFF_FE00, 0x7FFF_FE00, 0xBFFF_FE00, 0x6A09_E600, 0xFFFF_FFFF, 0x6A09_E800, 0x0000_0200,
    ]

    @Test func matchesLibmBoxMullerOnTheSameUniforms() {
        var stream = RandomStream(key: RandomKey(seed: 99))
        var words = Self.edgeWords
        for _ in 0..<(20_000 * 16) { words.append(stream.nextUInt32()) }
        let fast = Self.kernelNormals(words)
        var worst = 0.0
        for k in 0..<(words.count / 2) {
            let u1 = 1 - Double(words[2 * k] >> 9) * 0x1p-23
            let u2 = Double(words[2 * k + 1] >> 9) * 0x1p-23
            let r = (-2 * log(u1)).squareRoot(), theta = 2 * Double.pi * u2
            let exact = [r * cos(theta), r * sin(theta)]
            for (j, e) in exact.enumerated() {
                worst = max(worst, abs(Double(fast[2 * k + j]) - e) / max(1, abs(e)))
            }
        }
        #expect(worst < 3e-6)
    }

    /// Every level this CPU has (the cap set to each in turn) against the Swift reference: the
    /// words path on edge and random words, and `Tensor.normal` for lengths around the
    /// 4-element blocks and the vector widths, with two (mean, std). Bit patterns, so ±0 count.
    @Test func everyInstructionSetGivesTheReferenceBits() {
        var stream = RandomStream(key: RandomKey(seed: 7))
        var words = Self.edgeWords
        for _ in 0..<4_096 { words.append(stream.nextUInt32()) }
        let key = RandomKey(seed: 2_026)
        let lengths = [1, 2, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 64, 65, 1_023, 1_024, 1_025, 4_099]
        InstructionSets.forEach { level in
            for (mean, std) in [(Float(0), Float(1)), (-1.5, 0.25)] {
                let expected = stride(from: 0, to: words.count, by: 2).flatMap { k in
                    let (a, b) = ReferenceBoxMuller.pair(words[k], words[k + 1], mean: mean, std: std)
                    return [a.bitPattern, b.bitPattern]
                }
                let fromWords = Self.kernelNormals(words, mean: mean, std: std).map(\.bitPattern)
                #expect(Self.firstMismatch(fromWords, expected) == nil, "\(level), words, mean \(mean)")
                for n in lengths {
                    let got = Tensor.normal([n], mean: Double(mean), std: Double(std), key: key).floats.map(\.bitPattern)
                    let reference = (0..<n).map { i -> UInt32 in
                        let block = Philox4x32.block(index: UInt64(i / 4), stream: 2, key: key)
                        let w = [block.0, block.1, block.2, block.3]
                        let k = (i % 4) / 2 * 2
                        let (a, b) = ReferenceBoxMuller.pair(w[k], w[k + 1], mean: mean, std: std)
                        return (i % 2 == 0 ? a : b).bitPattern
                    }
                    #expect(Self.firstMismatch(got, reference) == nil, "\(level), n = \(n), mean \(mean)")
                }
            }
        }
    }
}

/// Runs `body` once for each instruction-set level of the C kernels that this CPU has, with
/// the process-wide cap set to it, then removes the cap. One caller at a time, so two suites
/// running in parallel do not move each other's cap.
enum InstructionSets {
    private static let lock = Mutex(())

    static func forEach(_ body: (KernelInstructionSet) -> Void) {
        lock.withLock { _ in
            defer { KernelInstructionSet.limit(to: nil) }
            let available = KernelInstructionSet.available
            #expect(available.first == .baseline)
            for level in available {
                #expect(KernelInstructionSet.limit(to: level) == level)
                body(level)
            }
        }
    }
}

/// The Swift Box–Muller that `Tensor.normal` ran before the C kernel, kept as the bit-exact
/// reference for it: the same operations in the same order.
enum ReferenceBoxMuller {
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
}
