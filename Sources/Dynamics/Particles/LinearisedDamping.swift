import Foundation

/// The linearised particle–discriminator system of spec particles.md §4 (Dirac-GAN style):
/// one data point at 0 in one dimension, N particles at a common position x, a linear logit
/// f(x) = ψ·x, the NS particle loss, BCE plus R1 (γ/2)ψ² for the discriminator. Near (0, 0):
///
///     ẋ = a·ψ,   ψ̇ = −b·x − c·ψ,   a = η_G κ / 2,  b = η_D / 2,  c = η_D γ,
///
/// with κ = 1 + (N − 1)φ, characteristic equation λ² + cλ + ab = 0 and critical damping at
/// c = 2√(ab), i.e. γ_crit = √(η_G κ / η_D). Time is measured in steps when a, b, c come from
/// step sizes.
public struct LinearisedDamping: Sendable, Equatable {
    public var a: Double
    public var b: Double
    public var c: Double

    public init(a: Double, b: Double, c: Double) {
        precondition(a > 0 && b > 0 && c >= 0, "LinearisedDamping: needs a, b > 0 and c ≥ 0")
        self.a = a; self.b = b; self.c = c
    }

    /// The system of a particle run: a = η_G κ/2, b = η_D/2, c = η_D γ.
    public init(particleLR: Double, discriminatorLR: Double, coupling kappa: Double, gamma: Double) {
        self.init(a: particleLR * kappa / 2, b: discriminatorLR / 2, c: discriminatorLR * gamma)
    }

    /// γ_crit = √(η_G κ / η_D).
    public static func criticalGamma(particleLR: Double, discriminatorLR: Double, coupling kappa: Double) -> Double {
        (particleLR * kappa / discriminatorLR).squareRoot()
    }

    public enum Regime: String, Sendable {
        case undamped, underDamped = "under-damped", critical = "critically damped", overDamped = "over-damped"
    }

    public var regime: Regime {
        let discriminant = c * c - 4 * a * b
        if c == 0 { return .undamped }
        if Swift.abs(discriminant) <= 1e-12 * c * c { return .critical }
        return discriminant < 0 ? .underDamped : .overDamped
    }

    /// The eigenvalues of [[0, a], [−b, −c]] as (real, imaginary) pairs, larger real part first.
    public var eigenvalues: [(re: Double, im: Double)] {
        let discriminant = c * c - 4 * a * b
        if discriminant >= 0 {
            let root = discriminant.squareRoot()
            return [((-c + root) / 2, 0), ((-c - root) / 2, 0)]
        }
        let omega = (-discriminant).squareRoot() / 2
        return [(-c / 2, omega), (-c / 2, -omega)]
    }

    /// max Re λ (the asymptotic decay rate is its negative).
    public var spectralAbscissa: Double { eigenvalues[0].re }

    /// The state at time t from (x0, ψ0): e^{At} = e^{−ct/2}[C(t)·I + S(t)·(A + (c/2)I)], with
    /// C, S = cosh μt, sinh(μt)/μ (μ² = c²/4 − ab > 0), cos ωt, sin(ωt)/ω (ω² = −μ²), or 1, t.
    public func state(at t: Double, from start: (x: Double, psi: Double)) -> (x: Double, psi: Double) {
        let m = c * c / 4 - a * b
        let C: Double, S: Double
        var decay = exp(-c * t / 2)
        if Swift.abs(m) <= 1e-14 * Swift.max(c * c, a * b) {
            C = 1; S = t
        } else if m > 0 {
            // Over-damped: fold e^{−ct/2} into C and S (e^{(μ−c/2)t}(1 ± e^{−2μt})/2), because
            // cosh μt and sinh μt alone overflow for large μt although the product decays.
            let mu = m.squareRoot()
            let envelope = exp((mu - c / 2) * t)
            C = envelope * (1 + exp(-2 * mu * t)) / 2; S = envelope * -expm1(-2 * mu * t) / (2 * mu)
            decay = 1
        } else {
            let omega = (-m).squareRoot()
            C = cos(omega * t); S = sin(omega * t) / omega
        }
        // A + (c/2)I = [[c/2, a], [−b, −c/2]]
        let x = decay * (C * start.x + S * (c / 2 * start.x + a * start.psi))
        let psi = decay * (C * start.psi + S * (-b * start.x - c / 2 * start.psi))
        return (x, psi)
    }

    /// The time after which ‖(x, ψ)‖ (or |x| alone, with `positionOnly`) stays below
    /// `tolerance` (∞ when undamped). Scans a grid of `resolution` up to a horizon where the
    /// decay envelope is far below the tolerance, then bisects the last crossing.
    public func timeToTolerance(_ tolerance: Double = 1e-3, from start: (x: Double, psi: Double) = (1, 0),
                                positionOnly: Bool = false, resolution: Double = 1e-3) -> Double {
        let rate = -spectralAbscissa
        guard rate > 0 else { return .infinity }
        func norm(_ t: Double) -> Double {
            let s = state(at: t, from: start)
            return positionOnly ? Swift.abs(s.x) : (s.x * s.x + s.psi * s.psi).squareRoot()
        }
        let scale = Swift.max(1, (start.x * start.x + start.psi * start.psi).squareRoot())
        let horizon = (log(scale / tolerance) + 12) / rate * 1.5 + 20
        var lastAbove = -1.0
        var t = 0.0
        while t <= horizon {
            if norm(t) >= tolerance { lastAbove = t }
            t += resolution
        }
        guard lastAbove >= 0 else { return 0 }
        var lo = lastAbove, hi = lastAbove + resolution
        for _ in 0..<60 {
            let mid = (lo + hi) / 2
            if norm(mid) >= tolerance { lo = mid } else { hi = mid }
        }
        return (lo + hi) / 2
    }
}

