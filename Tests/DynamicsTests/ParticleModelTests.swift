import Foundation
import Games
import Metrics
import NN
import Optim
import Tensor
import Testing
@testable import Dynamics

// Spec particles.md §8 items 1–7, 10, 11 and the particle model's plumbing (kernels, targets,
// configs, determinism, divergence).

/// The particle-model error `body` throws, or nil (any other error is recorded as an issue).
private func caught<T>(_ body: () throws -> T) -> ParticleModelError? {
    do {
        _ = try body()
        return nil
    } catch let error as ParticleModelError {
        return error
    } catch {
        Issue.record("expected a ParticleModelError, got \(error)")
        return nil
    }
}

/// The message of an `.invalidParameter` or `.unreadableTarget` error ("" otherwise).
private func message(_ error: ParticleModelError?) -> String {
    switch error {
    case .invalidParameter(let text)?, .unreadableTarget(let text)?: return text
    default: return ""
    }
}

private func maxAbsDifference(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a, b).reduce(0) { max($0, abs($1.0 - $1.1)) }
}

/// Dense K·G, the O(N²d) reference for the sum trick.
private func denseProduct(_ k: [Double], _ g: [Double], n: Int, d: Int) -> [Double] {
    var out = [Double](repeating: 0, count: n * d)
    for i in 0..<n {
        for c in 0..<d {
            var s = 0.0
            for j in 0..<n { s += k[i * n + j] * g[j * d + c] }
            out[i * d + c] = s
        }
    }
    return out
}

private func randomMatrix(_ rows: Int, _ columns: Int, seed: UInt64) -> [Double] {
    Tensor.normal([rows, columns], key: RandomKey(seed: seed), dtype: .float64).doubles
}

/// Central differences of `f` with respect to every parameter entry of `module` (names sorted,
/// entries row-major): one row (f(θ + h e_p) − f(θ − h e_p)) / 2h per entry. The module's
/// parameters are restored afterwards.
private func centralDifferences(of module: some Module, step h: Double, _ f: () -> [Double]) throws -> [[Double]] {
    let original = module.parameters.mapValues { $0.detached() }
    defer { try? module.setParameters(original) }
    var rows: [[Double]] = []
    for name in original.keys.sorted() {
        for p in 0..<original[name]!.count {
            var values = original
            var plus = original[name]!.doubles, minus = plus
            plus[p] += h
            minus[p] -= h
            values[name] = Tensor(plus, shape: original[name]!.shape)
            try module.setParameters(values)
            let fPlus = f()
            values[name] = Tensor(minus, shape: original[name]!.shape)
            try module.setParameters(values)
            rows.append(zip(fPlus, f()).map { ($0 - $1) / (2 * h) })
        }
    }
    return rows
}

/// A Float64 particle system against the eight-point ring with a small tanh MLP discriminator.
private func ringSystem(phi: Double, particles x0: [Double], schedule: UpdateSchedule = .alternating(dFirst: false),
                        objective: Objective = .nonSaturating, particleLR: Double = 0.05) throws -> ParticleSystem {
    let discriminator = MLP([2, 16, 16, 1], activation: .tanh, key: RandomKey(seed: 21), dtype: .float64)
    return try ParticleSystem(target: try ParticleTarget.ring(), initialParticles: x0, discriminator: discriminator,
                              discriminatorOptimizer: SGD(learningRate: 0.05), objective: objective, schedule: schedule,
                              kernel: .uniform(phi: phi), particleLearningRate: particleLR, key: RandomKey(seed: 22), dtype: .float64)
}

@Suite struct ParticleModelTests {
    // MARK: §8.1 Kernel spectrum

