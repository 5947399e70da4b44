import Foundation
import NN
import Tensor
import Testing

/// Finite-difference checks of a layer's derivatives, first and second order, in Float64.
///
/// The layer's output y is read out as the scalar s = Σ tanh(y)·c with a fixed random c (the
/// tanh makes s nonlinear in y, so second derivatives are not trivially zero even for affine
/// layers). First order: ∂s/∂x and ∂s/∂θ by autodiff against central differences of s.
/// Second order: S = ‖∂s/∂x‖², the quantity gradient penalties build; ∂S/∂x and ∂S/∂θ by
/// double backward (`createGraph: true`) against central differences of S, where each S is
/// itself computed by a first-order backward.
struct GradientCheck {
    let layer: any Layer
    let input: Tensor
    let cotangent: Tensor
    var step = 1e-6
    var tolerance = 1e-6

    init(_ layer: any Layer, input: Tensor, key: RandomKey) {
        precondition(input.dtype == .float64, "GradientCheck needs a Float64 input")
        self.layer = layer
        self.input = input
        cotangent = Tensor.normal(layer(input).shape, key: key, dtype: .float64)
    }

    private func readout(_ y: Tensor) -> Tensor { (y.tanh() * cotangent).sum() }

    /// s at the given input and parameters; the layer is left with `parameters` loaded.
    private func firstOrderValue(_ x: Tensor, _ parameters: [String: Tensor]) -> Double {
        try! layer.setParameters(parameters)
        return readout(layer(x)).item
    }

    /// S = ‖∂s/∂x‖² at the given input and parameters.
    private func secondOrderValue(_ x: Tensor, _ parameters: [String: Tensor]) -> Double {
        try! layer.setParameters(parameters)
        let leaf = x.requiringGrad()
        let gx = gradient(of: readout(layer(leaf)), wrt: leaf)
        return gx.squared().sum().item
    }

    /// Autodiff gradients of s (order 1) or S (order 2) with respect to x and each parameter.
    private func analytic(order: Int) -> [String: Tensor] {
        let names = layer.parameterNames
        let parameters = layer.parameters
        let leaf = input.requiringGrad()
        let s = readout(layer(leaf))
        let objective: Tensor
        if order == 1 {
            objective = s
        } else {
            let gx = gradient(of: s, wrt: leaf, createGraph: true)
            objective = gx.squared().sum()
        }
        let grads = gradients(of: objective, wrt: [leaf] + names.map { parameters[$0]! })
        var result = ["input": grads[0]]
        for (name, g) in zip(names, grads.dropFirst()) { result[name] = g }
        return result
    }

    /// Central differences of `value` in every element of x and of each parameter.
    private func numerical(_ value: (Tensor, [String: Tensor]) -> Double) -> [String: Tensor] {
        let original = layer.parameters.mapValues { $0.detached() }
        defer { try! layer.setParameters(original) }
        func perturbed(_ t: Tensor, _ i: Int, _ delta: Double) -> Tensor {
            var copy = t.detached()
            copy.withUnsafeMutableBufferPointer(as: Double.self) { $0[i] += delta }
            return copy
        }
        func derivative(of t: Tensor, evaluating f: (Tensor) -> Double) -> Tensor {
            let values = (0..<t.count).map { i in
                (f(perturbed(t, i, step)) - f(perturbed(t, i, -step))) / (2 * step)
            }
            return Tensor(values, shape: t.shape)
        }
        var result = ["input": derivative(of: input) { value($0, original) }]
        for name in original.keys {
            result[name] = derivative(of: original[name]!) { p in
                var parameters = original
                parameters[name] = p
                return value(input, parameters)
            }
        }
        return result
    }

    func run(sourceLocation: SourceLocation = #_sourceLocation) {
        for order in [1, 2] {
            let exact = analytic(order: order)
            let estimate = order == 1 ? numerical(firstOrderValue) : numerical(secondOrderValue)
            #expect(Set(exact.keys) == Set(estimate.keys), sourceLocation: sourceLocation)
            for name in exact.keys.sorted() {
                let error = maxRelativeError(exact[name]!, estimate[name]!)
                #expect(error <= tolerance,
                        "\(type(of: layer)) order \(order) d/d\(name): max relative error \(error)",
                        sourceLocation: sourceLocation)
            }
        }
    }
}
