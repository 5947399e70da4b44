import Tensor

/// How large a perturbation is: relative to the real batch's spread, or in data units.
public enum NoiseScale: Sendable, Hashable, Codable {
    /// `factor` × s, where s is the population standard deviation (ddof = 0) of **all entries**
    /// of the real batch, recomputed for every batch and treated as a constant.
    case relative(Double)
    /// A fixed scale in data units.
    case absolute(Double)

    /// The paper's noise N_d(0, c·I) (dragan.md §3.1): c is a variance, so σ = √c.
    public static func paper(c: Double) -> NoiseScale {
        precondition(c >= 0, "NoiseScale.paper(c:): the variance c must be non-negative, got \(c)")
        return .absolute(c.squareRoot())
    }

    func resolved(batchStandardDeviation s: Double) -> Double {
        switch self {
        case .relative(let factor): return factor * s
        case .absolute(let sigma): return sigma
        }
    }
}

/// Unit noise, drawn independently per element, before scaling.
public enum UnitNoise: Sendable, Hashable, Codable {
    /// Uniform on [low, high).
    case uniform(low: Double, high: Double)
    /// Standard normal.
    case gaussian
}

/// A perturbation x̂ = x + c_i · scale · u of real points: u is unit noise per element, scale
/// comes from `scale`, and c_i ~ U[0, 1) is one coefficient per sample (shared by all of that
/// sample's dimensions) when `perSampleCoefficient` is set, else 1. `clip` optionally clamps
/// the points to a data range afterwards (compare_gan's variant).
public struct Perturbation: Sendable, Hashable, Codable {
    public var noise: UnitNoise
    public var scale: NoiseScale
    public var perSampleCoefficient: Bool
    public var clip: ClosedRange<Double>?

    public init(noise: UnitNoise, scale: NoiseScale, perSampleCoefficient: Bool, clip: ClosedRange<Double>? = nil) {
        self.noise = noise
        self.scale = scale
        self.perSampleCoefficient = perSampleCoefficient
        self.clip = clip
    }
}

/// Where a gradient penalty is evaluated (dragan.md §3.4, many-paths.md §2).
public enum PenaltySampler: Sendable, Hashable, Codable {
    /// Perturbed real points.
    case perturbation(Perturbation)
    /// x̂_i = ε_i·x_i + (1 − ε_i)·G(z_i), ε_i ~ U[0, 1) per sample (WGAN-GP, GAN-GP): pair i is
    /// (real_i, fake_i), so both batches must have the same shape.
    case interpolation
    /// The real points themselves.
    case real
    /// The fake points themselves.
    case fake

    /// The authors' notebook (dragan.md §3.2): x + α·0.5·s·U[0, 1)^d, α ~ U[0, 1) per sample,
    /// s the batch standard deviation. Offsets lie in [0, 0.5·s), mean 0.125·s.
    public static var authors: PenaltySampler {
        .perturbation(Perturbation(noise: .uniform(low: 0, high: 1), scale: .relative(0.5), perSampleCoefficient: true))
    }

    /// The correction the authors name ("should have used [-1,1]"): x + α·0.5·s·U[−1, 1)^d.
    public static var symmetric: PenaltySampler {
        .perturbation(Perturbation(noise: .uniform(low: -1, high: 1), scale: .relative(0.5), perSampleCoefficient: true))
    }

    /// The paper's form: x + δ, δ ~ N(0, σ²I), no interpolation. σ is a standard deviation and
    /// has no default; `NoiseScale.paper(c:)` maps the paper's variance c to σ = √c.
    public static func gaussian(σ: NoiseScale) -> PenaltySampler {
        .perturbation(Perturbation(noise: .gaussian, scale: σ, perSampleCoefficient: false))
    }

    /// Draws the penalty points. The result carries the draws (noise, coefficients, scale) so
    /// tests can check how the points were made; everything is a constant for differentiation.
    public func draw(real: Tensor, fake: Tensor, key: RandomKey) -> PenaltyPoints {
        let real = real.detached(), fake = fake.detached()
        let batch = real.shape[0]
        let coefficientShape = [batch] + Array(repeating: 1, count: real.rank - 1)
        switch self {
        case .real:
            return PenaltyPoints(points: real)
        case .fake:
            return PenaltyPoints(points: fake)
        case .interpolation:
            precondition(real.shape == fake.shape,
                         "PenaltySampler.interpolation: real \(real.shape) and fake \(fake.shape) batches must have the same shape")
            let epsilon = Tensor.uniform(coefficientShape, key: key.folded(in: 1), dtype: real.dtype)
            return PenaltyPoints(points: epsilon * real + (1 - epsilon) * fake, coefficients: epsilon)
        case .perturbation(let perturbation):
            let s = Self.populationStandardDeviation(real)
            let scale = perturbation.scale.resolved(batchStandardDeviation: s)
            let noise: Tensor
            switch perturbation.noise {
            case let .uniform(low, high):
                noise = Tensor.uniform(real.shape, low: low, high: high, key: key.folded(in: 0), dtype: real.dtype)
            case .gaussian:
                noise = Tensor.normal(real.shape, key: key.folded(in: 0), dtype: real.dtype)
            }
            var offsets = noise * scale
            var coefficients: Tensor?
            if perturbation.perSampleCoefficient {
                let alpha = Tensor.uniform(coefficientShape, key: key.folded(in: 1), dtype: real.dtype)
                offsets = offsets * alpha
                coefficients = alpha
            }
            var points = real + offsets
            if let clip = perturbation.clip { points = points.clamped(clip.lowerBound, clip.upperBound) }
            return PenaltyPoints(points: points, coefficients: coefficients, noise: noise, scale: scale)
        }
    }

    /// √(mean (x − x̄)²) over every entry, accumulated in Double (NumPy's default ddof = 0).
    static func populationStandardDeviation(_ x: Tensor) -> Double {
        switch x.dtype {
        case .float32: return x.withUnsafeBufferPointer(as: Float.self) { standardDeviation($0) }
        case .float64: return x.withUnsafeBufferPointer(as: Double.self) { standardDeviation($0) }
        }
    }

    private static func standardDeviation<T: TensorScalar>(_ values: UnsafeBufferPointer<T>) -> Double {
        guard !values.isEmpty else { return 0 }
        var sum = 0.0
        for v in values { sum += Double(v) }
        let mean = sum / Double(values.count)
        var squares = 0.0
        for v in values { squares += (Double(v) - mean) * (Double(v) - mean) }
        return (squares / Double(values.count)).squareRoot()
    }
}

/// Penalty points and the draws that made them.
public struct PenaltyPoints: Sendable {
    /// The points x̂, same shape as the real batch, detached.
    public var points: Tensor
    /// Per-sample coefficients (α or ε), shape [B, 1, …], when the sampler draws them.
    public var coefficients: Tensor?
    /// The unit noise u before scaling, when the sampler perturbs.
    public var noise: Tensor?
    /// The resolved noise scale (e.g. 0.5·s for the authors' sampler).
    public var scale: Double?

    public init(points: Tensor, coefficients: Tensor? = nil, noise: Tensor? = nil, scale: Double? = nil) {
        self.points = points
        self.coefficients = coefficients
        self.noise = noise
        self.scale = scale
    }
}
