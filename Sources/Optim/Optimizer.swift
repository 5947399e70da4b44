import NN
import Tensor

/// A first-order optimiser whose whole state is named data.
///
/// `step` updates parameters in place from a name→gradient map. The state is a flat
/// name→tensor map, so checkpoints save it like parameters and a resumed run continues
/// bit for bit. Keys (see each optimiser for its slots):
/// - `"lr"`: the learning rate, a Float64 scalar (restored by `loadState`, so a schedule that
///   changed it resumes exactly; set `learningRate` after loading to override it);
/// - `"<slot>.<parameter>"`: a per-parameter buffer with the parameter's shape and dtype,
///   e.g. `"exp_avg.layers.0.weight"` (slot names never contain a dot, parameter names may);
/// - `"step.<parameter>"`: how many updates that parameter has had, a Float64 scalar, kept per
///   parameter as in PyTorch because a parameter without a gradient is skipped.
///
/// Optimisers are values: one per player, each with its own learning rate.
public protocol Optimizer: Sendable {
    /// The step size η; change it between steps for schedules.
    var learningRate: Double { get set }
    /// Everything needed to continue exactly: the learning rate and the per-parameter buffers.
    var state: [String: Tensor] { get }
    /// Replaces the state with a saved one after checking that every key is one this
    /// optimiser (with its current hyperparameters) uses, and that buffers are consistent.
    mutating func loadState(_ state: [String: Tensor]) throws
    /// Updates every parameter that has a gradient, in place: values change, each tensor
    /// keeps its gradient-leaf identity, nothing is recorded in a graph. Parameters without a
    /// gradient are left alone (like PyTorch's `grad is None`). A gradient for a parameter
    /// that does not exist, or of another shape or dtype, is a programming error (trap).
    mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor])
}

/// Why a saved optimiser state was rejected.
public enum OptimizerStateError: Error, Equatable, CustomStringConvertible {
    /// A key this optimiser does not use (e.g. momentum buffers loaded into SGD without momentum).
    case unknownKey(String, optimizer: String, expected: [String])
    /// A key the optimiser needs, given the other keys present.
    case missingKey(String, optimizer: String)
    case shapeMismatch(key: String, expected: [Int], got: [Int])
    case dtypeMismatch(key: String, expected: DType, got: DType)
    /// A step count or learning rate that is not a finite non-negative number (steps: an integer).
    case invalidValue(key: String, value: Double)
    /// A buffer for a parameter the model does not have.
    case unknownParameter(key: String, parameter: String)

    public var description: String {
        switch self {
        case let .unknownKey(key, optimizer, expected):
            return "\(optimizer) state: unexpected key '\(key)' (this configuration uses \(expected.joined(separator: ", ")))"
        case let .missingKey(key, optimizer):
            return "\(optimizer) state: missing key '\(key)'"
        case let .shapeMismatch(key, expected, got):
            return "optimiser state '\(key)': expected shape \(expected), got \(got)"
        case let .dtypeMismatch(key, expected, got):
            return "optimiser state '\(key)': expected dtype \(expected.rawValue), got \(got.rawValue)"
        case let .invalidValue(key, value):
            return "optimiser state '\(key)': invalid value \(value)"
        case let .unknownParameter(key, parameter):
            return "optimiser state '\(key)': the model has no parameter '\(parameter)'"
        }
    }
}

extension Optimizer {
    /// One step on a module's parameters.
    ///
    /// A module's `parameters` getter returns tensors that share storage with the module, so
    /// an in-place step copies each buffer once (copy-on-write) and `setParameters` stores the
    /// result as the module's new leaves. That is the cheapest correct route: writing into
    /// the module's buffers behind its back would also change every snapshot sharing them
    /// (population members, EMA copies), and a value-semantics tensor gives no other way in.
    /// The copy costs one pass over the parameters, no more than the update itself. Because
    /// the module's leaves are new after this call, take gradients with respect to
    /// `module.parameters` read after the last update (as a training step naturally does).
    public mutating func update(_ module: some Module, gradients: [String: Tensor]) throws {
        var parameters = module.parameters
        step(&parameters, gradients: gradients)
        try module.setParameters(parameters)
    }

    /// Checks the state against a model's parameters: every buffer must belong to one of them
    /// and have its shape and dtype. `loadState` cannot check this (it has no model), so
    /// checkpoint restoring calls both.
    public func validateState(for parameters: [String: Tensor]) throws(OptimizerStateError) {
        let state = self.state
        for key in state.keys.sorted() where key != "lr" {
            let tensor = state[key]!
            guard let dot = key.firstIndex(of: ".") else { continue }
            let slot = key[..<dot], name = String(key[key.index(after: dot)...])
            guard let parameter = parameters[name] else { throw .unknownParameter(key: key, parameter: name) }
            if slot == "step" { continue }
            guard tensor.shape == parameter.shape else {
                throw .shapeMismatch(key: key, expected: parameter.shape, got: tensor.shape)
            }
            guard tensor.dtype == parameter.dtype else {
                throw .dtypeMismatch(key: key, expected: parameter.dtype, got: tensor.dtype)
            }
        }
    }
}