    @Test func uniformKernelSpectrum() {
        let k = ParticleKernel.uniform(phi: 0.3).matrix(particles: 5)
        #expect(k.count == 25 && k[0] == 1 && k[1] == 0.3 && k[6] == 1)
        let eigenvalues = SymmetricEigen.eigenvalues(k, size: 5)   // sorted ascending
        for lambda in eigenvalues.prefix(4) { #expect(abs(lambda - 0.7) < 1e-12, "\(eigenvalues)") }
        #expect(abs(eigenvalues[4] - 2.2) < 1e-12, "\(eigenvalues)")
        // Mean-coupled: (1 − φ)I + (φ/N)𝟙𝟙ᵀ has 1 − φ + φ = 1 on 𝟙 and 1 − φ elsewhere.
        let mean = SymmetricEigen.eigenvalues(ParticleKernel.meanCoupled(phi: 0.3).matrix(particles: 5), size: 5)
        for lambda in mean.prefix(4) { #expect(abs(lambda - 0.7) < 1e-12, "\(mean)") }
        #expect(abs(mean[4] - 1) < 1e-12, "\(mean)")
        // Collective rate 1 + (N − 1)φ at N = 100, φ = 0.977 (§2.3: "≈ 98×").
        let big = SymmetricEigen.eigenvalues(ParticleKernel.uniform(phi: 0.977).matrix(particles: 100), size: 100)
        #expect(abs(big[99] - (1 + 99 * 0.977)) < 1e-9 && abs(big[0] - 0.023) < 1e-9)
    }

    // MARK: §8.2 Sum trick

    @Test func sumTrickEqualsDenseProduct() throws {
        let n = 50, d = 7
        let g = randomMatrix(n, d, seed: 1)
        for phi in [0, 0.01, 0.3, 0.977, 1] {
            for kernel in [ParticleKernel.uniform(phi: phi), .meanCoupled(phi: phi)] {
                let fast = kernel.apply(g, rows: n, columns: d)
                let dense = denseProduct(kernel.matrix(particles: n), g, n: n, d: d)
                #expect(maxAbsDifference(fast, dense) < 1e-12, "\(kernel)")
            }
            // The formula of §2.3 written out: (1 − φ)g_i + φ·Σ_j g_j.
            let sums = (0..<d).map { c in (0..<n).reduce(0.0) { $0 + g[$1 * d + c] } }
            let formula = (0..<(n * d)).map { (1 - phi) * g[$0] + phi * sums[$0 % d] }
            #expect(maxAbsDifference(ParticleKernel.uniform(phi: phi).apply(g, rows: n, columns: d), formula) < 1e-12)
        }
        // A dense kernel multiplies naively: K = B·Bᵀ (PSD) for a random B.
        let b = randomMatrix(n, 3, seed: 2)
        var values = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n { values[i * n + j] = (0..<3).reduce(0.0) { $0 + b[i * 3 + $1] * b[j * 3 + $1] } }
        }
        let dense = ParticleKernel.dense(try DenseKernel(name: "bbt", size: n, values: values))
        #expect(maxAbsDifference(dense.apply(g, rows: n, columns: d), denseProduct(values, g, n: n, d: d)) < 1e-12)
        #expect(dense.matrix(particles: n) == values)
        // The dense form of the uniform kernel reproduces the sum trick too.
        let asDense = ParticleKernel.dense(try DenseKernel(name: "u", size: n, values: ParticleKernel.uniform(phi: 0.4).matrix(particles: n)))
        #expect(maxAbsDifference(asDense.apply(g, rows: n, columns: d), ParticleKernel.uniform(phi: 0.4).apply(g, rows: n, columns: d)) < 1e-12)
        #expect(abs(asDense.phi - 0.4) < 1e-12)
    }

    // MARK: §8.3 Independence at φ = 0

    @Test func independenceAtPhiZeroThroughTheKernel() {
        let n = 8, d = 3, i = 2
        let g = randomMatrix(n, d, seed: 3)
        var perturbed = g
        for k in 0..<n where k != i {
            for c in 0..<d { perturbed[k * d + c] += Double(k + c + 1) * 10 }
        }
        let row = { (v: [Double]) in Array(v[(i * d)..<(i * d + d)]) }
        let independent = ParticleKernel.uniform(phi: 0)
        #expect(row(independent.apply(g, rows: n, columns: d)) == row(g))
        #expect(row(independent.apply(perturbed, rows: n, columns: d)) == row(independent.apply(g, rows: n, columns: d)))
        // Any coupling breaks it (the check can fail).
        for kernel in [ParticleKernel.uniform(phi: 0.01), .meanCoupled(phi: 0.01)] {
            #expect(maxAbsDifference(row(kernel.apply(perturbed, rows: n, columns: d)), row(kernel.apply(g, rows: n, columns: d))) > 1e-3)
        }
    }

    @Test func independenceAtPhiZeroThroughASystem() throws {
        // Particle step first, so both systems see the same discriminator. Moving particle 4 far
        // away changes nothing for the others at φ = 0, but does at φ = 0.5.
        let x0: [Double] = [0.1, 0.2, -0.3, 0.05, 0.4, -0.2, 0.0, 0.3, -0.1, -0.4, 0.25, 0.15]
        var moved = x0
        moved[8] = 5
        moved[9] = -3
        for (phi, shouldMatch) in [(0.0, true), (0.5, false)] {
            let a = try ringSystem(phi: phi, particles: x0), b = try ringSystem(phi: phi, particles: moved)
            try a.advance()
            try b.advance()
            for particle in [0, 1, 2, 3, 5] {
                let difference = maxAbsDifference(Array(a.particles[(2 * particle)..<(2 * particle + 2)]),
                                                  Array(b.particles[(2 * particle)..<(2 * particle + 2)]))
                if shouldMatch {
                    #expect(difference < 1e-12, "φ = 0, particle \(particle)")
                } else {
                    #expect(difference > 1e-6, "φ = 0.5, particle \(particle)")
                }
            }
            // Each particle did move.
            #expect(maxAbsDifference(a.particles, x0) > 1e-6)
        }
    }

    // MARK: §8.4 Rigidity at φ = 1

    @Test func rigidMotionAtPhiOne() throws {
        var config = ParticleModelConfig()
        config.dtype = "float64"
        config.phi = 1
        config.particles = 6
        config.particleLR = 0.05
        let system = try config.makeSystem()
        let x0 = system.particles
        let n = system.count, d = system.dimension
        func differences(_ x: [Double]) -> [Double] {
            var out: [Double] = []
            for i in 0..<n { for k in 0..<n where k != i { for c in 0..<d { out.append(x[i * d + c] - x[k * d + c]) } } }
            return out
        }
        let before = differences(x0)
        for _ in 0..<10 {
            try system.advance()
            #expect(maxAbsDifference(differences(system.particles), before) < 1e-12)
        }
        // The cloud did move (as one).
        let shift = (0..<d).map { system.particles[$0] - x0[$0] }
        #expect(shift.map(abs).max()! > 1e-4, "\(shift)")
        for i in 0..<n { #expect(maxAbsDifference((0..<d).map { system.particles[i * d + $0] - x0[i * d + $0] }, shift) < 1e-12) }
        // Just below φ = 1 the differences change.
        config.phi = 0.9
        let loose = try config.makeSystem()
        for _ in 0..<10 { try loose.advance() }
        #expect(maxAbsDifference(differences(loose.particles), before) > 1e-6)
    }

    // MARK: §8.5 Linear discriminator

    @Test func linearDiscriminatorMovesEveryParticleByTheCollectiveRate() throws {
        let w: [Double] = [0.3, -0.7, 1.1]
        let target = try ParticleTarget.points([[1, 0, 0], [0, 1, 0], [0, 0, 2]], name: "three")
        let n = 5, d = 3
        let x0 = randomMatrix(n, d, seed: 4)
        let etaG = 0.01, etaD = 0.1
        for phi in [0, 0.25, 0.977, 1] {
            for kernel in [ParticleKernel.uniform(phi: phi), .meanCoupled(phi: phi)] {
                let kappa: Double
                // Mean-coupled: (1 − φ) + N·φ/N = 1 whatever φ; sum-coupled: 1 + (N − 1)φ.
                if case .meanCoupled = kernel { kappa = 1 } else { kappa = 1 + Double(n - 1) * phi }
                // Particle step first: it sees the initial w.
                let critic = Linear(weight: Tensor(w, shape: [1, d]), bias: nil)
                let system = try ParticleSystem(target: target, initialParticles: x0, discriminator: critic,
                                                discriminatorOptimizer: SGD(learningRate: etaD), objective: .wasserstein,
                                                schedule: .alternating(dFirst: false), kernel: kernel, particleLearningRate: etaG,
                                                key: RandomKey(seed: 5), dtype: .float64)
                let report = try system.advance()
                for i in 0..<n {
                    for c in 0..<d {
                        #expect(abs(system.particles[i * d + c] - x0[i * d + c] - etaG * kappa * w[c]) < 1e-12, "\(kernel) i=\(i) c=\(c)")
                    }
                }
                // g_i = −w for every particle: mean ‖g_i‖ = ‖w‖, mean loss −mean_i wᵀx_i.
                let norm = w.reduce(0) { $0 + $1 * $1 }.squareRoot()
                #expect(abs(report.particleGradientNorm - norm) < 1e-12)
                let meanLoss = -(0..<n).reduce(0.0) { s, i in s + (0..<d).reduce(0.0) { $0 + w[$1] * x0[i * d + $1] } } / Double(n)
                #expect(abs(report.particleLoss - meanLoss) < 1e-12)
                // Then D took an SGD step on mean f(x) − mean f(y): w ← w − η_D (x̄_new − ȳ).
                let yBar = [1.0 / 3, 1.0 / 3, 2.0 / 3]
                let wNext = (0..<d).map { c in
                    w[c] - etaD * ((0..<n).reduce(0.0) { $0 + system.particles[$1 * d + c] } / Double(n) - yBar[c])
                }
                #expect(maxAbsDifference(critic.weight.doubles, wNext) < 1e-12)
            }
        }
        // D first: the particles move along the updated weight w' = w − η_D (x̄₀ − ȳ).
        let critic = Linear(weight: Tensor(w, shape: [1, d]), bias: nil)
        let phi = 0.4
        let system = try ParticleSystem(target: target, initialParticles: x0, discriminator: critic,
                                        discriminatorOptimizer: SGD(learningRate: etaD), objective: .wasserstein,
                                        schedule: .alternating(dFirst: true), kernel: .uniform(phi: phi), particleLearningRate: etaG,
                                        key: RandomKey(seed: 5), dtype: .float64)
        try system.advance()
        let yBar = [1.0 / 3, 1.0 / 3, 2.0 / 3]
        let wFirst = (0..<d).map { c in w[c] - etaD * ((0..<n).reduce(0.0) { $0 + x0[$1 * d + c] } / Double(n) - yBar[c]) }
        for i in 0..<n {
            for c in 0..<d {
                #expect(abs(system.particles[i * d + c] - x0[i * d + c] - etaG * (1 + Double(n - 1) * phi) * wFirst[c]) < 1e-12)
            }
        }
    }

    // MARK: §8.6 Second-order gradients

    @Test(arguments: [Activation.tanh, .softplus])
    func r1ParameterGradientMatchesFiniteDifferences(activation: Activation) throws {
        let critic = MLP([3, 5, 4, 1], activation: activation, key: RandomKey(seed: 6), dtype: .float64)
        let real = Tensor.normal([6, 3], key: RandomKey(seed: 7), dtype: .float64)
        let fake = Tensor.normal([6, 3], key: RandomKey(seed: 8), dtype: .float64)
        let penalty = Penalty.r1(gamma: 30)
        func value() -> Tensor { penalty.value(discriminator: critic, real: real, fake: fake, key: RandomKey(seed: 9))! }
        let names = critic.parameterNames
        let analytic = gradients(of: value(), wrt: names.map { critic.parameters[$0]! }).flatMap(\.doubles)
        let numeric = try centralDifferences(of: critic, step: 1e-5) { [value().item] }.map { $0[0] }
        #expect(analytic.count == numeric.count)
        var worst = 0.0, largest = 0.0
        for (a, n) in zip(analytic, numeric) {
            worst = max(worst, abs(a - n) / max(abs(n), 1e-3))
            largest = max(largest, abs(n))
        }
        #expect(worst < 1e-5, "worst relative error \(worst)")
        #expect(largest > 1e-2, "the penalty must depend on the parameters (largest ∂ = \(largest))")
        // The penalty's value itself: (γ/2)·mean_a ‖∇_x f(y_a)‖², against central differences in x.
        let leaf = real.requiringGrad()
        let inputGradient = gradient(of: critic(leaf).sum(), wrt: leaf).doubles
        var squared = 0.0
        for v in inputGradient { squared += v * v }
        #expect(abs(value().item - 15 * squared / 6) < 1e-12 * max(1, squared))
    }

    // MARK: §8.7 Linearised system

    @Test func linearisedEigenvaluesMatchTheClosedForm() {
        for (a, b, c) in [(1.0, 1.0, 0.0), (1, 1, 0.5), (2, 0.5, 2), (1, 1, 3), (0.3, 4, 0.1), (1e-3, 5e-4, 1e-4)] {
            let system = LinearisedDamping(a: a, b: b, c: c)
            let lambdas = system.eigenvalues
            let discriminant = c * c - 4 * a * b
            if discriminant >= 0 {
                let root = discriminant.squareRoot()
                #expect(abs(lambdas[0].re - (-c + root) / 2) < 1e-14 && lambdas[0].im == 0)
                #expect(abs(lambdas[1].re - (-c - root) / 2) < 1e-14 && lambdas[1].im == 0)
            } else {
                let omega = (-discriminant).squareRoot() / 2
                #expect(abs(lambdas[0].re + c / 2) < 1e-14 && abs(lambdas[1].re + c / 2) < 1e-14)
                #expect(abs(lambdas[0].im - omega) < 1e-14 && abs(lambdas[1].im + omega) < 1e-14)
            }
            // They are the eigenvalues of [[0, a], [−b, −c]]: sum = trace = −c, product = det = ab,
            // and each solves λ² + cλ + ab = 0.
            let (p, q) = (lambdas[0], lambdas[1])
            #expect(abs(p.re + q.re + c) < 1e-14 && abs(p.im + q.im) < 1e-14)
            #expect(abs((p.re * q.re - p.im * q.im) - a * b) < 1e-13 * max(1, a * b) && abs(p.re * q.im + p.im * q.re) < 1e-13)
            for l in lambdas {
                let re = l.re * l.re - l.im * l.im + c * l.re + a * b, im = 2 * l.re * l.im + c * l.im
                #expect(abs(re) < 1e-12 && abs(im) < 1e-12)
            }
        }
        // §4 table, a = b = 1: max Re λ.
        let table: [(Double, Double)] = [(0, 0), (0.5, -0.25), (1, -0.5), (1.5, -0.75), (1.9, -0.95), (2, -1),
                                         (2.5, -0.5), (3, -0.382), (4, -0.268), (8, -0.127)]
        for (gamma, abscissa) in table {
            #expect(abs(LinearisedDamping(a: 1, b: 1, c: gamma).spectralAbscissa - abscissa) < 1e-3, "γ = \(gamma)")
        }
        // The a, b, c of a particle run: a = η_G κ/2, b = η_D/2, c = η_D γ.
        let run = LinearisedDamping(particleLR: 0.02, discriminatorLR: 0.04, coupling: 3, gamma: 1.5)
        #expect(abs(run.a - 0.03) < 1e-16 && abs(run.b - 0.02) < 1e-16 && abs(run.c - 0.06) < 1e-16)
    }

    @Test func spectralAbscissaIsMinimisedAtCriticalDamping() {
        var best = (gamma: -1.0, value: Double.infinity)
        for k in 0...8000 {
            let gamma = Double(k) / 1000
            let value = LinearisedDamping(a: 1, b: 1, c: gamma).spectralAbscissa
            if value < best.value { best = (gamma, value) }
        }
        #expect(best.gamma == 2)
        #expect(abs(best.value + 1) < 1e-12)
    }

    @Test func timeToToleranceMatchesTheTable() {
        let table: [(Double, Double)] = [(0.5, 27.7), (1, 13.6), (1.5, 8.9), (1.9, 8.1), (2, 9.6), (2.5, 14.6), (3, 18.7),
                                         (4, 26.2), (8, 54.6)]
        for (gamma, time) in table {
            let t = LinearisedDamping(a: 1, b: 1, c: gamma).timeToTolerance(1e-3)
            #expect(abs(t - time) <= 0.1, "γ = \(gamma): \(t)")
        }
        #expect(LinearisedDamping(a: 1, b: 1, c: 0).timeToTolerance(1e-3) == .infinity)
        // Strongly over-damped at late times (cosh μt alone overflows past μt ≈ 710): the state
        // is the two-exponential solution x = (λ₁e^{λ₂t} − λ₂e^{λ₁t})/(λ₁ − λ₂), ψ = ẋ/a.
        for (c, t) in [(8.0, 50.0), (8, 200), (8, 400), (30, 100)] {
            let system = LinearisedDamping(a: 1, b: 1, c: c)
            let l1 = system.eigenvalues[0].re, l2 = system.eigenvalues[1].re
            let x = (l1 * exp(l2 * t) - l2 * exp(l1 * t)) / (l1 - l2)
            let psi = l1 * l2 * (exp(l2 * t) - exp(l1 * t)) / (l1 - l2)
            let s = system.state(at: t, from: (1, 0))
            #expect(abs(s.x - x) <= 1e-9 * abs(x) && abs(s.psi - psi) <= 1e-9 * abs(psi), "c = \(c), t = \(t): \(s) vs \((x, psi))")
        }
        // The closed-form state at critical damping: x(t) = (1 + t)e^{−t}, ψ(t) = −t·e^{−t}.
        let critical = LinearisedDamping(a: 1, b: 1, c: 2).state(at: 3, from: (1, 0))
        #expect(abs(critical.x - 4 * exp(-3)) < 1e-14 && abs(critical.psi + 3 * exp(-3)) < 1e-14)
    }

    @Test func regimesAndCriticalGamma() throws {
        #expect(LinearisedDamping(a: 1, b: 1, c: 0).regime == .undamped)
        #expect(LinearisedDamping(a: 1, b: 1, c: 1).regime == .underDamped)
        #expect(LinearisedDamping(a: 1, b: 1, c: 2).regime == .critical)
        #expect(LinearisedDamping(a: 1, b: 1, c: 3).regime == .overDamped)
        #expect(LinearisedDamping(a: 4, b: 0.25, c: 1.999).regime == .underDamped)
        #expect(LinearisedDamping(a: 4, b: 0.25, c: 2.001).regime == .overDamped)
        // γ_crit = √(η_G κ / η_D), and the system built at γ_crit is critically damped.
        let etaG = 1e-3, etaD = 4e-3, kappa = 1 + 9 * 0.5
        let gamma = LinearisedDamping.criticalGamma(particleLR: etaG, discriminatorLR: etaD, coupling: kappa)
        #expect(abs(gamma - (5.5 / 4).squareRoot()) < 1e-14)
        #expect(LinearisedDamping(particleLR: etaG, discriminatorLR: etaD, coupling: kappa, gamma: gamma).regime == .critical)
        #expect(LinearisedDamping(particleLR: etaG, discriminatorLR: etaD, coupling: kappa, gamma: gamma * 0.9).regime == .underDamped)
        #expect(LinearisedDamping(particleLR: etaG, discriminatorLR: etaD, coupling: kappa, gamma: gamma * 1.1).regime == .overDamped)
        // The config's γ_crit uses κ = 1 + (N − 1)φ (sum-coupled) or 1 (mean-coupled: its rows
        // sum to 1, so particles at a common position move as one free particle; the linear
        // discriminator test above measures exactly that).
        var config = ParticleModelConfig()
        config.particles = 10
        config.phi = 0.5
        config.particleLR = 1e-3
        config.discriminator.optimizer.lr = 4e-3
        #expect(abs(config.linearisedCriticalGamma - (5.5 / 4).squareRoot()) < 1e-14)
        config.coupling = "mean"
        #expect(abs(config.linearisedCriticalGamma - (1.0 / 4).squareRoot()) < 1e-14)
        #expect(ParticleKernel.meanCoupled(phi: 0.5).collectiveRate(particles: 10) == 1)
        #expect(abs(ParticleKernel.dense(try DenseKernel(name: "u", size: 10, values: ParticleKernel.uniform(phi: 0.5).matrix(particles: 10)))
            .collectiveRate(particles: 10) - 5.5) < 1e-12)
    }

