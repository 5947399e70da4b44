import Foundation

/// How the particles' updates are coupled (spec particles.md §2.3): particle i moves by
/// −η_G Σ_j K_ij g_j, with g_j = ∇_x ℓ_G(x_j) and K positive semi-definite.
///
/// The default `uniform(φ)` kernel K = (1 − φ)I + φ𝟙𝟙ᵀ is applied with the sum trick,
/// (K·G)_i = (1 − φ)g_i + φ·Σ_j g_j, in O(N·d); only `dense` kernels cost O(N²·d).
public enum ParticleKernel: Sendable, Equatable {
    /// K = (1 − φ)I + φ𝟙𝟙ᵀ, φ ∈ [0, 1]: the collective mode moves 1 + (N − 1)φ times faster
    /// than a single particle, relative motion 1 − φ times as fast (the project default).
    case uniform(phi: Double)
    /// (1 − φ)g_i + φ·mean_j g_j, i.e. K = (1 − φ)I + (φ/N)𝟙𝟙ᵀ: the same shape with the
    /// coupling normalised by N (spec §2.3's alternative; φ = 0.01 is then nearly 0 for N = 100).
    case meanCoupled(phi: Double)
    /// Any symmetric positive semi-definite N×N matrix, row-major (e.g. an empirical NTK).
    case dense(DenseKernel)

    /// A short description for protocol lines.
    public var description: String {
        switch self {
        case .uniform(let phi): return "uniform(phi=\(phi))"
        case .meanCoupled(let phi): return "mean-coupled(phi=\(phi))"
        case .dense(let k): return "dense(\(k.name), N=\(k.size), effective phi=\(String(format: "%.4f", k.effectivePhi)))"
        }
    }

    /// φ of the two-number kernels; for a dense kernel its mean off-diagonal over mean diagonal.
    public var phi: Double {
        switch self {
        case .uniform(let phi), .meanCoupled(let phi): return phi
        case .dense(let k): return k.effectivePhi
        }
    }

    /// κ, the kernel's mean row sum: the rate of the centre-of-mass mode relative to one free
    /// particle, i.e. how fast N particles at a common position move (spec §4). 1 + (N − 1)φ
    /// for `uniform`, 1 for `meanCoupled` (its row sums are (1 − φ) + φ).
    public func collectiveRate(particles n: Int) -> Double {
        switch self {
        case .uniform(let phi): return 1 + Double(n - 1) * phi
        case .meanCoupled: return 1
        case .dense(let k): return k.values.reduce(0, +) / Double(k.size)
        }
    }

    /// Checks the kernel against a particle count.
    public func validate(particles n: Int) throws(ParticleModelError) {
        switch self {
        case .uniform(let phi), .meanCoupled(let phi):
            guard phi.isFinite, (0...1).contains(phi) else {
                throw .invalidParameter("phi must be in [0, 1] (K = (1 − φ)I + φ𝟙𝟙ᵀ stays positive semi-definite only there), got \(phi)")
            }
        case .dense(let k):
            guard k.size == n else {
                throw .invalidParameter("the dense kernel '\(k.name)' is \(k.size)×\(k.size) but there are \(n) particles")
            }
        }
    }

    /// K·G for a gradient matrix G [n, d] (row-major), written into `out` (same size).
    public func apply(_ g: UnsafeBufferPointer<Double>, rows n: Int, columns d: Int, into out: UnsafeMutableBufferPointer<Double>) {
        precondition(g.count == n * d && out.count == n * d, "ParticleKernel.apply: buffers must hold \(n)×\(d) values")
        switch self {
        case .uniform(let phi):
            Self.sumTrick(g, n, d, diagonal: 1 - phi, common: phi, into: out)
        case .meanCoupled(let phi):
            Self.sumTrick(g, n, d, diagonal: 1 - phi, common: phi / Double(max(n, 1)), into: out)
        case .dense(let k):
            precondition(k.size == n, "ParticleKernel.apply: dense kernel is \(k.size)×\(k.size), got \(n) particles")
            k.multiply(g, columns: d, into: out)
        }
    }

    /// Convenience over arrays.
    public func apply(_ g: [Double], rows n: Int, columns d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: n * d)
        g.withUnsafeBufferPointer { src in out.withUnsafeMutableBufferPointer { apply(src, rows: n, columns: d, into: $0) } }
        return out
    }

    /// out_i = a·g_i + c·Σ_j g_j: one pass for the column sums, one for the update.
    private static func sumTrick(_ g: UnsafeBufferPointer<Double>, _ n: Int, _ d: Int, diagonal a: Double, common c: Double,
                                 into out: UnsafeMutableBufferPointer<Double>) {
        var columnSums = [Double](repeating: 0, count: d)
        if c != 0 {
            for i in 0..<n {
                let row = i * d
                for k in 0..<d { columnSums[k] += g[row + k] }
            }
            for k in 0..<d { columnSums[k] *= c }
        }
        for i in 0..<n {
            let row = i * d
            for k in 0..<d { out[row + k] = a * g[row + k] + columnSums[k] }
        }
    }

    /// The dense N×N matrix of this kernel (tests and spectra; O(N²)).
    public func matrix(particles n: Int) -> [Double] {
        switch self {
        case .uniform(let phi):
            return (0..<(n * n)).map { $0 / n == $0 % n ? 1 : phi }
        case .meanCoupled(let phi):
            return (0..<(n * n)).map { ($0 / n == $0 % n ? 1 - phi : 0) + phi / Double(n) }
        case .dense(let k):
            return k.values
        }
    }
}

