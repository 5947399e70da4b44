import CBLAS
import Foundation
import Tensor

/// First and second moments of a feature set: the Gaussian the Fréchet distance compares.
public struct FeatureMoments: Sendable, Codable, Equatable {
    public let mean: [Double]
    /// Row-major d×d covariance, symmetric positive semi-definite up to rounding.
    public let covariance: [Double]
    /// Samples the moments were estimated from (0 for exact, analytically given moments).
    public let count: Int

    public var dimension: Int { mean.count }

    /// Given moments (e.g. exact ones of a known Gaussian). The covariance must be finite,
    /// d×d and symmetric to 1e-10 of its largest entry; it is symmetrised exactly.
    public init(mean: [Double], covariance: [Double], count: Int = 0) throws(MetricError) {
        let d = mean.count
        guard d > 0 else { throw .noSamples(what: "FeatureMoments mean") }
        guard covariance.count == d * d else { throw .shapeMismatch(what: "FeatureMoments covariance", expected: "[\(d), \(d)]", got: [covariance.count]) }
        guard count >= 0 else { throw .invalidParameter("FeatureMoments: count \(count) must be ≥ 0") }
        if let i = mean.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: "FeatureMoments mean", row: 0, column: i) }
        if let i = covariance.firstIndex(where: { !$0.isFinite }) { throw .nonFinite(what: "FeatureMoments covariance", row: i / d, column: i % d) }
        let scale = covariance.reduce(0) { max($0, abs($1)) }
        var symmetric = covariance
        for i in 0..<d {
            for j in (i + 1)..<d {
                let a = covariance[i * d + j], b = covariance[j * d + i]
                guard abs(a - b) <= 1e-10 * scale else {
                    throw .invalidParameter("FeatureMoments: covariance is not symmetric at (\(i), \(j)): \(a) vs \(b)")
                }
                symmetric[i * d + j] = 0.5 * (a + b)
                symmetric[j * d + i] = symmetric[i * d + j]
            }
        }
        self.mean = mean
        self.covariance = symmetric
        self.count = count
    }

    /// Sample mean and **unbiased** (n − 1) covariance of features [N, D], N ≥ 2, in Float64.
    /// Two passes (centre, then Xcᵀ Xc by one GEMM) so a large common offset does not cancel.
    public init(features: Tensor, what: String = "FeatureMoments features") throws(MetricError) {
        let (x, n, d) = try featureMatrix(features, what: what)
        guard n >= 2 else { throw .tooFewSamples(what: "\(what) (unbiased covariance)", needed: 2, got: n) }
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += x[i * d + j] } }
        for j in 0..<d { mean[j] /= Double(n) }
        var centred = x
        for i in 0..<n { for j in 0..<d { centred[i * d + j] -= mean[j] } }
        var cov = [Double](repeating: 0, count: d * d)
        _ = BLASThreads.current   // one-thread pinning, as for Tensor's GEMMs: reproducible on any machine
        centred.withUnsafeBufferPointer { c in
            cov.withUnsafeMutableBufferPointer { s in
                cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(n), 1 / Double(n - 1),
                            c.baseAddress, Int32(d), c.baseAddress, Int32(d), 0, s.baseAddress, Int32(d))
            }
        }
        // GEMM need not return a bitwise-symmetric XᵀX; make it exactly symmetric.
        for i in 0..<d { for j in (i + 1)..<d { let v = 0.5 * (cov[i * d + j] + cov[j * d + i]); cov[i * d + j] = v; cov[j * d + i] = v } }
        self.mean = mean
        self.covariance = cov
        self.count = n
    }
}

/// Fréchet Classifier Distance (`benchmarks.md` §7): the Fréchet (2-Wasserstein) distance
/// between Gaussians fitted to a classifier's penultimate-layer features of real and generated
/// images,
///
///     FCD = ‖μ_r − μ_g‖² + Tr(Σ_r + Σ_g − 2 (Σ_r^{1/2} Σ_g Σ_r^{1/2})^{1/2}).
///
/// It is the FID formula on an in-repo classifier, so it is labelled **FCD** and never FID: it is
/// not comparable with any published FID.
///
/// Numerics: Float64 throughout; unbiased covariances; the cross term through two symmetric
/// eigendecompositions instead of a general matrix square root (which can return complex values
/// and NaN for the singular covariances that N < D or dead features produce):
/// 1. Σ_r = V diag(w) Vᵀ, w clamped at 0;
/// 2. M = diag(√w) (Vᵀ Σ_g V) diag(√w), which is orthogonally similar to Σ_r^{1/2} Σ_g Σ_r^{1/2}
///    (conjugate by V), so it has the same eigenvalues but costs no extra product to form;
/// 3. Tr(M^{1/2}) = Σ √max(λ_i(M), 0).
/// The result is clamped at 0, so rounding never makes it negative. Eigenvalues that were exactly
/// zero come back as ±ε‖M‖, and √ of that adds up to √ε·‖Σ‖ ≈ 1.5e-8‖Σ‖ per null direction; well
/// conditioned covariances are accurate to about 1e-15 relative.
public struct FrechetClassifierDistance: Sendable {
    public let extractor: ClassifierIdentity
    /// Which real data the reference features came from (e.g. "MNIST test split, 10,000 images").
    public let referenceSplit: String

    public init(extractor: ClassifierIdentity, referenceSplit: String) throws(MetricError) {
        guard !referenceSplit.isEmpty else { throw .invalidParameter("FrechetClassifierDistance: empty reference split") }
        self.extractor = extractor
        self.referenceSplit = referenceSplit
    }