    @Test(arguments: [(1e-3, 1e-3, 1.0), (1e-3, 1e-3, 1 + 9 * 0.5), (5e-4, 1e-3, 1 + 99 * 0.1)])
    func discreteSimulationReproducesCriticalGamma(etaG: Double, etaD: Double, kappa: Double) {
        let predicted = LinearisedDamping.criticalGamma(particleLR: etaG, discriminatorLR: etaD, coupling: kappa)
        let found = ReducedParticleSimulation.fastestGamma(particleLR: etaG, discriminatorLR: etaD, coupling: kappa,
                                                           lower: 0.05, upper: 50, steps: 3000, iterations: 30)
        #expect(abs(found / predicted - 1) < 0.05, "found \(found), predicted \(predicted)")
    }

    // MARK: Empirical NTK

    @Test func empiricalNTKIsTheNormalisedJacobianGram() throws {
        let generator = MLP([3, 6, 2], activation: .tanh, key: RandomKey(seed: 10), dtype: .float64)
        let n = 4, outputs = 2
        let z = Tensor.normal([n, 3], key: RandomKey(seed: 11), dtype: .float64)
        let kernel = try EmpiricalNTK.kernel(generator: generator, latents: z)
        #expect(kernel.size == n)
        let k = kernel.values
        for i in 0..<n { for j in 0..<n { #expect(k[i * n + j] == k[j * n + i]) } }
        #expect(abs((0..<n).reduce(0.0) { $0 + k[$1 * n + $1] } / Double(n) - 1) < 1e-12)
        #expect(SymmetricEigen.eigenvalues(k, size: n).min()! > -1e-12)
        // Brute force: the Jacobian J[i, μ, p] = ∂G_μ(z_i)/∂θ_p by central differences, then
        // κ_ij = (1/d) Σ_μ Σ_p J[i, μ, p] J[j, μ, p], normalised by its mean diagonal.
        let jacobian = try centralDifferences(of: generator, step: 1e-6) { generator(z).doubles }   // one row per parameter entry: [n·d]
        #expect(jacobian.count == 3 * 6 + 6 + 6 * 2 + 2)
        var kappa = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                var s = 0.0
                for column in jacobian { for mu in 0..<outputs { s += column[i * outputs + mu] * column[j * outputs + mu] } }
                kappa[i * n + j] = s / Double(outputs)
            }
        }
        let meanDiagonal = (0..<n).reduce(0.0) { $0 + kappa[$1 * n + $1] } / Double(n)
        #expect(meanDiagonal > 0.1)
        for index in 0..<(n * n) {
            #expect(abs(k[index] - kappa[index] / meanDiagonal) < 1e-7, "entry \(index): \(k[index]) vs \(kappa[index] / meanDiagonal)")
        }
        // Off-diagonal entries are not trivially zero, and effectivePhi is their mean.
        let off = (0..<(n * n)).filter { $0 / n != $0 % n }.map { k[$0] }
        #expect(off.map(abs).max()! > 1e-2)
        #expect(abs(kernel.effectivePhi - off.reduce(0, +) / Double(off.count)) < 1e-12)
    }