/// The reduced particle model of §4 simulated as it is trained, without linearisation: N
/// particles at a common x (the coupling acts through κ = 1 + (N − 1)φ), logit ψ·x, one data
/// point at 0, NS particle loss, BCE + R1 discriminator loss, simultaneous steps:
///
///     x ← x + η_G κ ψ σ(−ψx),   ψ ← ψ − η_D (σ(ψx)·x + γψ).
public struct ReducedParticleSimulation: Sendable {
    public var particleLR: Double
    public var discriminatorLR: Double
    public var coupling: Double
    public var gamma: Double

    public init(particleLR: Double, discriminatorLR: Double, coupling: Double, gamma: Double) {
        self.particleLR = particleLR; self.discriminatorLR = discriminatorLR; self.coupling = coupling; self.gamma = gamma
    }

    public func step(_ s: (x: Double, psi: Double)) -> (x: Double, psi: Double) {
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        let x = s.x + particleLR * coupling * s.psi * sigmoid(-s.psi * s.x)
        let psi = s.psi - discriminatorLR * (sigmoid(s.psi * s.x) * s.x + gamma * s.psi)
        return (x, psi)
    }

    public func trajectory(from start: (x: Double, psi: Double), steps: Int) -> [(x: Double, psi: Double)] {
        var states = [start]
        states.reserveCapacity(steps + 1)
        var s = start
        for _ in 0..<steps { s = step(s); states.append(s) }
        return states
    }

    /// The per-step contraction factor identified from a simulated trajectory: the 2×2 map
    /// M fitted by least squares to s_{t+1} ≈ M s_t over the whole run, and the largest
    /// modulus of its eigenvalues. Started small, the run stays in the linear regime, so this
    /// measures the simulation's own asymptotic rate: −log ρ per step.
    public func identifiedSpectralRadius(from start: (x: Double, psi: Double) = (1e-3, 0), steps: Int) -> Double {
        let states = trajectory(from: start, steps: steps)
        // Normal equations: M = (Σ s' sᵀ)(Σ s sᵀ)⁻¹; rescale each pair to unit norm so late,
        // tiny states weigh as much as early ones.
        var xx = 0.0, xp = 0.0, pp = 0.0
        var yx = (0.0, 0.0), yp = (0.0, 0.0)
        for t in 0..<steps {
            let s = states[t], n = states[t + 1]
            let w = 1 / Swift.max(s.x * s.x + s.psi * s.psi, 1e-300)
            xx += w * s.x * s.x; xp += w * s.x * s.psi; pp += w * s.psi * s.psi
            yx.0 += w * n.x * s.x; yx.1 += w * n.x * s.psi
            yp.0 += w * n.psi * s.x; yp.1 += w * n.psi * s.psi
        }
        let det = xx * pp - xp * xp
        guard det != 0 else { return .nan }
        let inv = (pp / det, -xp / det, xx / det)   // [[i0, i1], [i1, i2]]
        let m00 = yx.0 * inv.0 + yx.1 * inv.1, m01 = yx.0 * inv.1 + yx.1 * inv.2
        let m10 = yp.0 * inv.0 + yp.1 * inv.1, m11 = yp.0 * inv.1 + yp.1 * inv.2
        let trace = m00 + m11, determinant = m00 * m11 - m01 * m10
        let discriminant = trace * trace / 4 - determinant
        if discriminant >= 0 {
            let root = discriminant.squareRoot()
            return Swift.max(Swift.abs(trace / 2 + root), Swift.abs(trace / 2 - root))
        }
        return Swift.max(determinant, 0).squareRoot()   // complex pair: |λ|² = det
    }

    /// The γ that minimises the identified spectral radius, by golden-section search over
    /// log γ in [lower, upper] (the radius is unimodal in γ: falling while under-damped,
    /// rising once over-damped).
    public static func fastestGamma(particleLR: Double, discriminatorLR: Double, coupling: Double,
                                    lower: Double, upper: Double, steps: Int, iterations: Int = 40) -> Double {
        func radius(_ logGamma: Double) -> Double {
            ReducedParticleSimulation(particleLR: particleLR, discriminatorLR: discriminatorLR, coupling: coupling,
                                      gamma: exp(logGamma)).identifiedSpectralRadius(steps: steps)
        }
        let ratio = (5.0.squareRoot() - 1) / 2
        var lo = log(lower), hi = log(upper)
        var p = hi - ratio * (hi - lo), q = lo + ratio * (hi - lo)
        var fp = radius(p), fq = radius(q)
        for _ in 0..<iterations {
            if fp < fq { hi = q; q = p; fq = fp; p = hi - ratio * (hi - lo); fp = radius(p) }
            else { lo = p; p = q; fp = fq; q = lo + ratio * (hi - lo); fq = radius(q) }
        }
        return exp((lo + hi) / 2)
    }
}
