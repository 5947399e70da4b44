import Foundation
import NN
import Tensor
import Testing
@testable import Games

private let allSamplers: [PenaltySampler] = [
    .authors, .symmetric, .gaussian(σ: .relative(0.5)), .gaussian(σ: .absolute(0.3)), .gaussian(σ: .paper(c: 10)),
    .interpolation, .real, .fake,
]

private func batch(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
    Tensor.normal([rows, columns], key: RandomKey(seed: seed), dtype: .float64)
}

@Suite struct PenaltyTests {
    /// dragan.md §6.3 / spec README item 1: a linear logit with w = (3, 4) gives λ(‖w‖ − k)² = 160 at any
    /// penalty point, ∂/∂w = (48, 64) and ∂/∂b = 0, for every sampler.
    @Test func linearLogitClosedFormForEverySampler() {
        let critic = linearCritic([3, 4], bias: 0.7)
        let real = batch(5, 2, seed: 1), fake = batch(5, 2, seed: 2)
        for sampler in allSamplers {
            let penalty = GradientPenalty(sampler: sampler).value(discriminator: critic, real: real, fake: fake, key: RandomKey(seed: 3))
            #expect(abs(penalty.item - 160) < 1e-12, "\(sampler)")
            let grads = parameterGradients(of: penalty, module: critic)
            #expect(zip(grads["weight"]!.doubles, [48.0, 64.0]).allSatisfy { abs($0 - $1) < 1e-12 }, "\(sampler)")
            #expect(grads["bias"]!.doubles == [0], "\(sampler)")
        }
    }

    /// dragan.md §6.4: where wᵀx̂ + b = 0, ∇σ(f) = 0.25·w, norm 1.25, penalty 10·0.25² = 0.625.
    @Test func probabilityOutput() {
        let critic = linearCritic([3, 4])
        let points = Tensor([4.0, -3.0, -8.0, 6.0], shape: [2, 2])
        let penalty = GradientPenalty(output: .probability).value(discriminator: critic, at: points)
        #expect(abs(penalty.item - 0.625) < 1e-14)
    }

    /// Spec README item 1, dragan.md §6.5: per-sample norms give 0 at (1, 0), (0, 1) under
    /// f = ½‖x‖²; a whole-batch norm would give λ(√2 − 1)² ≈ 1.716. Also for image-shaped points.
    @Test func normIsPerSample() {
        let f = HalfSquaredNorm()
        let points = Tensor([1.0, 0, 0, 1], shape: [2, 2])
        #expect(GradientPenalty().value(discriminator: f, at: points).item == 0)
        #expect(GradientPenalty().value(discriminator: f, at: points.reshaped([2, 1, 1, 2])).item == 0)
        let wholeBatch = 10 * pow(2.0.squareRoot() - 1, 2)
        #expect(abs(wholeBatch - 1.716) < 1e-3)
        // A per-sample norm of a per-sample gradient: scaling one sample changes only its term.
        let scaled = Tensor([2.0, 0, 0, 1], shape: [2, 2])
        #expect(abs(GradientPenalty().value(discriminator: f, at: scaled).item - 10 * 0.5) < 1e-14)
    }

    /// dragan.md §6.7: a constant discriminator gives λk² = 10 and a finite (zero) gradient.
    @Test func zeroInputGradient() {
        let critic = ConstantCritic(0.3)
        let penalty = GradientPenalty().value(discriminator: critic, real: batch(4, 3, seed: 4), fake: batch(4, 3, seed: 5),
                                              key: RandomKey(seed: 6))
        #expect(penalty.item == 10)
        #expect(parameterGradients(of: penalty, module: critic)["b"]!.doubles == [0])
        let r1 = Penalty.r1(gamma: 2).value(discriminator: critic, real: batch(4, 3, seed: 4), fake: batch(4, 3, seed: 5), key: RandomKey(seed: 6))!
        #expect(r1.item == 0 && parameterGradients(of: r1, module: critic)["b"]!.doubles == [0])
    }

    /// dragan.md §6.6: the penalty's gradient with respect to every parameter, through the double
    /// backward, against central differences (h = 1e-6) on 3-4-1 MLPs, relative error ≤ 1e-6.
    @Test(arguments: [
        ("tanh-logit", Activation.tanh, PenaltyOutput.logit),
        ("relu-logit", Activation.relu, PenaltyOutput.logit),
        ("tanh-probability", Activation.tanh, PenaltyOutput.probability),
        ("softplus-probability", Activation.softplus, PenaltyOutput.probability),
    ])
    func secondOrderGradientMatchesFiniteDifferences(label: String, activation: Activation, output: PenaltyOutput) throws {
        let critic = MLP([3, 4, 1], activation: activation, key: RandomKey(seed: 11), dtype: .float64)
        let points = batch(6, 3, seed: 12)
        let variants = [
            GradientPenalty(output: output),
            GradientPenalty(target: 0.3, weight: 3, output: output, epsilon: 1e-4),
            GradientPenalty(target: 0.05, output: output, oneSided: true),
        ]
        for penalty in variants {
            let analytic = parameterGradients(of: penalty.value(discriminator: critic, at: points), module: critic)
            let numeric = try finiteDifferenceGradient(of: critic) { penalty.value(discriminator: critic, at: points).item }
            #expect(relativeError(analytic, numeric) <= 1e-6, "\(label) \(penalty)")
        }
        let r1 = Penalty.r1(gamma: 3)
        let analytic = parameterGradients(of: r1.value(discriminator: critic, real: points, fake: points, key: RandomKey(seed: 0))!, module: critic)
        let numeric = try finiteDifferenceGradient(of: critic) {
            r1.value(discriminator: critic, real: points, fake: points, key: RandomKey(seed: 0))!.item
        }
        #expect(relativeError(analytic, numeric) <= 1e-6, "\(label) R1")
    }

