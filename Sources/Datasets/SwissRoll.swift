import Foundation
import Tensor

/// The 2-D swiss roll of the WGAN-GP toy script, as recalled [M: `benchmarks.md` §2.6 — the
/// DRAGAN-era toy settings could not be confirmed]: scikit-learn's `make_swiss_roll`
/// (t = 1.5π(1 + 2u), u ∼ U[0, 1); point (t·cos t, t·sin t) plus N(0, noise²) per axis), keeping
/// the two in-plane coordinates, then divided by `divisor`. Defaults: noise 0.25, divisor 7.5.
/// Before division the roll spans radii 1.5π ≈ 4.71 to 4.5π ≈ 14.14.
public struct SwissRoll: Distribution, Codable, Equatable {
    public let noise: Double
    public let divisor: Double

    public init(noise: Double = 0.25, divisor: Double = 7.5) {
        precondition(noise >= 0 && noise.isFinite, "SwissRoll: noise must be finite and ≥ 0, got \(noise)")
        precondition(divisor > 0 && divisor.isFinite, "SwissRoll: divisor must be finite and > 0, got \(divisor)")
        self.noise = noise
        self.divisor = divisor
    }

    public var sampleShape: [Int] { [2] }

    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        let u = Tensor.uniform([n], key: key.folded(in: 0), dtype: .float64).doubles
        let eps = Tensor.normal([n, 2], key: key.folded(in: 1), dtype: .float64).doubles
        var values = [Double](repeating: 0, count: 2 * n)
        for i in 0..<n {
            let t = 1.5 * Double.pi * (1 + 2 * u[i])
            values[2 * i] = (t * cos(t) + noise * eps[2 * i]) / divisor
            values[2 * i + 1] = (t * sin(t) + noise * eps[2 * i + 1]) / divisor
        }
        return Tensor(values, shape: [n, 2], dtype: dtype)
    }
}
