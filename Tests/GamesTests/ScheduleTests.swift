import Datasets
import Foundation
import NN
import Optim
import Tensor
import Testing
@testable import Games

/// The bilinear game on scalars: G(z) = x, f(s) = y·s, real data 0, Wasserstein objective, so
/// L_D = x·y (D minimises: y ← y − η·x) and L_G = −x·y (G: x ← x + η·y).
private func bilinear(_ schedule: UpdateSchedule, x: Double = 1, y: Double = 0.5, lr: Double = 0.1,
                      generatorOptimizer: (any Optimizer)? = nil, discriminatorOptimizer: (any Optimizer)? = nil) -> Trainer {
    let game = Game(generator: ScalarGenerator(x), discriminator: Linear(weight: Tensor([y], shape: [1, 1]), bias: nil),
                    objective: .wasserstein, latent: .normal(dimension: 1), dtype: .float64)
    return Trainer(game: game, schedule: schedule, generatorOptimizer: generatorOptimizer ?? SGD(learningRate: lr),
                   discriminatorOptimizer: discriminatorOptimizer ?? SGD(learningRate: lr), batchSize: 2,
                   key: RandomKey(seed: 1), diagnosticsEvery: 0)
}

private let zeroBatch = Tensor.zeros([2, 1], dtype: .float64)

private func position(_ trainer: Trainer) -> (x: Double, y: Double) {
    (trainer.game.generator.parameters["x"]!.item, trainer.game.discriminator.parameters["weight"]!.item)
}

private func run(_ trainer: Trainer, steps: Int) throws -> [(x: Double, y: Double)] {
    var path = [position(trainer)]
    for _ in 0..<steps {
        try trainer.step(realBatches: Array(repeating: zeroBatch, count: trainer.schedule.realBatchesPerStep))
        path.append(position(trainer))
    }
    return path
}

private func norm(_ p: (x: Double, y: Double)) -> Double { (p.x * p.x + p.y * p.y).squareRoot() }

@Suite struct ScheduleTests {
    /// Hand-computed first steps from (x, y) = (1, 0.5) with η = 0.1.
    @Test func firstStepsByHand() throws {
        let cases: [(UpdateSchedule, Double, Double)] = [
            (.simultaneous, 1.05, 0.4),                 // both gradients at (1, 0.5)
            (.alternating(dFirst: true), 1.04, 0.4),    // y first, then x + η·0.4
            (.alternating(dFirst: false), 1.05, 0.395), // x first, then y − η·1.05
            (.ratio(dSteps: 2, gSteps: 1), 1.03, 0.3),  // y twice, then x + η·0.3
            (.extragradient, 1.04, 0.395),              // gradients at (1.05, 0.4)
            (.optimistic, 1.1, 0.3),                    // 2g_1 − g_0, g_0 = 0
            (.unrolled(steps: 1), 1.03, 0.4),           // ∂/∂x [−x(y − ηx)] = −y + 2ηx
            (.unrolled(steps: 0), 1.05, 0.4),
        ]
        for (schedule, x, y) in cases {
            let p = try run(bilinear(schedule), steps: 1)[1]
            #expect(abs(p.x - x) < 1e-14 && abs(p.y - y) < 1e-14, "\(schedule): got \(p)")
        }
    }

