import Optim
import Tensor

/// The uniform running mean of parameter iterates, θ̄_n = (1/n) Σ_{t≤n} θ_t, updated as
/// θ̄ ← θ̄ + (θ − θ̄)/n. This is the averaged player of the no-regret argument (dragan.md
/// §2.2): the trainer feeds it the iterates that were *played* (the parameters a step starts
/// from), not the post-update ones, so the average is over exactly the iterates whose payoffs
/// count.
///
/// State: "mean.<parameter>" and "count" (Float64).
public struct UniformAverage: Sendable {
    public private(set) var mean: [String: Tensor]
    public private(set) var count: Int = 0

    /// An empty average over parameters shaped like `parameters`.
    public init(like parameters: [String: Tensor]) {
        mean = parameters.mapValues { $0.detached().zerosLike() }
    }

    public mutating func add(_ parameters: [String: Tensor]) {
        count += 1
        let weight = 1 / Double(count)
        for name in mean.keys.sorted() {
            guard let parameter = parameters[name] else {
                preconditionFailure("UniformAverage.add: no value for '\(name)' (got \(parameters.keys.sorted()))")
            }
            precondition(parameter.shape == mean[name]!.shape && parameter.dtype == mean[name]!.dtype,
                         "UniformAverage.add: '\(name)' is \(parameter.dtype.rawValue) \(parameter.shape), average is \(mean[name]!.dtype.rawValue) \(mean[name]!.shape)")
            switch parameter.dtype {
            case .float32: Self.blend(&mean[name]!, toward: parameter, weight: Float(weight))
            case .float64: Self.blend(&mean[name]!, toward: parameter, weight: weight)
            }
        }
    }

    private static func blend<T: TensorScalar>(_ mean: inout Tensor, toward parameter: Tensor, weight: T) {
        parameter.withUnsafeBufferPointer(as: T.self) { p in
            mean.withUnsafeMutableBufferPointer(as: T.self) { m in
                for i in m.indices { m[i] = m[i] + weight * (p[i] - m[i]) }
            }
        }
    }

    public var state: [String: Tensor] {
        var state = Dictionary(uniqueKeysWithValues: mean.map { ("mean." + $0.key, $0.value) })
        state["count"] = Tensor(scalar: Double(count), dtype: .float64)
        return state
    }

    public mutating func loadState(_ state: [String: Tensor]) throws(OptimizerStateError) {
        guard let countTensor = state["count"] else { throw .missingKey("count", optimizer: "UniformAverage") }
        guard countTensor.shape == [], countTensor.dtype == .float64 else {
            throw .shapeMismatch(key: "count", expected: [], got: countTensor.shape)
        }
        let value = countTensor.item
        guard value >= 0, value == value.rounded(), value <= 9_007_199_254_740_992 else { throw .invalidValue(key: "count", value: value) }
        var newMean: [String: Tensor] = [:]
        for key in state.keys.sorted() where key != "count" {
            guard key.hasPrefix("mean.") else {
                throw .unknownKey(key, optimizer: "UniformAverage", expected: ["count", "mean.<parameter>"])
            }
            let name = String(key.dropFirst("mean.".count))
            let tensor = state[key]!
            guard let current = mean[name] else { throw .unknownParameter(key: key, parameter: name) }
            guard tensor.shape == current.shape else { throw .shapeMismatch(key: key, expected: current.shape, got: tensor.shape) }
            guard tensor.dtype == current.dtype else { throw .dtypeMismatch(key: key, expected: current.dtype, got: tensor.dtype) }
            newMean[name] = tensor.detached()
        }
        for name in mean.keys.sorted() where newMean[name] == nil { throw .missingKey("mean." + name, optimizer: "UniformAverage") }
        mean = newMean
        count = Int(value)
    }
}