    /// FCD between real and generated features, each [N, D] with N ≥ 2 and the same D.
    public func evaluate(real: Tensor, fake: Tensor, context: MetricContext) throws(MetricError) -> FrechetClassifierDistanceResult {
        let r = try FeatureMoments(features: real, what: "FCD real features")
        let g = try FeatureMoments(features: fake, what: "FCD fake features")
        return try evaluate(real: r, fake: g, context: context)
    }

    /// FCD between given moments; n_real and n_fake in the protocol are the moments' counts
    /// (0 for exact moments).
    public func evaluate(real: FeatureMoments, fake: FeatureMoments, context: MetricContext) throws(MetricError) -> FrechetClassifierDistanceResult {
        let terms = try Self.distance(real, fake)
        let proto = MetricProtocol(metric: "FCD (\(context.dataset), \(extractor.id))", context: context, nFake: fake.count,
                                   nReal: real.count, referenceSplit: referenceSplit, extractor: extractor.protocolText,
                                   thresholds: "Float64; unbiased (n − 1) covariances of \(real.dimension)-D features; cross term via two symmetric eigendecompositions, eigenvalues clamped at 0")
        return FrechetClassifierDistanceResult(metricProtocol: proto, value: terms.value, meanTerm: terms.meanTerm,
                                               traceReal: terms.traceReal, traceFake: terms.traceFake, crossTerm: terms.crossTerm,
                                               clampedEigenvalues: terms.clampedEigenvalues, dimension: real.dimension)
    }

    /// The distance and its parts, without a protocol.
    public static func distance(_ real: FeatureMoments, _ fake: FeatureMoments) throws(MetricError) -> FrechetTerms {
        let d = real.dimension
        guard fake.dimension == d else { throw .dimensionMismatch(what: "FCD fake features", expected: d, got: fake.dimension) }
        var meanTerm = 0.0
        for j in 0..<d { let delta = real.mean[j] - fake.mean[j]; meanTerm += delta * delta }
        var traceReal = 0.0, traceFake = 0.0
        for j in 0..<d { traceReal += real.covariance[j * d + j]; traceFake += fake.covariance[j * d + j] }

        let first = try SymmetricEigen(real.covariance, dimension: d)
        var clamped = first.values.filter { $0 < 0 }.count
        let root = first.values.map { max($0, 0).squareRoot() }
        // G = Vᵀ Σ_g V, then M_ij = √w_i G_ij √w_j.
        var product = [Double](repeating: 0, count: d * d)
        var rotated = [Double](repeating: 0, count: d * d)
        _ = BLASThreads.current
        first.vectors.withUnsafeBufferPointer { v in
            fake.covariance.withUnsafeBufferPointer { s in
                product.withUnsafeMutableBufferPointer { p in
                    // P = Σ_g V
                    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d), 1,
                                s.baseAddress, Int32(d), v.baseAddress, Int32(d), 0, p.baseAddress, Int32(d))
                }
            }
            product.withUnsafeBufferPointer { p in
                rotated.withUnsafeMutableBufferPointer { g in
                    // G = Vᵀ P
                    cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, Int32(d), Int32(d), Int32(d), 1,
                                v.baseAddress, Int32(d), p.baseAddress, Int32(d), 0, g.baseAddress, Int32(d))
                }
            }
        }
        var m = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for j in i..<d {
                let v = root[i] * root[j] * 0.5 * (rotated[i * d + j] + rotated[j * d + i])
                m[i * d + j] = v
                m[j * d + i] = v
            }
        }
        let second = try SymmetricEigen(m, dimension: d, computeVectors: false)
        clamped += second.values.filter { $0 < 0 }.count
        let crossTerm = second.values.reduce(0) { $0 + max($1, 0).squareRoot() }
        let value = max(meanTerm + traceReal + traceFake - 2 * crossTerm, 0)
        return FrechetTerms(value: value, meanTerm: meanTerm, traceReal: traceReal, traceFake: traceFake,
                            crossTerm: crossTerm, clampedEigenvalues: clamped)
    }
}

/// The parts of a Fréchet distance: value = max(meanTerm + traceReal + traceFake − 2·crossTerm, 0).
public struct FrechetTerms: Sendable, Codable, Equatable {
    public let value: Double
    /// ‖μ_r − μ_g‖².
    public let meanTerm: Double
    /// Tr Σ_r and Tr Σ_g.
    public let traceReal: Double
    public let traceFake: Double
    /// Tr((Σ_r^{1/2} Σ_g Σ_r^{1/2})^{1/2}).
    public let crossTerm: Double
    /// Negative eigenvalues (rounding of singular directions) set to 0 in the two decompositions.
    public let clampedEigenvalues: Int
}

/// The outcome of `FrechetClassifierDistance.evaluate`.
public struct FrechetClassifierDistanceResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    /// The FCD, ≥ 0.
    public let value: Double
    public let meanTerm: Double
    public let traceReal: Double
    public let traceFake: Double
    public let crossTerm: Double
    public let clampedEigenvalues: Int
    /// Feature width D.
    public let dimension: Int

    public var report: String {
        "\(metricProtocol.metric) = \(String(format: "%.6g", value)) (mean term \(String(format: "%.6g", meanTerm)), \(dimension)-D features, n_real \(metricProtocol.nReal), n_fake \(metricProtocol.nFake))\n"
            + metricProtocol.line
    }
}
