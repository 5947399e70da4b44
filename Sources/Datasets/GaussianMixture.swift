import Tensor

/// Why a Gaussian mixture could not be built. Every case names the offending component or
/// value, so a user-supplied mixture fails with a message that says what to fix.
public enum GaussianMixtureError: Error, Equatable, CustomStringConvertible {
    case noComponents
    case emptyMean(component: Int)
    case dimensionMismatch(component: Int, expected: Int, got: Int)
    case nonFiniteMean(component: Int, coordinate: Int, value: Double)
    case invalidStandardDeviation(component: Int, value: Double)
    case standardDeviationCount(expected: Int, got: Int)
    case weightCount(expected: Int, got: Int)
    case invalidWeight(component: Int, value: Double)
    case weightsSumToZero
    case invalidDivisor(Double)

    public var description: String {
        switch self {
        case .noComponents:
            return "Gaussian mixture: no component means given (need at least one)"
        case .emptyMean(let c):
            return "Gaussian mixture: mean of component \(c) is empty (need at least one coordinate)"
        case .dimensionMismatch(let c, let expected, let got):
            return "Gaussian mixture: mean of component \(c) has \(got) coordinates, but component 0 has \(expected); all means need the same dimension"
        case .nonFiniteMean(let c, let i, let v):
            return "Gaussian mixture: coordinate \(i) of component \(c)'s mean is \(v); means must be finite"
        case .invalidStandardDeviation(let c, let v):
            return "Gaussian mixture: standard deviation of component \(c) is \(v); it must be finite and > 0"
        case .standardDeviationCount(let expected, let got):
            return "Gaussian mixture: \(got) standard deviations for \(expected) components (give one, or one per component)"
        case .weightCount(let expected, let got):
            return "Gaussian mixture: \(got) weights for \(expected) components"
        case .invalidWeight(let c, let v):
            return "Gaussian mixture: weight of component \(c) is \(v); weights must be finite and ≥ 0"
        case .weightsSumToZero:
            return "Gaussian mixture: weights sum to zero"
        case .invalidDivisor(let v):
            return "Gaussian mixture: post-sampling divisor is \(v); it must be finite and > 0"
        }
    }
}

/// A mixture of isotropic Gaussians: component k has mean μ_k, per-axis standard deviation
/// σ_k and weight w_k. A sample is (μ_c + σ_c·ε) / s, where c is drawn with the weights,
/// ε ∼ N(0, I), and s is an optional post-sampling divisor (the WGAN-GP toys divide by 1.414
/// or 2.828 after sampling; `benchmarks.md` §2.2). `modes` and `modeStandardDeviations`
/// report the geometry *after* that division, which is what every 3σ threshold must use.
public struct GaussianMixture: ModalDistribution, Codable, Equatable {
    /// Component means before the post-sampling division, [K][d].
    public let means: [[Double]]
    /// Per-axis standard deviation of each component before the division, length K.
    public let standardDeviations: [Double]
    /// Component probabilities, normalised to sum to 1.
    public let weights: [Double]
    /// Samples are divided by this after sampling (1 = no rescaling).
    public let postSamplingDivisor: Double