/// A symmetric positive semi-definite N×N kernel stored densely.
public struct DenseKernel: Sendable, Equatable {
    public let name: String
    public let size: Int
    /// Row-major N×N values.
    public let values: [Double]

    /// Validates symmetry (to 1e-9 relative) and positive semi-definiteness: a Cholesky
    /// factorisation of K + 1e-9·max|K|·I must succeed (O(N³/3), about a second at N = 2,000).
    public init(name: String, size n: Int, values: [Double]) throws(ParticleModelError) {
        guard n >= 1, values.count == n * n else {
            throw .invalidParameter("dense kernel '\(name)': expected \(n)×\(n) = \(n * n) values, got \(values.count)")
        }
        guard values.allSatisfy(\.isFinite) else { throw .invalidParameter("dense kernel '\(name)': has non-finite entries") }
        let scale = values.map(Swift.abs).max() ?? 0
        for i in 0..<n {
            for j in (i + 1)..<max(i + 1, n) where Swift.abs(values[i * n + j] - values[j * n + i]) > 1e-9 * max(scale, 1e-300) {
                throw .invalidParameter("dense kernel '\(name)': not symmetric at (\(i), \(j)): \(values[i * n + j]) vs \(values[j * n + i])")
            }
        }
        if let pivot = Self.choleskyFailure(values, n, shift: 1e-9 * max(scale, 1e-300)) {
            throw .invalidParameter("dense kernel '\(name)': not positive semi-definite (Cholesky of K + 1e-9·max|K|·I fails at pivot \(pivot))")
        }
        self.name = name
        self.size = n
        self.values = values
    }

    /// The first pivot at which a lower Cholesky factorisation of K + shift·I breaks down (nil
    /// when it succeeds, i.e. K + shift·I is positive definite).
    static func choleskyFailure(_ a: [Double], _ n: Int, shift: Double) -> Int? {
        var l = [Double](repeating: 0, count: n * n)
        for j in 0..<n {
            var diagonal = a[j * n + j] + shift
            for k in 0..<j { diagonal -= l[j * n + k] * l[j * n + k] }
            guard diagonal > 0 else { return j }
            let root = diagonal.squareRoot()
            l[j * n + j] = root
            for i in (j + 1)..<max(j + 1, n) {
                var s = a[i * n + j]
                for k in 0..<j { s -= l[i * n + k] * l[j * n + k] }
                l[i * n + j] = s / root
            }
        }
        return nil
    }

    /// Mean off-diagonal entry over mean diagonal entry: the φ of the closest two-number kernel.
    public var effectivePhi: Double {
        guard size > 1 else { return 0 }
        var diagonal = 0.0, off = 0.0
        for i in 0..<size {
            for j in 0..<size {
                if i == j { diagonal += values[i * size + j] } else { off += values[i * size + j] }
            }
        }
        diagonal /= Double(size)
        off /= Double(size * (size - 1))
        return diagonal == 0 ? 0 : off / diagonal
    }

    /// out = K·G for G [N, d].
    func multiply(_ g: UnsafeBufferPointer<Double>, columns d: Int, into out: UnsafeMutableBufferPointer<Double>) {
        let n = size
        for i in 0..<n {
            let outRow = i * d
            for k in 0..<d { out[outRow + k] = 0 }
            for j in 0..<n {
                let w = values[i * n + j]
                if w == 0 { continue }
                let row = j * d
                for k in 0..<d { out[outRow + k] += w * g[row + k] }
            }
        }
    }
}

/// Eigenvalues of small symmetric matrices by cyclic Jacobi rotations (exact to rounding;
/// O(N³) per sweep, fine for the kernels and 2×2 systems this module inspects).
public enum SymmetricEigen {
    public static func eigenvalues(_ matrix: [Double], size n: Int, sweeps: Int = 100) -> [Double] {
        precondition(matrix.count == n * n, "SymmetricEigen: expected \(n * n) values, got \(matrix.count)")
        var a = matrix
        for _ in 0..<sweeps {
            var off = 0.0
            for p in 0..<n { for q in (p + 1)..<max(p + 1, n) { off += a[p * n + q] * a[p * n + q] } }
            if off < 1e-30 { break }
            for p in 0..<n {
                for q in (p + 1)..<max(p + 1, n) {
                    let apq = a[p * n + q]
                    if Swift.abs(apq) < 1e-300 { continue }
                    let theta = (a[q * n + q] - a[p * n + p]) / (2 * apq)
                    let t = (theta >= 0 ? 1.0 : -1.0) / (Swift.abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<n {
                        let akp = a[k * n + p], akq = a[k * n + q]
                        a[k * n + p] = c * akp - s * akq
                        a[k * n + q] = s * akp + c * akq
                    }
                    for k in 0..<n {
                        let apk = a[p * n + k], aqk = a[q * n + k]
                        a[p * n + k] = c * apk - s * aqk
                        a[q * n + k] = s * apk + c * aqk
                    }
                }
            }
        }
        return (0..<n).map { a[$0 * n + $0] }.sorted()
    }
}

/// Errors of the particle model: bad parameters, divergence, unreadable targets.
public enum ParticleModelError: Error, Equatable, CustomStringConvertible {
    case invalidParameter(String)
    case diverged(step: Int, what: String)
    case unreadableTarget(String)

    public var description: String {
        switch self {
        case .invalidParameter(let message): return "particle model: \(message)"
        case .diverged(let step, let what):
            return "particle model diverged at step \(step): \(what) is not finite (lower the learning rates or add a gradient penalty)"
        case .unreadableTarget(let message): return "particle model: \(message)"
        }
    }
}