    /// dragan.md §6.1: offsets of the authors' sampler lie in [0, 0.5·s), mean 0.125·s, variance
    /// 7s²/576; α is one coefficient per sample; s is recomputed from each batch.
    @Test func authorsSamplerStatistics() {
        let rows = 10_000, columns = 100
        // Entries ±1 with mean 0: population standard deviation exactly 1.
        let real = Tensor((0..<(rows * columns)).map { $0 % 2 == 0 ? 1.0 : -1.0 }, shape: [rows, columns])
        let drawn = PenaltySampler.authors.draw(real: real, fake: real, key: RandomKey(seed: 21))
        #expect(drawn.scale == 0.5)
        let offsets = (drawn.points - real).doubles
        #expect(offsets.allSatisfy { $0 >= 0 && $0 < 0.5 })
        let mean = offsets.reduce(0, +) / Double(offsets.count)
        let variance = offsets.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(offsets.count)
        #expect(abs(mean - 0.125) < 0.001)
        #expect(abs(variance / (7.0 / 576) - 1) < 0.01)
        // The ratio offset / (0.5·s·u) is one α per sample, shared by all its dimensions.
        let noise = drawn.noise!.doubles, alpha = drawn.coefficients!.doubles
        #expect(drawn.coefficients!.shape == [rows, 1])
        for row in stride(from: 0, to: rows, by: 997) {
            for column in 0..<columns {
                let k = row * columns + column
                #expect(abs(offsets[k] / (0.5 * noise[k]) - alpha[row]) < 1e-9 * max(1, alpha[row]))
            }
        }
        let doubled = PenaltySampler.authors.draw(real: real * 2, fake: real, key: RandomKey(seed: 21))
        #expect(doubled.scale == 1)
        let symmetric = PenaltySampler.symmetric.draw(real: real, fake: real, key: RandomKey(seed: 22))
        let symmetricOffsets = (symmetric.points - real).doubles
        #expect(symmetricOffsets.allSatisfy { $0 > -0.5 && $0 < 0.5 } && symmetricOffsets.contains { $0 < 0 })
    }

    /// dragan.md §6.2: Gaussian sampler moments; `paper(c: 10)` is σ = √10.
    @Test func gaussianSamplerStatistics() {
        let n = 1_000_000, sigma = 0.3
        let real = Tensor.zeros([1000, 1000], dtype: .float64)
        let drawn = PenaltySampler.gaussian(σ: .absolute(sigma)).draw(real: real, fake: real, key: RandomKey(seed: 31))
        #expect(drawn.coefficients == nil)
        let values = drawn.points.doubles
        let mean = values.reduce(0, +) / Double(n)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        #expect(abs(mean) < 4 * sigma / Double(n).squareRoot())
        #expect(abs(variance / (sigma * sigma) - 1) < 0.01)
        #expect(NoiseScale.paper(c: 10) == .absolute(10.0.squareRoot()))
        let relative = PenaltySampler.gaussian(σ: .relative(0.5)).draw(real: batch(50, 4, seed: 32) * 3, fake: real, key: RandomKey(seed: 33))
        #expect(abs(relative.scale! - 0.5 * PenaltySampler.populationStandardDeviation(batch(50, 4, seed: 32) * 3)) < 1e-15)
    }

