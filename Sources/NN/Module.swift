import Tensor

/// A network component with named parameters and named state.
///
/// Modules are reference types: a GAN player is one object whose parameters the optimiser
/// updates in place. Names are stable dotted paths ("layers.2.weight") so snapshots,
/// checkpoints and optimiser state line up across runs.
public protocol Module: AnyObject {
    /// Trainable tensors by dotted name. Each is a gradient leaf (`requiresGrad`), so a loss
    /// built from this module's output can be differentiated with respect to it.
    var parameters: [String: Tensor] { get }
    /// Replaces parameter values by name. Every name must exist and every shape and dtype
    /// must match; the error says which did not. Values are stored as fresh gradient leaves.
    func setParameters(_ values: [String: Tensor]) throws
    /// Non-trainable tensors by dotted name (BatchNorm running statistics, spectral-norm
    /// power-iteration vectors). Empty for stateless modules.
    var state: [String: Tensor] { get }
    func setState(_ values: [String: Tensor]) throws
    /// Training (batch statistics, state updates) or evaluation behaviour.
    var isTraining: Bool { get set }
}

/// Errors raised when values are loaded into a module.
public enum ModuleError: Error, CustomStringConvertible, Equatable {
    case unknownName(String, module: String)
    case missingName(String, module: String)
    case shapeMismatch(name: String, expected: [Int], got: [Int])
    case dtypeMismatch(name: String, expected: DType, got: DType)

    public var description: String {
        switch self {
        case .unknownName(let n, let m): return "\(m): no parameter or state named '\(n)'"
        case .missingName(let n, let m): return "\(m): value for '\(n)' is missing"
        case .shapeMismatch(let n, let e, let g): return "'\(n)': expected shape \(e), got \(g)"
        case .dtypeMismatch(let n, let e, let g): return "'\(n)': expected dtype \(e), got \(g)"
        }
    }
}

/// All parameters and state of a module at one moment: cheap to take (tensors share storage
/// copy-on-write), so populations of strategies and EMA copies cost little.
public struct ModuleSnapshot: Sendable {
    public var parameters: [String: Tensor]
    public var state: [String: Tensor]

    public init(parameters: [String: Tensor], state: [String: Tensor]) {
        self.parameters = parameters
        self.state = state
    }
}

extension Module {
    public func snapshot() -> ModuleSnapshot {
        ModuleSnapshot(parameters: parameters.mapValues { $0.detached() }, state: state.mapValues { $0.detached() })
    }

    public func load(_ snapshot: ModuleSnapshot) throws {
        try setParameters(snapshot.parameters)
        try setState(snapshot.state)
    }

    /// Parameter names in a stable (sorted) order.
    public var parameterNames: [String] { parameters.keys.sorted() }

    /// ∂loss/∂θ for every parameter, by name: the gradients an optimiser's `update` takes.
    /// `loss` must have been built on the module's current parameters.
    public func parameterGradients(of loss: Tensor) -> [String: Tensor] {
        let names = parameterNames, leaves = parameters
        return Dictionary(uniqueKeysWithValues: zip(names, gradients(of: loss, wrt: names.map { leaves[$0]! })))
    }

    /// Total number of trainable scalars.
    public var parameterCount: Int { parameters.values.reduce(0) { $0 + $1.count } }
}