    /// A validated mixture. `standardDeviations` has one entry (shared) or one per component;
    /// `weights` defaults to uniform and is normalised.
    public init(means: [[Double]], standardDeviations: [Double], weights: [Double]? = nil,
                postSamplingDivisor: Double = 1) throws(GaussianMixtureError) {
        guard let first = means.first else { throw .noComponents }
        let d = first.count
        for (c, mean) in means.enumerated() {
            if mean.isEmpty { throw .emptyMean(component: c) }
            if mean.count != d { throw .dimensionMismatch(component: c, expected: d, got: mean.count) }
            if let i = mean.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteMean(component: c, coordinate: i, value: mean[i])
            }
        }
        let k = means.count
        let stds: [Double]
        switch standardDeviations.count {
        case 1: stds = Array(repeating: standardDeviations[0], count: k)
        case k: stds = standardDeviations
        default: throw .standardDeviationCount(expected: k, got: standardDeviations.count)
        }
        for (c, s) in stds.enumerated() where !(s.isFinite && s > 0) {
            throw .invalidStandardDeviation(component: c, value: s)
        }
        let raw = weights ?? Array(repeating: 1, count: k)
        if raw.count != k { throw .weightCount(expected: k, got: raw.count) }
        for (c, w) in raw.enumerated() where !(w.isFinite && w >= 0) { throw .invalidWeight(component: c, value: w) }
        let total = raw.reduce(0, +)
        if !(total > 0) { throw .weightsSumToZero }
        guard postSamplingDivisor.isFinite && postSamplingDivisor > 0 else { throw .invalidDivisor(postSamplingDivisor) }
        self.means = means
        self.standardDeviations = stds
        self.weights = raw.map { $0 / total }
        self.postSamplingDivisor = postSamplingDivisor
    }

    /// A user-defined mixture: equally weighted components with one shared per-axis std.
    /// Throws a precise error for no means, empty or unequal dimensions, non-finite values,
    /// or a std that is not finite and > 0.
    public init(userMeans: [[Double]], std: Double) throws(GaussianMixtureError) {
        try self.init(means: userMeans, standardDeviations: [std])
    }

    private enum CodingKeys: String, CodingKey { case means, standardDeviations, weights, postSamplingDivisor }

    /// Decoding validates like `init(means:…)`, so a mixture read from a config file is never
    /// malformed.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(means: c.decode([[Double]].self, forKey: .means),
                      standardDeviations: c.decode([Double].self, forKey: .standardDeviations),
                      weights: c.decodeIfPresent([Double].self, forKey: .weights),
                      postSamplingDivisor: c.decodeIfPresent(Double.self, forKey: .postSamplingDivisor) ?? 1)
    }

    public var componentCount: Int { means.count }
    public var sampleShape: [Int] { [means[0].count] }

    /// Mode centres after the post-sampling division.
    public var modes: [[Double]] { means.map { $0.map { $0 / postSamplingDivisor } } }
    /// Per-axis std of each mode after the post-sampling division.
    public var modeStandardDeviations: [Double] { standardDeviations.map { $0 / postSamplingDivisor } }

    /// Samples together with the component each was drawn from. The key is split into one
    /// key for the component choices and one for the noise, so both are fixed by the key.
    public func sampleWithComponents(_ n: Int, key: RandomKey, dtype: DType = .float32) -> (samples: Tensor, components: [Int]) {
        precondition(n >= 0, "GaussianMixture.sample: negative sample count \(n)")
        let d = means[0].count
        let componentKey = key.folded(in: 0), noiseKey = key.folded(in: 1)
        let components = componentCount == 1 ? Array(repeating: 0, count: n)
            : Random.categorical(weights, count: n, key: componentKey)
        return (build(components: components, noiseKey: noiseKey, dimension: d, dtype: dtype), components)
    }

    public func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        sampleWithComponents(n, key: key, dtype: dtype).samples
    }

    /// Samples with a prescribed component per row (e.g. WGAN-GP-25's 4,000 per centre).
    public func sample(components: [Int], key: RandomKey, dtype: DType = .float32) -> Tensor {
        for c in components {
            precondition(c >= 0 && c < componentCount, "GaussianMixture.sample(components:): component \(c) out of range 0..<\(componentCount)")
        }
        return build(components: components, noiseKey: key.folded(in: 1), dimension: means[0].count, dtype: dtype)
    }

    private func build(components: [Int], noiseKey: RandomKey, dimension d: Int, dtype: DType) -> Tensor {
        let n = components.count
        var values = Tensor.normal([n * d], key: noiseKey, dtype: .float64).doubles
        for (i, c) in components.enumerated() {
            let mean = means[c], s = standardDeviations[c]
            for j in 0..<d {
                // Same order of operations as the reference code: centre + σ·ε, then divide.
                values[i * d + j] = (mean[j] + s * values[i * d + j]) / postSamplingDivisor
            }
        }
        return Tensor(values, shape: [n, d], dtype: dtype)
    }

    /// The same mixture with components whose means coincide to within `tolerance`
    /// (Euclidean, pre-scaling) merged into one, their weights added. Used to expose the
    /// distinct modes of the legacy linspace ring, whose first and last centres coincide.
    /// Merging requires equal standard deviations; components with different σ stay apart.
    public func mergingCoincidentComponents(tolerance: Double = 1e-9) -> GaussianMixture {
        var keptMeans: [[Double]] = [], keptStds: [Double] = [], keptWeights: [Double] = []
        for k in 0..<componentCount {
            let match = keptMeans.indices.first { j in
                keptStds[j] == standardDeviations[k]
                    && zip(keptMeans[j], means[k]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot() <= tolerance
            }
            if let j = match { keptWeights[j] += weights[k] } else {
                keptMeans.append(means[k]); keptStds.append(standardDeviations[k]); keptWeights.append(weights[k])
            }
        }
        // The inputs were already validated, so this cannot fail.
        return try! GaussianMixture(means: keptMeans, standardDeviations: keptStds, weights: keptWeights,
                                    postSamplingDivisor: postSamplingDivisor)
    }
}
