import NN
import Tensor
import Testing

@Suite struct SpectralNormTests {
    /// Top singular value of a row-major [rows, cols] matrix by power iteration on MᵀM in Float64,
    /// written independently of the layer.
    private func topSingularValue(_ m: [Double], rows: Int, cols: Int) -> Double {
        var gram = [Double](repeating: 0, count: cols * cols)
        for i in 0..<cols {
            for j in 0..<cols {
                for r in 0..<rows { gram[i * cols + j] += m[r * cols + i] * m[r * cols + j] }
            }
        }
        var v = (0..<cols).map { 1 + 0.1 * Double($0) }
        var lambda = 0.0
        for _ in 0..<5000 {
            var next = [Double](repeating: 0, count: cols)
            for i in 0..<cols { for j in 0..<cols { next[i] += gram[i * cols + j] * v[j] } }
            lambda = next.map { $0 * $0 }.reduce(0, +).squareRoot()
            v = next.map { $0 / lambda }
        }
        return lambda.squareRoot()
    }

    @Test func closedFormDiagonal() {
        let layer = SpectralNorm(Linear(weight: Tensor([3, 0, 0, 1] as [Double], shape: [2, 2]), bias: nil),
                                 key: RandomKey(seed: 30))
        for _ in 0..<40 { _ = layer(Tensor.zeros([1, 2], dtype: .float64)) }
        #expect(abs(layer.sigma.item - 3) < 1e-12)
        expectClose(layer.normalizedWeight, Tensor([1, 0, 0, 1.0 / 3] as [Double], shape: [2, 2]), tolerance: 1e-12, "W/σ")
    }

    @Test func topSingularValueBecomesOne() {
        var key = RandomKey(seed: 31)
        let linear = SpectralNorm(Linear(6, 4, key: key.split(), dtype: .float64), key: key.split())
        let conv = SpectralNorm(Conv2d(3, 5, kernelSize: 3, key: key.split(), dtype: .float64), key: key.split())
        let deconv = SpectralNorm(ConvTranspose2d(3, 5, kernelSize: 3, key: key.split(), dtype: .float64), key: key.split())
        for _ in 0..<300 {
            _ = linear(.zeros([1, 6], dtype: .float64))
            _ = conv(.zeros([1, 3, 3, 3], dtype: .float64))
            _ = deconv(.zeros([1, 3, 1, 1], dtype: .float64))
        }
        // Matrix views: [out, in] for Linear, [Cout, Cin·k²] for Conv2d, [Cout, Cin·k²] (axis 1 first) for the transpose.
        let views: [(Tensor, Tensor)] = [
            (linear.normalizedWeight, linear.wrapped.weight),
            (conv.normalizedWeight.reshaped([5, -1]), conv.wrapped.weight.reshaped([5, -1])),
            (deconv.normalizedWeight.permuted([1, 0, 2, 3]).reshaped([5, -1]),
             deconv.wrapped.weight.permuted([1, 0, 2, 3]).reshaped([5, -1])),
        ]
        let sigmas = [linear.sigma.item, conv.sigma.item, deconv.sigma.item]
        for ((normalised, original), sigma) in zip(views, sigmas) {
            let (rows, cols) = (normalised.shape[0], normalised.shape[1])
            #expect(abs(topSingularValue(normalised.doubles, rows: rows, cols: cols) - 1) < 1e-8)
            #expect(abs(topSingularValue(original.doubles, rows: rows, cols: cols) - sigma) < 1e-8 * sigma)
        }
        #expect(deconv.u.shape == [5] && deconv.v.shape == [27])
    }

    @Test func namesAndState() {
        var key = RandomKey(seed: 32)
        let layer = SpectralNorm(Conv2d(2, 4, kernelSize: 3, key: key.split()), key: key.split())
        #expect(layer.parameterNames == ["bias", "weight_orig"])
        #expect(layer.state["weight_u"]!.shape == [4] && layer.state["weight_v"]!.shape == [18])
        #expect(abs(layer.u.norm().item - 1) < 1e-6 && abs(layer.v.norm().item - 1) < 1e-6)
        #expect(layer.parameters["weight_orig"]!.requiresGrad)
        // Evaluation leaves u and v alone; training advances them.
        let u0 = layer.u
        layer.isTraining = false
        _ = layer(.zeros([1, 2, 5, 5]))
        #expect(layer.u.doubles == u0.doubles)
        layer.isTraining = true
        _ = layer(.zeros([1, 2, 5, 5]))
        #expect(layer.u.doubles != u0.doubles)
    }

    @Test func trainingGradientTreatsSingularVectorsAsConstants() throws {
        var key = RandomKey(seed: 33)
        let layer = SpectralNorm(Linear(5, 3, key: key.split(), dtype: .float64), key: key.split())
        let x = Tensor.normal([4, 5], key: key.split(), dtype: .float64)
        let weight = layer.parameters["weight_orig"]!
        let trained = gradient(of: layer(x).tanh().sum(), wrt: weight)
        // The same u, v (now stored) used as constants in evaluation give the same gradient.
        layer.isTraining = false
        let evaluated = gradient(of: layer(x).tanh().sum(), wrt: weight)
        expectClose(trained, evaluated, tolerance: 1e-14, "training vs evaluation gradient")
        #expect(maxRelativeError(trained, gradient(of: layer.wrapped(x).tanh().sum(), wrt: weight)) > 1e-3)
    }

    @Test func finiteDifferences() {
        var key = RandomKey(seed: 34)
        let layers: [any Layer] = [
            SpectralNorm(Linear(4, 3, key: key.split(), dtype: .float64), key: key.split()),
            SpectralNorm(Conv2d(2, 2, kernelSize: 3, padding: 1, key: key.split(), dtype: .float64), key: key.split()),
            SpectralNorm(ConvTranspose2d(2, 2, kernelSize: 3, stride: 2, key: key.split(), dtype: .float64), key: key.split()),
        ]
        let inputs: [[Int]] = [[3, 4], [2, 2, 3, 3], [2, 2, 2, 2]]
        for (layer, shape) in zip(layers, inputs) {
            _ = layer(.zeros(shape, dtype: .float64))  // one power iteration, then fixed u, v
            layer.isTraining = false
            GradientCheck(layer, input: .normal(shape, key: key.split(), dtype: .float64), key: key.split()).run()
        }
    }
}