    @Test func ntkCouplingFromAConfig() throws {
        var config = ParticleModelConfig()
        config.coupling = "ntk"
        config.ntkWidths = [8]
        config.ntkLatent = 4
        config.particles = 5
        let system = try config.makeSystem()
        guard case .dense(let k) = system.kernel else {
            Issue.record("expected a dense kernel, got \(system.kernel)")
            return
        }
        #expect(k.size == 5)
        let trace: Double = (0..<5).reduce(0.0) { $0 + k.values[$1 * 5 + $1] }
        #expect(abs(trace / 5 - 1) < 1e-12)
        #expect(system.kernel.phi == k.effectivePhi)
    }

    // MARK: Kernel validation

    @Test func denseKernelRejectsBadMatrices() {
        let asymmetric = caught { try DenseKernel(name: "a", size: 2, values: [1, 0.5, 0.4, 1]) }
        #expect(message(asymmetric).contains("not symmetric"))
        let indefinite = caught { try DenseKernel(name: "b", size: 2, values: [1, 2, 2, 1]) }   // eigenvalues 3, −1
        #expect(message(indefinite).contains("not positive semi-definite"))
        let wrongCount = caught { try DenseKernel(name: "c", size: 3, values: [1, 0, 0, 1]) }
        #expect(message(wrongCount).contains("expected 3×3 = 9 values, got 4"))
        let nonFinite = caught { try DenseKernel(name: "d", size: 2, values: [1, .nan, .nan, 1]) }
        #expect(message(nonFinite).contains("non-finite"))
        // Accepted: PSD with a zero eigenvalue (𝟙𝟙ᵀ), and the identity.
        #expect(caught { try DenseKernel(name: "ones", size: 3, values: Array(repeating: 1, count: 9)) } == nil)
        #expect(caught { try DenseKernel(name: "eye", size: 2, values: [1, 0, 0, 1]) } == nil)
        // A dense kernel must match the particle count.
        let eye = try! DenseKernel(name: "eye", size: 2, values: [1, 0, 0, 1])
        #expect(message(caught { try ParticleKernel.dense(eye).validate(particles: 3) }).contains("2×2 but there are 3 particles"))
        #expect(caught { try ParticleKernel.dense(eye).validate(particles: 2) } == nil)
    }

