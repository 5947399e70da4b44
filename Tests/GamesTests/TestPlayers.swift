import Datasets
import Foundation
import NN
import Tensor
@testable import Games

// Tiny players with closed-form behaviour, for tests only.

/// G(z) = x for every latent row: a scalar player of the bilinear game.
final class ScalarGenerator: Layer {
    private(set) var x: Tensor
    var isTraining = true

    init(_ value: Double) { x = Tensor([value], shape: [1]).requiringGrad() }

    func callAsFunction(_ z: Tensor) -> Tensor { Tensor.ones([z.shape[0], 1], dtype: .float64) * x }
    var parameters: [String: Tensor] { ["x": x] }
    func setParameters(_ values: [String: Tensor]) throws { x = values["x"]!.detached().requiringGrad() }
    var state: [String: Tensor] { [:] }
    func setState(_ values: [String: Tensor]) throws {}
    func cast(to dtype: DType) { x = x.cast(to: dtype).detached().requiringGrad() }
}

/// f(x) = ½‖x‖² per sample (no parameters): ∇f(x) = x.
final class HalfSquaredNorm: Layer {
    var isTraining = true
    func callAsFunction(_ x: Tensor) -> Tensor { x.reshaped([x.shape[0], -1]).squared().sum(axes: [1], keepDims: true) * 0.5 }
    var parameters: [String: Tensor] { [:] }
    func setParameters(_ values: [String: Tensor]) throws {}
    var state: [String: Tensor] { [:] }
    func setState(_ values: [String: Tensor]) throws {}
    func cast(to dtype: DType) {}
}

/// f(x) = b whatever x is: a constant discriminator with one parameter.
final class ConstantCritic: Layer {
    private(set) var b: Tensor
    var isTraining = true
    init(_ value: Double) { b = Tensor([value], shape: [1]).requiringGrad() }
    func callAsFunction(_ x: Tensor) -> Tensor { (x.reshaped([x.shape[0], -1]) * 0).sum(axes: [1], keepDims: true) + b }
    var parameters: [String: Tensor] { ["b": b] }
    func setParameters(_ values: [String: Tensor]) throws { b = values["b"]!.detached().requiringGrad() }
    var state: [String: Tensor] { [:] }
    func setState(_ values: [String: Tensor]) throws {}
    func cast(to dtype: DType) {}
}

/// f(x) = w·x + b.
func linearCritic(_ w: [Double], bias: Double = 0) -> Linear {
    Linear(weight: Tensor(w, shape: [1, w.count]), bias: Tensor([bias]))
}

/// An equal mixture of N(−center, σ²) and N(center, σ²) on the line.
struct TwoModeMixture: Distribution {
    var center = 2.0
    var sigma = 0.1
    var sampleShape: [Int] { [1] }
    func sample(_ n: Int, key: RandomKey, dtype: DType) -> Tensor {
        let signs = Tensor.uniform([n, 1], key: key.folded(in: 0), dtype: dtype).greater(Tensor(scalar: 0.5, dtype: dtype)) * 2 - 1
        return signs * center + Tensor.normal([n, 1], std: sigma, key: key.folded(in: 1), dtype: dtype)
    }
}

/// W1 between two 1-D samples of equal size, from the sorted values.
func wasserstein1(_ a: [Double], _ b: [Double]) -> Double {
    precondition(a.count == b.count)
    return zip(a.sorted(), b.sorted()).map { abs($0 - $1) }.reduce(0, +) / Double(a.count)
}

/// Central finite differences of a scalar function of all the module's parameters.
func finiteDifferenceGradient(of module: some Module, h: Double = 1e-6, _ f: () -> Double) throws -> [String: [Double]] {
    let original = module.parameters.mapValues { $0.detached() }
    var result: [String: [Double]] = [:]
    for name in original.keys.sorted() {
        var grad: [Double] = []
        for i in 0..<original[name]!.count {
            var values = original
            var plus = original[name]!.doubles, minus = plus
            plus[i] += h
            minus[i] -= h
            values[name] = Tensor(plus, shape: original[name]!.shape)
            try module.setParameters(values)
            let fPlus = f()
            values[name] = Tensor(minus, shape: original[name]!.shape)
            try module.setParameters(values)
            let fMinus = f()
            grad.append((fPlus - fMinus) / (2 * h))
        }
        result[name] = grad
    }
    try module.setParameters(original)
    return result
}

/// max |a − b| / max(1, |b|) over all entries.
func relativeError(_ analytic: [String: Tensor], _ numeric: [String: [Double]]) -> Double {
    var worst = 0.0
    for (name, values) in numeric {
        for (a, b) in zip(analytic[name]!.doubles, values) { worst = max(worst, abs(a - b) / max(1, abs(b))) }
    }
    return worst
}

func parameterGradients(of loss: Tensor, module: some Module) -> [String: Tensor] {
    let parameters = module.parameters
    let names = parameters.keys.sorted()
    return Dictionary(uniqueKeysWithValues: zip(names, gradients(of: loss, wrt: names.map { parameters[$0]! })))
}

/// PacGAN's ring with tiny MLP players (16 units, no BatchNorm) and batch 32, so a DO-GAN
/// iteration or a mixture step is cheap.
func tinyRingConfig(seed: UInt64 = 0) throws -> GANConfig {
    var c = try TrainingPresets.named("pacgan-ring")
    c.generator.widths = [16]
    c.generator.batchNorm = false
    c.discriminator.widths = [16]
    c.batchSize = 32
    c.seed = seed
    return c
}
