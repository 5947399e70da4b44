import Foundation
import Datasets
import Tensor

/// Mode metrics for Gaussian-mixture data (`benchmarks.md` §4): standardised distance to the
/// nearest mode, high-quality samples, modes covered (VEEGAN's definition), the HQ histogram
/// over modes, and reverse KL and JSD of that histogram against the uniform distribution.
public struct ModeCoverage: Sendable {
    /// Mode centres [K][d].
    public let modes: [[Double]]
    /// Per-axis std of each mode (post-scaling), length K.
    public let standardDeviations: [Double]
    /// A sample is high quality when its standardised distance to the nearest mode is below
    /// this (3: PacGAN's `dis_thre`, VEEGAN's "within three standard deviations").
    public let threshold: Double

    public init(modes: [[Double]], standardDeviations: [Double], threshold: Double = 3) throws(MetricError) {
        guard let d = modes.first?.count, d > 0 else { throw .invalidParameter("ModeCoverage: no modes given") }
        for (k, m) in modes.enumerated() where m.count != d {
            throw .dimensionMismatch(what: "ModeCoverage: mode \(k)", expected: d, got: m.count)
        }
        guard standardDeviations.count == modes.count else {
            throw .invalidParameter("ModeCoverage: \(standardDeviations.count) standard deviations for \(modes.count) modes")
        }
        if let bad = standardDeviations.first(where: { !($0.isFinite && $0 > 0) }) {
            throw .invalidParameter("ModeCoverage: standard deviation \(bad) must be finite and > 0")
        }
        guard threshold.isFinite && threshold > 0 else { throw .invalidParameter("ModeCoverage: threshold \(threshold) must be finite and > 0") }
        self.modes = modes
        self.standardDeviations = standardDeviations
        self.threshold = threshold
    }

    /// Coverage for a modal distribution's modes and post-scaling standard deviations.
    public init(_ distribution: some ModalDistribution, threshold: Double = 3) throws(MetricError) {
        try self.init(modes: distribution.modes, standardDeviations: distribution.modeStandardDeviations, threshold: threshold)
    }

    public var modeCount: Int { modes.count }
    public var dimension: Int { modes[0].count }

    /// For each sample row: the nearest mode j* = argmin_j δ_j(x) and δ_{j*}(x), with
    /// δ_j(x) = ‖x − μ_j‖ / σ_j (ties go to the lower index).
    public func nearestModes(_ samples: Tensor) throws(MetricError) -> [(mode: Int, distance: Double)] {
        let (x, n, d) = try flattenedRows(samples, what: "ModeCoverage")
        guard d == dimension else { throw .dimensionMismatch(what: "ModeCoverage", expected: dimension, got: d) }
        let inverseVariances = standardDeviations.map { 1 / ($0 * $0) }
        var result: [(mode: Int, distance: Double)] = []
        result.reserveCapacity(n)
        for i in 0..<n {
            var best = 0, bestSquared = Double.infinity
            for (j, mu) in modes.enumerated() {
                var s = 0.0
                for a in 0..<d { let diff = x[i * d + a] - mu[a]; s += diff * diff }
                s *= inverseVariances[j]
                if s < bestSquared { bestSquared = s; best = j }
            }
            result.append((best, bestSquared.squareRoot()))
        }
        return result
    }

    public func evaluate(_ samples: Tensor, context: MetricContext) throws(MetricError) -> ModeCoverageResult {
        let nearest = try nearestModes(samples)
        var hqHistogram = [Int](repeating: 0, count: modeCount)
        var nearestHistogram = [Int](repeating: 0, count: modeCount)
        for (j, delta) in nearest {
            nearestHistogram[j] += 1
            if delta < threshold { hqHistogram[j] += 1 }
        }
        let hq = hqHistogram.reduce(0, +)
        let proto = MetricProtocol(metric: "mode-coverage", context: context, nFake: nearest.count,
                                   thresholds: "HQ iff δ < \(threshold)σ to the nearest mode; σ = per-mode std after any post-sampling rescaling")
        var warnings: [String] = []
        let kl: Double, jsd: Double
        if hq == 0 {
            kl = .nan
            jsd = .nan
            warnings.append("no high-quality samples: reverse KL and JSD over modes are undefined (NaN)")
        } else {
            let p = hqHistogram.map { Double($0) / Double(hq) }
            kl = ModeCoverage.reverseKLToUniform(p)
            jsd = ModeCoverage.jensenShannonToUniform(p)
        }
        return ModeCoverageResult(metricProtocol: proto, sampleCount: nearest.count, highQualityCount: hq,
                                  highQualityFraction: Double(hq) / Double(nearest.count), modeCount: modeCount,
                                  modesCovered: hqHistogram.filter { $0 > 0 }.count, highQualityHistogram: hqHistogram,
                                  nearestModeHistogram: nearestHistogram, reverseKL: kl, jensenShannon: jsd, warnings: warnings)
    }

    /// KL(p ‖ U_K) = Σ p_j log(K p_j) = log K − H(p), with 0·log 0 = 0; in [0, log K].
    public static func reverseKLToUniform(_ p: [Double]) -> Double {
        let k = Double(p.count)
        return p.reduce(0) { $0 + ($1 > 0 ? $1 * log(k * $1) : 0) }
    }

    /// JSD(p, U_K) = ½KL(p ‖ m) + ½KL(U_K ‖ m), m = (p + U_K)/2, natural log; in [0, log 2).
    public static func jensenShannonToUniform(_ p: [Double]) -> Double {
        let u = 1 / Double(p.count)
        return JensenShannon.discrete(p, Array(repeating: u, count: p.count))
    }
}

/// The outcome of `ModeCoverage.evaluate`.
public struct ModeCoverageResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    public let sampleCount: Int
    public let highQualityCount: Int
    /// #HQ / n.
    public let highQualityFraction: Double
    public let modeCount: Int
    /// Modes nearest to at least one HQ sample.
    public let modesCovered: Int
    /// HQ samples per mode (by nearest mode).
    public let highQualityHistogram: [Int]
    /// All samples per nearest mode, HQ or not.
    public let nearestModeHistogram: [Int]
    /// KL(p̂ ‖ U_K) of the HQ histogram; NaN when there are no HQ samples.
    public let reverseKL: Double
    /// JSD(p̂, U_K) of the HQ histogram; NaN when there are no HQ samples.
    public let jensenShannon: Double
    /// Non-empty when some value is undefined (e.g. no HQ samples).
    public let warnings: [String]

    /// True when reverse KL and JSD are NaN because no sample is high quality.
    public var isUndefined: Bool { highQualityCount == 0 }

    public var report: String {
        let pct = String(format: "%.2f", 100 * highQualityFraction)
        var text = "modes \(modesCovered)/\(modeCount), HQ \(pct)%, reverse KL \(String(format: "%.4f", reverseKL)), JSD \(String(format: "%.4f", jensenShannon))"
        for w in warnings { text += "\nwarning: \(w)" }
        return text + "\n" + metricProtocol.line
    }
}