    /// many-paths.md §6.5: (x̂_i − G(z_i)) / (x_i − G(z_i)) is one ε per sample.
    @Test func interpolationCoefficientIsPerSample() {
        let real = batch(8, 5, seed: 41), fake = batch(8, 5, seed: 42)
        let drawn = PenaltySampler.interpolation.draw(real: real, fake: fake, key: RandomKey(seed: 43))
        let ratio = ((drawn.points - fake) / (real - fake)).doubles, epsilon = drawn.coefficients!.doubles
        for i in 0..<8 {
            for j in 0..<5 { #expect(abs(ratio[i * 5 + j] - epsilon[i]) < 1e-9) }
        }
        #expect(Set(epsilon).count == 8)
    }

    /// dragan.md §3.5: compare_gan master's variant (centred uniform scaled by s, no α, clipped to
    /// [0, 1], ε = 1e-4) is expressible with the generic sampler.
    @Test func compareGanVariantIsExpressible() {
        let variant = GradientPenalty(
            sampler: .perturbation(Perturbation(noise: .uniform(low: -0.5, high: 0.5), scale: .relative(1),
                                                perSampleCoefficient: false, clip: 0...1)),
            epsilon: 1e-4)
        let real = Tensor.uniform([64, 10], key: RandomKey(seed: 51), dtype: .float64)
        let drawn = variant.sampler.draw(real: real, fake: real, key: RandomKey(seed: 52))
        #expect(drawn.points.doubles.allSatisfy { (0...1).contains($0) })
        #expect(drawn.coefficients == nil)
        let penalty = variant.value(discriminator: linearCritic([3, 4]), real: Tensor.uniform([64, 2], key: RandomKey(seed: 53), dtype: .float64),
                                    fake: real, key: RandomKey(seed: 54))
        #expect(abs(penalty.item - 10 * pow((25 + 1e-4).squareRoot() - 1, 2)) < 1e-11)
    }

    @Test func oneSidedAndR1R2OnLinearLogits() {
        let real = batch(4, 2, seed: 61), fake = batch(4, 2, seed: 62), key = RandomKey(seed: 63)
        let small = linearCritic([0.3, 0.4]), large = linearCritic([3, 4])
        #expect(GradientPenalty(oneSided: true).value(discriminator: small, real: real, fake: fake, key: key).item == 0)
        #expect(abs(GradientPenalty(oneSided: true).value(discriminator: large, real: real, fake: fake, key: key).item - 160) < 1e-12)
        #expect(abs(GradientPenalty().value(discriminator: small, real: real, fake: fake, key: key).item - 2.5) < 1e-12)
        #expect(abs(Penalty.r1(gamma: 2).value(discriminator: large, real: real, fake: fake, key: key)!.item - 25) < 1e-12)
        #expect(abs(Penalty.r2(gamma: 0.5).value(discriminator: large, real: real, fake: fake, key: key)!.item - 6.25) < 1e-12)
        #expect(Penalty.weightClipping(0.01).value(discriminator: large, real: real, fake: fake, key: key) == nil)
    }

    /// many-paths.md §6.7: DRAGAN-NS with the same random stream is the NS loss plus the dragan
    /// penalty, exactly.
    @Test func compositionIsExact() {
        let critic = MLP([2, 8, 1], activation: .tanh, key: RandomKey(seed: 71), dtype: .float64)
        let generator = MLP([3, 8, 2], activation: .tanh, key: RandomKey(seed: 72), dtype: .float64)
        let game = Game(generator: generator, discriminator: critic, objective: .nonSaturating, penalties: [.dragan],
                        latent: .normal(dimension: 3), dtype: .float64)
        let real = batch(16, 2, seed: 73), fake = generator(game.sampleLatent(16, key: RandomKey(seed: 74)))
        let penaltyKey = RandomKey(seed: 75)
        let loss = game.discriminatorLoss(real: real, fake: fake, penaltyKey: penaltyKey)
        let ns = Objective.nonSaturating.discriminatorLoss(realLogits: critic(real), fakeLogits: critic(fake))
        let dragan = GradientPenalty.dragan().value(discriminator: critic, real: real, fake: fake, key: penaltyKey.folded(in: 0))
        #expect(loss.total.item == ns.item + dragan.item)
        #expect(loss.penalties.map(\.item) == [dragan.item])
        #expect(game.penaltyTermNames == ["dragan"])
    }

    @Test func weightClippingProjects() throws {
        let critic = linearCritic([3, -0.004, 0.5], bias: -2)
        try Penalty.weightClipping(0.01).project(critic)
        #expect(critic.parameters["weight"]!.doubles == [0.01, -0.004, 0.01])
        #expect(critic.parameters["bias"]!.doubles == [-0.01])
    }
}

@Suite struct PenaltyCodingTests {
    /// Penalties and schedules round-trip through JSON, so run configurations can name them.
    @Test func roundTrip() throws {
        let penalties: [Penalty] = [.dragan, .draganSymmetric, .draganGaussian(σ: .paper(c: 10)), .gradientPenaltyInterpolation(weight: 0.1),
                                    .r1(gamma: 1), .r2(gamma: 2), .weightClipping(0.01),
                                    .gradient(GradientPenalty(sampler: .interpolation, output: .probability, epsilon: 1e-4, oneSided: true))]
        let decoded = try JSONDecoder().decode([Penalty].self, from: JSONEncoder().encode(penalties))
        #expect(decoded == penalties)
        let schedules: [UpdateSchedule] = [.simultaneous, .alternating(dFirst: false), .ratio(dSteps: 5, gSteps: 1), .unrolled(steps: 3),
                                           .extragradient, .optimistic]
        #expect(try JSONDecoder().decode([UpdateSchedule].self, from: JSONEncoder().encode(schedules)) == schedules)
    }
}