    @Test func kernelValidateRejectsPhiOutsideTheUnitInterval() {
        for phi in [-0.1, 1.0000001, 2, .nan, .infinity] {
            #expect(message(caught { try ParticleKernel.uniform(phi: phi).validate(particles: 4) }).contains("phi must be in [0, 1]"), "\(phi)")
            #expect(message(caught { try ParticleKernel.meanCoupled(phi: phi).validate(particles: 4) }).contains("phi must be in [0, 1]"), "\(phi)")
        }
        for phi in [0.0, 0.5, 1] {
            #expect(caught { try ParticleKernel.uniform(phi: phi).validate(particles: 4) } == nil)
            #expect(caught { try ParticleKernel.meanCoupled(phi: phi).validate(particles: 4) } == nil)
        }
    }

    // MARK: CSV targets

    private static func temporaryFile(_ contents: String, _ name: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("particle-model-tests-\(name)-\(getpid()).csv")
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func csvTargetParsesAFileWithAHeader() throws {
        let path = try Self.temporaryFile("x,y,z\n1, 2, 3\n# a comment\n\n-4.5,0,1e-2\n7,8,9\n", "good")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let target = try ParticleTarget.csv(path: path, tolerance: 0.2, assignment: .euclidean)
        #expect(target.dimension == 3)
        #expect(target.centres == [[1, 2, 3], [-4.5, 0, 0.01], [7, 8, 9]])
        #expect(target.centreStandardDeviations == [0.2, 0.2, 0.2])
        #expect(target.assignment == .euclidean && target.isFixed && target.batchRows == 3)
        #expect(target.name.hasPrefix("file:") && target.name.hasSuffix("good-\(getpid()).csv"))
        #expect(target.batch(key: RandomKey(seed: 0), dtype: .float64).doubles == [1, 2, 3, -4.5, 0, 0.01, 7, 8, 9])
        // Also without a header.
        let plain = try Self.temporaryFile("1,2\n3,4\n", "plain")
        defer { try? FileManager.default.removeItem(atPath: plain) }
        #expect(try ParticleTarget.csv(path: plain).centres == [[1, 2], [3, 4]])
    }

    @Test func csvTargetRejectsBadFiles() throws {
        let ragged = try Self.temporaryFile("1,2,3\n4,5\n", "ragged")
        defer { try? FileManager.default.removeItem(atPath: ragged) }
        let raggedError = caught { try ParticleTarget.csv(path: ragged) }
        guard case .unreadableTarget = raggedError else { Issue.record("ragged: \(String(describing: raggedError))"); return }
        #expect(message(raggedError).contains("line 2") && message(raggedError).contains("2 values, expected 3"))

        let text = try Self.temporaryFile("a,b\n1,2\n3,4\n5,oops\n", "text")
        defer { try? FileManager.default.removeItem(atPath: text) }
        let textError = caught { try ParticleTarget.csv(path: text) }
        guard case .unreadableTarget = textError else { Issue.record("text: \(String(describing: textError))"); return }
        #expect(message(textError).contains("line 4") && message(textError).contains("not a row of numbers"))

        let empty = try Self.temporaryFile("", "empty")
        defer { try? FileManager.default.removeItem(atPath: empty) }
        #expect(message(caught { try ParticleTarget.csv(path: empty) }).contains("holds no points"))
        let headerOnly = try Self.temporaryFile("x,y\n# nothing\n", "header")
        defer { try? FileManager.default.removeItem(atPath: headerOnly) }
        #expect(message(caught { try ParticleTarget.csv(path: headerOnly) }).contains("holds no points"))

        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("particle-model-tests-missing-\(getpid()).csv").path
        let missingError = caught { try ParticleTarget.csv(path: missing) }
        guard case .unreadableTarget = missingError else { Issue.record("missing: \(String(describing: missingError))"); return }
        #expect(message(missingError).contains("cannot read target file"))
        // Through a config: "file:PATH".
        var config = ParticleModelConfig()
        config.target = "file:\(missing)"
        #expect(message(caught { try config.makeSystem() }).contains("cannot read target file"))
    }

    // MARK: Config validation

    @Test func configRejectsBadValues() throws {
        #expect(caught { try ParticleModelConfig().validate() } == nil)
        func rejected(_ change: (inout ParticleModelConfig) -> Void) -> String {
            var config = ParticleModelConfig()
            change(&config)
            return message(caught { try config.validate() })
        }
        #expect(rejected { $0.particles = -3 }.contains("particles must be at least 1"))
        #expect(rejected { $0.particles = 0 }.contains("particles must be at least 1"))
        #expect(rejected { $0.coupling = "bogus" }.contains("unknown coupling 'bogus'"))
        #expect(rejected { $0.phi = 1.5 }.contains("phi must be in [0, 1]"))
        #expect(rejected { $0.coupling = "mean"; $0.phi = -0.2 }.contains("phi must be in [0, 1]"))
        #expect(rejected { $0.assignment = "manhattan" }.contains("unknown assignment"))
        #expect(rejected { $0.dtype = "float16" }.contains("dtype must be float32 or float64"))
        #expect(rejected { $0.steps = -1 }.contains("steps must be non-negative"))
        #expect(rejected { $0.evalEvery = 0 }.contains("eval_every"))
        #expect(rejected { $0.initStd = -1 }.contains("init_std"))
        #expect(rejected { $0.objective = "nope" }.contains("unknown objective"))
        #expect(rejected { $0.penalties = ["r3"] }.contains("unknown penalty"))
        #expect(rejected { $0.schedule = "extragradient-ish" }.contains("unknown schedule"))

        // makeSystem also resolves the target and the penalty pairing.
        var unknownTarget = ParticleModelConfig()
        unknownTarget.target = "no-such-target"
        #expect(message(caught { try unknownTarget.makeSystem() }).contains("unknown target 'no-such-target'"))
        var badRandom = ParticleModelConfig()
        badRandom.target = "random:10"
        #expect(message(caught { try badRandom.makeSystem() }).contains("random:M:d"))
        var interpolation = ParticleModelConfig()
        interpolation.penalties = ["gan-gp"]   // ring8 has 8 real rows, N = 64 particles
        #expect(message(caught { try interpolation.makeSystem() }).contains("interpolation penalty pairs samples"))
        interpolation.particles = 8
        #expect(caught { try interpolation.makeSystem() } == nil)
        // A schedule the particle system cannot run.
        var unrolled = ParticleModelConfig()
        unrolled.schedule = "unrolled:3"
        #expect(message(caught { try unrolled.makeSystem() }).contains("not available for particles"))
    }

    @Test func configBuildsTheDescribedTargets() throws {
        var config = ParticleModelConfig()
        let ring = try config.resolvedTarget()
        #expect(ring.name == "ring8" && ring.centres.count == 8 && abs(ring.centres[2][0]) < 1e-15 && ring.centres[2][1] == 1)
        config.target = "two-point:3"
        let two = try config.resolvedTarget()
        #expect(two.centres == [[-1, 0, 0], [1, 0, 0]] && two.assignment == .euclidean)
        config.target = "random:100:5"
        let random = try config.resolvedTarget()
        #expect(random.centres.count == 100 && random.dimension == 5)
        config.target = "pacgan-ring"
        config.particles = 12
        let mixture = try config.resolvedTarget()
        #expect(!mixture.isFixed && mixture.batchRows == 12 && mixture.centres.count == 8)
    }

    // MARK: Determinism

    @Test func systemsFromTheSameConfigAreBitIdentical() throws {
        var config = ParticleModelConfig()
        config.particles = 16
        config.phi = 0.3
        config.penalties = ["r1:1"]
        let a = try config.makeSystem(), b = try config.makeSystem()
        let initial = a.particles
        #expect(a.particles == b.particles)
        for _ in 0..<50 {
            try a.advance()
            try b.advance()
        }
        #expect(a.step == 50 && b.step == 50)
        #expect(a.particles == b.particles)
        let pa = a.discriminator.parameters, pb = b.discriminator.parameters
        for name in pa.keys { #expect(pa[name]!.doubles == pb[name]!.doubles, "\(name)") }
        // A different seed gives different particles.
        config.seed = 1
        #expect(try config.makeSystem().particles != b.particles)
        // Changing φ keeps the initial particles and discriminator (keys split from the seed).
        config.seed = 0
        config.phi = 0.9
        #expect(try config.makeSystem().particles == initial)
    }

    @Test func phaseDiagramDoesNotDependOnTheThreadCount() throws {
        var base = ParticleModelConfig()
        base.particles = 16
        base.steps = 200
        base.evalEvery = 20
        let diagram = try ParticlePhaseDiagram(base: base, phis: [0, 0.9], discriminatorLRs: [1e-2])
        let one = try diagram.run(threads: 1), two = try diagram.run(threads: 2)
        func stripped(_ runs: [ParticleSweepRun]) -> [ParticleSweepRun] {
            runs.map { var r = $0; r.wallSeconds = 0; return r }
        }
        #expect(one.runs.count == 2 && two.runs.count == 2)
        #expect(stripped(one.runs) == stripped(two.runs))
        #expect(one.runs.map(\.phi) == [0, 0.9])
        #expect(one.runs.allSatisfy { $0.stepsRun == 200 && $0.divergence == nil })
        #expect(one.meanDiversity == two.meanDiversity)
        // The two φ give different runs (the comparison is not vacuous).
        #expect(one.runs[0].finalDiversity != one.runs[1].finalDiversity || one.runs[0].oscillationAmplitude != one.runs[1].oscillationAmplitude)
    }

    // MARK: Divergence

    @Test func divergenceThrowsAndRollsBack() throws {
        // A linear critic with a huge weight and η_G = 1e300: the particle step overflows.
        let target = try ParticleTarget.ring()
        let x0: [Double] = [0.1, 0.0, -0.1, 0.2, 0.0, -0.3, 0.05, 0.05]
        let critic = Linear(weight: Tensor([1e10, 0], shape: [1, 2]), bias: nil)
        let system = try ParticleSystem(target: target, initialParticles: x0, discriminator: critic,
                                        discriminatorOptimizer: SGD(learningRate: 0.1), objective: .wasserstein,
                                        kernel: .uniform(phi: 0.5), particleLearningRate: 1e300, key: RandomKey(seed: 0), dtype: .float64)
        for _ in 0..<2 {
            let error = caught { try system.advance() }
            #expect(error == .diverged(step: 0, what: "particle 0 coordinate 0"))
            #expect(system.particles == x0)
            #expect(critic.weight.doubles == [1e10, 0])   // the D-first update was rolled back too
            #expect(system.step == 0)
        }

        // The brief's setting: η_G = 1e30 with the WGAN loss and the default MLP discriminator.
        var config = ParticleModelConfig()
        config.particleLR = 1e30
        config.objective = "wgan"
        let wild = try config.makeSystem()
        var thrown: ParticleModelError?
        for _ in 0..<20 {
            let before = wild.particles, parametersBefore = wild.discriminator.parameters.mapValues(\.doubles)
            do { try wild.advance() } catch {
                thrown = error
                #expect(wild.particles == before)
                #expect(wild.discriminator.parameters.mapValues(\.doubles) == parametersBefore)
                break
            }
        }
        guard case .diverged(let step, _)? = thrown else { Issue.record("expected a divergence, got \(String(describing: thrown))"); return }
        #expect(wild.step == step)
        #expect(wild.particles.allSatisfy { $0.isFinite })
        // run() stops at the divergence and reports it.
        let result = wild.run(steps: 10, evaluateEvery: 1)
        #expect(result.divergence != nil && result.steps == step)
    }

    // MARK: §8.10 and §8.11 (qualitative acceptance)

    @Test func strongCouplingCollapsesTheP1Cloud() throws {
        // P1 defaults at η_D = 1e-2: 8 targets on the unit circle, N = 64, 5,000 steps.
        var late: [Double] = []
        for phi in [0, 0.977] {
            var config = ParticleModelConfig()
            config.phi = phi
            let system = try config.makeSystem()
            let result = system.run(steps: config.steps, evaluateEvery: config.evalEvery)
            #expect(result.divergence == nil)
            late.append(result.meanDiversity())
        }
        print("P1 late diversity at η_D = 1e-2: φ = 0 → \(late[0]), φ = 0.977 → \(late[1])")
        #expect(late[1] - late[0] > 1.0, "φ = 0: \(late[0]), φ = 0.977: \(late[1])")
    }

    @Test func intermediateDampingConvergesFastest() throws {
        // CALIBRATION NOTE (spec §8 item 11): this runs P3's damping sweep in the setting of the
        // linearised analysis (§4) rather than on P1's eight-point ring: one data point at the
        // origin of ℝ¹, an affine discriminator f(x) = wx + b, N = 8 particles at x ≈ 1 (s₀ =
        // 0.01), φ = 0.1 (P3's default), η_G = η_D = 0.01, R1 weight γ, 2,500 steps. On the
        // ring (N = 16 or 64, MLP discriminator, η_G ∈ {1e-3, 1e-2, 3e-2}, η_D ∈ {1e-2, 3e-2,
        // 5e-2}) no γ converged within 5,000 steps under the §5.2 criterion, so no ring setting
        // fitting this test's time budget was found; the lead developer is calibrating that
        // separately. Observed here (seeds 0–4, 3,000 steps): γ = 1e-3 and 1e2 never converge;
        // γ = 1 converges in 330–700 steps, γ_crit = √1.7 ≈ 1.30 in 590–970 steps.
        var base = ParticleModelConfig()
        base.target = "one-point:1"
        base.particles = 8
        base.phi = 0.1
        base.initMean = [1]
        base.initStd = 0.01
        base.particleLR = 0.01
        base.discriminator.optimizer.lr = 0.01
        base.discriminator.widths = []
        base.steps = 2500
        base.evalEvery = 10
        let critical = base.linearisedCriticalGamma
        #expect(abs(critical - 1.7.squareRoot()) < 1e-12)
        let sweep = try ParticleDampingSweep(base: base, gammas: [1e-3, critical, 1e2])
        let result = sweep.run(threads: 2)
        let rows = result.convergence
        print("P3 (one-point, affine D) convergence steps: " + rows.map { "γ = \($0.gamma): \($0.meanSteps) (\($0.converged) converged)" }.joined(separator: ", "))
        #expect(result.runs.allSatisfy { $0.divergence == nil })
        #expect(rows[1].converged == 1)
        #expect(result.fastestGamma == critical)
        #expect(2 * rows[1].meanSteps <= rows[0].meanSteps, "γ = 1e-3: \(rows[0].meanSteps), γ_crit: \(rows[1].meanSteps)")
        #expect(2 * rows[1].meanSteps <= rows[2].meanSteps, "γ = 1e2: \(rows[2].meanSteps), γ_crit: \(rows[1].meanSteps)")
    }

    @Test func convergenceByFractionUsesTheDistanceQuantiles() throws {
        // 10 particles on the two-point target: 9 exactly on a target, one 0.5 away.
        let target = try ParticleTarget.twoPoint(dimension: 1)
        var x = [Double](repeating: -1, count: 5) + [Double](repeating: 1, count: 4)
        x.append(1.5)
        let snapshot = ParticleSnapshot(step: 0, particles: x, target: target)
        #expect(snapshot.nearestDistanceQuantiles.count == 101)
        #expect(snapshot.nearestDistanceQuantiles[0] == 0)
        #expect(snapshot.nearestDistanceQuantiles[100] == 0.5)
        #expect(snapshot.maxDistanceToNearestCentre == 0.5)
        #expect(abs(snapshot.diversity - (log(2) + 0.5 * log(0.5) + 0.5 * log(0.5))) < 1e-12)
        #expect(!ConvergenceCriterion(diversity: 0.05, distance: 0.05).isMet(by: snapshot))
        #expect(ConvergenceCriterion(diversity: 0.05, distance: 0.05, fraction: 0.9).isMet(by: snapshot))
        #expect(!ConvergenceCriterion(diversity: 0.05, distance: 0.05, fraction: 0.95).isMet(by: snapshot))
    }

    @Test func slopeKernelOfAnAffineDiscriminatorIsOne() throws {
        // f(x) = wᵀx + b: ∂f/∂x_k = w_k, so ∇_θ ∂f/∂x_k is a unit vector for every k.
        let discriminator = Linear(weight: Tensor([0.3, -0.7], shape: [1, 2]), bias: Tensor([0.1]))
        let system = try ParticleSystem(target: try ParticleTarget.ring(), initialParticles: [0.1, 0.2, -0.3, 0.4],
                                        discriminator: discriminator, discriminatorOptimizer: SGD(learningRate: 0.1),
                                        objective: .nonSaturating, kernel: .uniform(phi: 0), particleLearningRate: 0.1,
                                        key: RandomKey(seed: 1), dtype: .float64)
        #expect(abs(system.discriminatorSlopeKernel() - 1) < 1e-12)
        // A one-hidden-unit network f(x) = v·tanh(u x + c): ∂f/∂x = v u (1 − t²), t = tanh(u x + c);
        // Θ_ψ at x is the squared norm of its gradient in (u, c, v) (the output bias has none).
        let (u, c, v, y) = (0.8, 0.3, -1.2, 0.5)
        let network = MLP([1, 1, 1], activation: .tanh, key: RandomKey(seed: 2), dtype: .float64)
        try network.setParameters(["0.weight": Tensor([u], shape: [1, 1]), "0.bias": Tensor([c]),
                                   "2.weight": Tensor([v], shape: [1, 1]), "2.bias": Tensor([0.0])])
        let one = try ParticleSystem(target: try ParticleTarget.points([[y]], name: "y"), initialParticles: [0.0],
                                     discriminator: network, discriminatorOptimizer: SGD(learningRate: 0.1),
                                     objective: .nonSaturating, kernel: .uniform(phi: 0), particleLearningRate: 0.1,
                                     key: RandomKey(seed: 1), dtype: .float64)
        let t = tanh(u * y + c), s = 1 - t * t
        let dU = v * s + v * u * (-2 * t * s) * y      // ∂/∂u of v u (1 − t²)
        let dC = v * u * (-2 * t * s)                   // ∂/∂c
        let dV = u * s                                  // ∂/∂v
        #expect(abs(one.discriminatorSlopeKernel() - (dU * dU + dC * dC + dV * dV)) < 1e-12)
    }

    @Test func sinActivationIsAvailableToPlayers() throws {
        var spec = ParticleModelConfig().discriminator
        spec.activation = "sin"
        try spec.validate(player: "discriminator")
        let mlp = try spec.build(inputSize: 2, outputSize: 1, key: RandomKey(seed: 3), player: "discriminator")
        let x = Tensor([0.2, -0.4], shape: [1, 2], dtype: .float64)
        mlp.cast(to: .float64)
        // By hand: sin after each hidden affine layer.
        let p = mlp.parameters
        func affine(_ input: [Double], _ layer: Int) -> [Double] {
            let w = p["\(layer).weight"]!, b = p["\(layer).bias"]!.doubles
            let (rows, cols) = (w.shape[0], w.shape[1])
            let values = w.doubles
            return (0..<rows).map { r in (0..<cols).reduce(b[r]) { $0 + values[r * cols + $1] * input[$1] } }
        }
        let h1 = affine([0.2, -0.4], 0).map { sin($0) }
        let h2 = affine(h1, 2).map { sin($0) }
        let out = affine(h2, 4)
        #expect(abs(mlp(x).doubles[0] - out[0]) < 1e-12)
    }
}
