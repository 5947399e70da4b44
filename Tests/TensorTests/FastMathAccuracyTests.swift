import Foundation
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

/// The SIMD Box–Muller used by Float32 `Tensor.normal` against the same transform in Float64
/// with libm, on the same uniforms: every word pattern class, including u1 = 1 (r = 0), the
/// smallest u1 (the largest |z|) and the quadrant boundaries of θ.
struct NormalTransformAccuracyTests {
    @Test func matchesLibmBoxMullerOnTheSameUniforms() {
        var stream = RandomStream(key: RandomKey(seed: 99))
        var worst = 0.0
        for trial in 0..<20_000 {
            var words = SIMD16<UInt32>()
            for k in 0..<16 { words[k] = stream.nextUInt32() }
            if trial == 0 {
                words[0] = 0; words[2] = .max            // u1 = 1 and the smallest u1
                words[1] = 0; words[3] = 0x4000_0000      // θ = 0 and θ = π/2 exactly
                words[5] = 0x8000_0000; words[7] = 0xC000_0000
            }
            let fast = NormalTransform.normals(words, mean: 0, std: 1)
            for k in 0..<8 {
                let u1 = 1 - Double(words[2 * k] >> 9) * 0x1p-23
                let u2 = Double(words[2 * k + 1] >> 9) * 0x1p-23
                let r = (-2 * log(u1)).squareRoot(), theta = 2 * Double.pi * u2
                let exact = [r * cos(theta), r * sin(theta)]
                for (j, e) in exact.enumerated() {
                    worst = max(worst, abs(Double(fast[2 * k + j]) - e) / max(1, abs(e)))
                }
            }
        }
        #expect(worst < 3e-6)
    }
}
