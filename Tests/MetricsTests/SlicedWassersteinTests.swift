import Foundation
@testable import Metrics
import Tensor
import Testing

/// Sliced W1: exact 1-D W1 between empirical laws, averaged over fixed random directions.
@Suite struct SlicedWassersteinTests {
    let context = MetricContext(dataset: "test", seeds: [0])

    @Test func oneDimensionalW1IsExactForUnequalSizes() {
        // Quantiles of {0, 1} against {0, 0, 3}: on [0, 1/3) 0 vs 0, on [1/3, 1/2) 0 vs 0,
        // on [1/2, 2/3) 1 vs 0, on [2/3, 1) 1 vs 3 → 1/6 + 2/3 = 5/6.
        #expect(abs(SlicedWasserstein.wasserstein1([1, 0], [0, 3, 0]) - 5.0 / 6) < 1e-15)
        #expect(SlicedWasserstein.wasserstein1([2, 5, 1], [1, 2, 5]) == 0)
        #expect(abs(SlicedWasserstein.wasserstein1([0, 1, 2], [3, 4, 5]) - 3) < 1e-15)
    }

    @Test func identicalSetsGiveZeroAndAShiftGivesItsMeanProjection() throws {
        let metric = try SlicedWasserstein(projections: 16)
        let x = Tensor.normal([200, 3], key: RandomKey(seed: 1), dtype: .float64)
        #expect(try metric.evaluate(x, reference: x, context: context).value == 0)
        // Moving every point by s: each direction's W1 is exactly |θ·s|.
        let shift = [0.5, -1.0, 2.0]
        let moved = x + Tensor(shift, shape: [1, 3])
        let expected = metric.directions(dimension: 3).map { theta in abs(zip(theta, shift).map(*).reduce(0, +)) }.reduce(0, +) / 16
        let value = try metric.evaluate(moved, reference: x, context: context).value
        #expect(abs(value - expected) < 1e-12)
        #expect(metric.directions(dimension: 3).allSatisfy { abs($0.map { $0 * $0 }.reduce(0, +) - 1) < 1e-12 })
    }

    @Test func badInputsAreRejected() throws {
        #expect(throws: MetricError.self) { try SlicedWasserstein(projections: 0) }
        let metric = try SlicedWasserstein()
        let a = Tensor.zeros([4, 2], dtype: .float64), b = Tensor.zeros([4, 3], dtype: .float64)
        #expect(throws: MetricError.self) { try metric.evaluate(a, reference: b, context: context) }
        let nan = Tensor([Double.nan, 0, 0, 0], shape: [2, 2])
        #expect(throws: MetricError.self) { try metric.evaluate(nan, reference: a, context: context) }
    }
}
