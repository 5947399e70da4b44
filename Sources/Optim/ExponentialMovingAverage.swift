import NN
import Tensor

/// An exponential moving average of parameters ("EMA generator"), kept as a shadow copy:
///
///     s ← s + (1 − d_n)·(θ − s)        (= d_n·s + (1 − d_n)·θ)
///
/// The shadow starts as a copy of the parameters, so there is no zero-initialisation bias to
/// correct (unlike Adam's moments). What remains is that early averages weigh the random
/// initial weights heavily; `warmup` addresses that with TensorFlow's schedule
/// d_n = min(d, (1 + n)/(10 + n)), n the number of updates so far, which averages over a
/// short window at first and reaches d after about 10/(1 − d) updates.
///
/// State (named data, for checkpoints): "shadow.<parameter>" and "num_updates" (Float64).
public struct ExponentialMovingAverage: Sendable {
    public let decay: Double
    public let warmup: Bool
    /// The averaged parameters, detached (no gradient graph).
    public private(set) var shadow: [String: Tensor]
    /// How many times `update` has run.
    public private(set) var updateCount: Int = 0

    public init(decay: Double, parameters: [String: Tensor], warmup: Bool = false) {
        precondition((0...1).contains(decay), "ExponentialMovingAverage: decay must be in [0, 1], got \(decay)")
        self.decay = decay
        self.warmup = warmup
        // Sharing storage is safe: tensors are copy-on-write, so the first in-place update of
        // either side separates them.
        self.shadow = parameters.mapValues { $0.detached() }
    }

    public init(decay: Double, module: some Module, warmup: Bool = false) {
        self.init(decay: decay, parameters: module.parameters, warmup: warmup)
    }

    /// The decay the next update will use.
    public var currentDecay: Double {
        warmup ? min(decay, Double(1 + updateCount) / Double(10 + updateCount)) : decay
    }

    /// Moves the shadow towards `parameters`; every shadowed name must be present with the
    /// same shape and dtype (a programming error otherwise).
    public mutating func update(from parameters: [String: Tensor]) {
        let weight = 1 - currentDecay
        for name in shadow.keys.sorted() {
            guard let parameter = parameters[name] else {
                preconditionFailure("ExponentialMovingAverage.update: no value for '\(name)' (got \(parameters.keys.sorted()))")
            }
            precondition(parameter.shape == shadow[name]!.shape && parameter.dtype == shadow[name]!.dtype,
                         "ExponentialMovingAverage.update: '\(name)' is \(parameter.dtype.rawValue) \(parameter.shape), shadow is \(shadow[name]!.dtype.rawValue) \(shadow[name]!.shape)")
            switch parameter.dtype {
            case .float32: Self.blend(&shadow[name]!, toward: parameter, weight: Float(weight))
            case .float64: Self.blend(&shadow[name]!, toward: parameter, weight: weight)
            }
        }
        updateCount += 1
    }

    public mutating func update(from module: some Module) {
        update(from: module.parameters)
    }

    /// Loads the averaged parameters into a module (e.g. an evaluation copy of the generator).
    public func apply(to module: some Module) throws {
        try module.setParameters(shadow)
    }

    private static func blend<T: TensorScalar>(_ shadow: inout Tensor, toward parameter: Tensor, weight: T) {
        parameter.withUnsafeBufferPointer(as: T.self) { p in
            shadow.withUnsafeMutableBufferPointer(as: T.self) { s in
                for i in s.indices { s[i] = s[i] + weight * (p[i] - s[i]) }
            }
        }
    }

    // MARK: State

    public var state: [String: Tensor] {
        var state = Dictionary(uniqueKeysWithValues: shadow.map { ("shadow." + $0.key, $0.value) })
        state["num_updates"] = Tensor(scalar: Double(updateCount), dtype: .float64)
        return state
    }

    /// Restores a saved state; the shadowed names, shapes and dtypes must be exactly the ones
    /// this average was created with.
    public mutating func loadState(_ state: [String: Tensor]) throws(OptimizerStateError) {
        guard let count = state["num_updates"] else { throw .missingKey("num_updates", optimizer: "ExponentialMovingAverage") }
        guard count.shape == [] else { throw .shapeMismatch(key: "num_updates", expected: [], got: count.shape) }
        guard count.dtype == .float64 else { throw .dtypeMismatch(key: "num_updates", expected: .float64, got: count.dtype) }
        let value = count.item
        guard value >= 0, value <= 9_007_199_254_740_992, value == value.rounded() else {
            throw .invalidValue(key: "num_updates", value: value)
        }
        var newShadow: [String: Tensor] = [:]
        for key in state.keys.sorted() where key != "num_updates" {
            let tensor = state[key]!
            guard key.hasPrefix("shadow.") else {
                throw .unknownKey(key, optimizer: "ExponentialMovingAverage", expected: ["num_updates", "shadow.<parameter>"])
            }
            let name = String(key.dropFirst("shadow.".count))
            guard let current = shadow[name] else { throw .unknownParameter(key: key, parameter: name) }
            guard tensor.shape == current.shape else { throw .shapeMismatch(key: key, expected: current.shape, got: tensor.shape) }
            guard tensor.dtype == current.dtype else { throw .dtypeMismatch(key: key, expected: current.dtype, got: tensor.dtype) }
            newShadow[name] = tensor.detached()
        }
        for name in shadow.keys.sorted() where newShadow[name] == nil {
            throw .missingKey("shadow." + name, optimizer: "ExponentialMovingAverage")
        }
        shadow = newShadow
        updateCount = Int(value)
    }
}
