import NN
import Tensor

/// The empirical neural tangent kernel of a generator network at its current parameters,
/// coarse-grained to one scalar per pair of latent inputs (spec particles.md §2.1–2.2):
///
///     Θ^{μν}(z_i, z_j) = Σ_p ∂G_μ(z_i)/∂θ_p · ∂G_ν(z_j)/∂θ_p,
///     κ_ij = (1/d) Σ_μ Θ^{μμ}(z_i, z_j),
///
/// then rescaled so that the mean diagonal entry is 1 (the overall scale is absorbed into
/// η_G, as for the two-number kernel). The result is a Gram matrix, hence positive
/// semi-definite. Its `effectivePhi` (mean off-diagonal entry) says how close the network is to
/// the coarse-grained (1 − φ)I + φ𝟙𝟙ᵀ form.
///
/// Each sample's Jacobian is taken from its own batch-of-one forward pass (N·d backward
/// passes), so the generator must treat samples independently (no BatchNorm).
public enum EmpiricalNTK {
    public static func kernel(generator: some Layer, latents z: Tensor, name: String = "empirical-ntk") throws(ParticleModelError) -> DenseKernel {
        guard z.rank == 2, z.shape[0] >= 1 else {
            throw .invalidParameter("empirical NTK: latents must be [N, latentDim], got \(z.shape)")
        }
        let n = z.shape[0]
        let parameterNames = generator.parameters.keys.sorted()
        guard !parameterNames.isEmpty else { throw .invalidParameter("empirical NTK: the generator has no parameters") }
        let parameters = parameterNames.map { generator.parameters[$0]! }
        var rows: [[Double]] = []   // one row per (sample, output coordinate)
        var outputs = 0
        for i in 0..<n {
            let x = generator(z.slice(axis: 0, i..<(i + 1)))
            let d = x.count
            if i == 0 { outputs = d } else if d != outputs {
                throw .invalidParameter("empirical NTK: output size changed between samples (\(outputs) vs \(d))")
            }
            let flat = x.reshaped([1, d])
            for mu in 0..<d {
                var seedValues = [Double](repeating: 0, count: d)
                seedValues[mu] = 1
                let seed = Tensor(seedValues, shape: [1, d]).cast(to: x.dtype)
                let grads = gradients(of: flat, wrt: parameters, seed: seed)
                rows.append(grads.flatMap { $0.scalars(as: Double.self) })
            }
        }
        let d = outputs
        let p = rows[0].count
        let jacobian = Tensor(rows.flatMap { $0 }, shape: [n * d, p])
        let gram = jacobian.matmul(jacobian, transposeOther: true).scalars(as: Double.self)   // [n·d, n·d]
        var kappa = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for mu in 0..<d { s += gram[(i * d + mu) * (n * d) + (j * d + mu)] }
                kappa[i * n + j] = s / Double(d)
            }
        }
        let meanDiagonal = (0..<n).map { kappa[$0 * n + $0] }.reduce(0, +) / Double(n)
        guard meanDiagonal > 0, meanDiagonal.isFinite else {
            throw .invalidParameter("empirical NTK: the kernel's diagonal is \(meanDiagonal); the generator's outputs do not depend on its parameters")
        }
        // Symmetrise away rounding so the PSD check sees an exactly symmetric matrix.
        var normalised = kappa
        for i in 0..<n {
            for j in 0..<n { normalised[i * n + j] = (kappa[i * n + j] + kappa[j * n + i]) / (2 * meanDiagonal) }
        }
        return try DenseKernel(name: name, size: n, values: normalised)
    }
}
