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