    /// Simultaneous GDA is the map I + ηA: the norm grows by exactly √(1 + η²) per step, while
    /// alternating stays bounded and extragradient / optimistic spiral inwards.
    @Test func bilinearDynamics() throws {
        let steps = 300
        let simultaneous = try run(bilinear(.simultaneous), steps: steps)
        for (t, p) in simultaneous.enumerated() {
            #expect(abs(norm(p) / (norm(simultaneous[0]) * pow(1.01, Double(t) / 2)) - 1) < 1e-12)
        }
        let alternating = try run(bilinear(.alternating(dFirst: true)), steps: steps)
        #expect(alternating.allSatisfy { norm($0) < 1.5 * norm(alternating[0]) })
        for schedule in [UpdateSchedule.extragradient, .optimistic] {
            let path = try run(bilinear(schedule), steps: steps)
            #expect(norm(path.last!) < 0.5 * norm(path[0]), "\(schedule)")
            // Monotone over every 50-step window.
            for t in stride(from: 50, through: steps, by: 50) { #expect(norm(path[t]) < norm(path[t - 50]), "\(schedule) at \(t)") }
        }
        #expect(norm(simultaneous.last!) > 4 * norm(simultaneous[0]))
    }

    /// The optimistic schedule with SGD is optimistic gradient descent (`OptimisticSGD`).
    @Test func optimisticScheduleMatchesOptimisticSGD() throws {
        let viaSchedule = try run(bilinear(.optimistic), steps: 40)
        let viaOptimizer = try run(bilinear(.simultaneous, generatorOptimizer: OptimisticSGD(learningRate: 0.1),
                                            discriminatorOptimizer: OptimisticSGD(learningRate: 0.1)), steps: 40)
        for (a, b) in zip(viaSchedule, viaOptimizer) { #expect(abs(a.x - b.x) < 1e-13 && abs(a.y - b.y) < 1e-13) }
    }

    private func mlpGame(penalties: [Penalty] = []) -> Game {
        Game(generator: MLP([2, 6, 2], activation: .tanh, key: RandomKey(seed: 81), dtype: .float64),
             discriminator: MLP([2, 6, 1], activation: .tanh, key: RandomKey(seed: 82), dtype: .float64),
             objective: .nonSaturating, penalties: penalties, latent: .normal(dimension: 2), dtype: .float64)
    }

    @Test func unrolledWithZeroStepsIsSimultaneous() throws {
        var finals: [[String: Tensor]] = []
        for schedule in [UpdateSchedule.simultaneous, .unrolled(steps: 0)] {
            let game = mlpGame(penalties: [.dragan])
            let trainer = Trainer(game: game, schedule: schedule, generatorOptimizer: Adam(learningRate: 0.01),
                                  discriminatorOptimizer: Adam(learningRate: 0.01), batchSize: 8, key: RandomKey(seed: 83))
            for _ in 0..<5 { try trainer.step(from: TwoModeMixture2D()) }
            finals.append(game.generator.parameters.merging(game.discriminator.parameters.mapValues { $0 }) { a, _ in a })
        }
        for name in finals[0].keys { #expect(finals[0][name]!.doubles == finals[1][name]!.doubles, "\(name)") }
    }

    /// The unrolled generator gradient (reverse mode with Hessian–vector products, here with a
    /// DRAGAN penalty in the inner loss, i.e. third-order terms) against central differences of
    /// φ ↦ L_G(φ, θ_k(φ)) computed by actually unrolling.
    @Test func unrolledGradientMatchesFiniteDifferences() throws {
        let game = mlpGame(penalties: [.dragan])
        let trainer = Trainer(game: game, schedule: .unrolled(steps: 2), generatorOptimizer: SGD(learningRate: 0.1),
                              discriminatorOptimizer: SGD(learningRate: 0.3), batchSize: 8, key: RandomKey(seed: 84))
        let real = TwoModeMixture2D().sample(8, key: RandomKey(seed: 85), dtype: .float64)
        let z = game.sampleLatent(8, key: RandomKey(seed: 86))
        let penaltyKey = RandomKey(seed: 87)
        let analytic = trainer.unrolledGeneratorGradients(real: real, latent: z, penaltyKey: penaltyKey, steps: 2)
        let d = game.discriminator
        let origin = d.parameters
        func unrolledLoss() -> Double {
            let fake = game.generator(z).detached()
            for _ in 0..<2 {
                let current = d.parameters
                let loss = game.discriminatorLoss(real: real, fake: fake, penaltyKey: penaltyKey)
                let grads = parameterGradients(of: loss.total, module: d)
                try! d.setParameters(current.mapValues { $0 }.merging(grads) { p, g in p.detached() - g * 0.3 })
            }
            let value = game.generatorLoss(latent: z).item
            try! d.setParameters(origin)
            return value
        }
        let numeric = try finiteDifferenceGradient(of: game.generator, unrolledLoss)
        #expect(relativeError(analytic, numeric) < 1e-7)
        #expect(d.parameters.keys.allSatisfy { d.parameters[$0]!.doubles == origin[$0]!.doubles })
        // And it differs from the plain gradient.
        let plain = parameterGradients(of: game.generatorLoss(latent: z), module: game.generator)
        #expect(relativeError(plain, numeric) > 1e-4)
    }
}

/// Two modes in the plane, for tests on MLP players.
struct TwoModeMixture2D: Distribution {
    var sampleShape: [Int] { [2] }
    func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        let sign = Tensor.uniform([n, 1], key: key.folded(in: 0), dtype: dtype).greater(Tensor(scalar: 0.5, dtype: dtype)) * 2 - 1
        return Tensor.concat([sign, sign * 0.5], axis: 1) + Tensor.normal([n, 2], std: 0.05, key: key.folded(in: 1), dtype: dtype)
    }
}
