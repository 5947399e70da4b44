import Foundation
import Tensor
import Testing
@testable import Games

private func softplus(_ t: Double) -> Double { t > 0 ? t + log1p(exp(-t)) : log1p(exp(t)) }
private func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }

private let realValues = [1.5, -2.0, 0.25]
private let fakeValues = [0.5, -1.5, 3.0]

@Suite struct ObjectiveTests {
    @Test func lossesMatchHandComputedValues() {
        let fr = Tensor(realValues, shape: [3, 1]), ff = Tensor(fakeValues, shape: [3, 1])
        let bce = mean(realValues.map { softplus(-$0) }) + mean(fakeValues.map { softplus($0) })
        let expected: [(Objective, Double, Double)] = [
            (.minimax, bce, -mean(fakeValues.map(softplus))),
            (.nonSaturating, bce, mean(fakeValues.map { softplus(-$0) })),
            (.wasserstein, mean(fakeValues) - mean(realValues), -mean(fakeValues)),
            (.hinge, mean(realValues.map { max(0, 1 - $0) }) + mean(fakeValues.map { max(0, 1 + $0) }), -mean(fakeValues)),
            (.leastSquares, 0.5 * mean(realValues.map { ($0 - 1) * ($0 - 1) }) + 0.5 * mean(fakeValues.map { $0 * $0 }),
             0.5 * mean(fakeValues.map { ($0 - 1) * ($0 - 1) })),
        ]
        for (objective, dLoss, gLoss) in expected {
            #expect(abs(objective.discriminatorLoss(realLogits: fr, fakeLogits: ff).item - dLoss) < 1e-14, "\(objective)")
            #expect(abs(objective.generatorLoss(fakeLogits: ff).item - gLoss) < 1e-14, "\(objective)")
        }
        // By hand: WGAN L_D = 2/3 − (−0.25/3) = 2.25/3; hinge L_D = (0 + 3 + 0.75)/3 + (1.5 + 0 + 4)/3;
        // LSGAN L_G = ½·(0.25 + 6.25 + 4)/3.
        #expect(abs(Objective.wasserstein.discriminatorLoss(realLogits: fr, fakeLogits: ff).item - 2.25 / 3) < 1e-15)
        #expect(abs(Objective.hinge.discriminatorLoss(realLogits: fr, fakeLogits: ff).item - (3.75 + 5.5) / 3) < 1e-15)
        #expect(abs(Objective.leastSquares.generatorLoss(fakeLogits: ff).item - 0.5 * 10.5 / 3) < 1e-15)
    }

    @Test func lossConventionsAtZeroLogits() {
        let zero = Tensor.zeros([4, 1], dtype: .float64)
        #expect(abs(Objective.nonSaturating.discriminatorLoss(realLogits: zero, fakeLogits: zero).item - 2 * log(2)) < 1e-15)
        #expect(abs(Objective.minimax.discriminatorLoss(realLogits: zero, fakeLogits: zero).item - 1.386294) < 1e-6)
        #expect(abs(Objective.nonSaturating.generatorLoss(fakeLogits: zero).item - 0.693147) < 1e-6)
        #expect(abs(Objective.minimax.generatorLoss(fakeLogits: zero).item + log(2)) < 1e-15)
    }

    @Test func saturationOfMinimaxVersusNonSaturating() {
        let f = Tensor([-10.0], shape: [1, 1]).requiringGrad()
        let mm = gradient(of: Objective.minimax.generatorLoss(fakeLogits: f), wrt: f).item
        let ns = gradient(of: Objective.nonSaturating.generatorLoss(fakeLogits: f), wrt: f).item
        #expect(abs(mm - (-4.5398e-5)) < 1e-9)
        #expect(abs(ns - (-0.9999546)) < 1e-7)
    }

    @Test func stableForConfidentLogits() {
        let fr = Tensor([800.0, -800.0], shape: [2, 1]), ff = Tensor([-800.0, 800.0], shape: [2, 1])
        for objective in Objective.allCases {
            #expect(objective.discriminatorLoss(realLogits: fr, fakeLogits: ff).item.isFinite, "\(objective)")
            #expect(objective.generatorLoss(fakeLogits: ff).item.isFinite, "\(objective)")
        }
        // mean softplus(−f_r) + mean softplus(f_f) = 400 + 400 in the log form, not inf.
        #expect(Objective.nonSaturating.discriminatorLoss(realLogits: fr, fakeLogits: ff).item == 800)
    }

    /// Derivatives with respect to the real logits, the fake logits (D's loss) and the fake
    /// logits (G's loss), against central differences; the values avoid the hinge's kinks.
    @Test func gradientsMatchFiniteDifferences() {
        let h = 1e-6
        func losses(_ objective: Objective, _ r: Tensor, _ f: Tensor) -> [Tensor] {
            [objective.discriminatorLoss(realLogits: r, fakeLogits: f), objective.generatorLoss(fakeLogits: f)]
        }
        for objective in Objective.allCases {
            let r = Tensor(realValues, shape: [3, 1]).requiringGrad(), f = Tensor(fakeValues, shape: [3, 1]).requiringGrad()
            let ls = losses(objective, r, f)
            let dGrads = gradients(of: ls[0], wrt: [r, f]).map(\.doubles)
            let gGrad = gradient(of: ls[1], wrt: f).doubles
            for i in 0..<3 {
                for part in 0..<2 {
                    var plus = [realValues, fakeValues], minus = plus
                    plus[part][i] += h
                    minus[part][i] -= h
                    let lp = losses(objective, Tensor(plus[0], shape: [3, 1]), Tensor(plus[1], shape: [3, 1]))
                    let lm = losses(objective, Tensor(minus[0], shape: [3, 1]), Tensor(minus[1], shape: [3, 1]))
                    let dNumeric = (lp[0].item - lm[0].item) / (2 * h)
                    #expect(abs(dNumeric - dGrads[part][i]) < 1e-8, "\(objective) L_D part \(part) index \(i)")
                    if part == 1 {
                        let gNumeric = (lp[1].item - lm[1].item) / (2 * h)
                        #expect(abs(gNumeric - gGrad[i]) < 1e-8, "\(objective) L_G index \(i)")
                    }
                }
            }
        }
    }
}
