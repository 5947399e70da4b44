import Foundation
import Tensor

/// How specialised the components of a generator mixture are (spec related.md §4): the mutual
/// information I(k; mode) between the source generator k and the nearest mode, from the joint
/// histogram over high-quality samples only (off-mode samples have no meaningful mode).
/// High when each generator covers its own few modes; 0 when every generator covers the same
/// modes in the same proportions. In nats, with H(k) over the same samples as its upper bound.
public struct GeneratorSpecialisation: Sendable, Equatable {
    /// I(k; mode) in nats.
    public var mutualInformation: Double
    /// H(k) over the HQ samples: I ≤ H(k) ≤ log K.
    public var componentEntropy: Double
    /// HQ samples the histogram was built from.
    public var samples: Int
}

extension ModeCoverage {
    /// I(k; mode) over the high-quality rows of `samples`; `components[i]` is the generator row
    /// i came from, in 0..<`componentCount`. Both quantities are 0 when no sample is HQ.
    public func specialisation(_ samples: Tensor, components: [Int], componentCount: Int) throws(MetricError) -> GeneratorSpecialisation {
        let nearest = try nearestModes(samples)
        guard components.count == nearest.count else {
            throw .dimensionMismatch(what: "GeneratorSpecialisation: components", expected: nearest.count, got: components.count)
        }
        guard componentCount >= 1, components.allSatisfy({ (0..<componentCount).contains($0) }) else {
            throw .invalidParameter("GeneratorSpecialisation: components must lie in 0..<\(componentCount)")
        }
        var joint = [[Double]](repeating: [Double](repeating: 0, count: modeCount), count: componentCount)
        var n = 0
        for (i, (mode, delta)) in nearest.enumerated() where delta < threshold {
            joint[components[i]][mode] += 1
            n += 1
        }
        guard n > 0 else { return GeneratorSpecialisation(mutualInformation: 0, componentEntropy: 0, samples: 0) }
        let total = Double(n)
        let pk = joint.map { $0.reduce(0, +) / total }
        let pm = (0..<modeCount).map { m in joint.reduce(0) { $0 + $1[m] } / total }
        var information = 0.0
        for k in 0..<componentCount {
            for m in 0..<modeCount where joint[k][m] > 0 {
                let p = joint[k][m] / total
                information += p * log(p / (pk[k] * pm[m]))
            }
        }
        let entropy = -pk.filter { $0 > 0 }.reduce(0) { $0 + $1 * log($1) }
        return GeneratorSpecialisation(mutualInformation: max(0, information), componentEntropy: entropy, samples: n)
    }
}
