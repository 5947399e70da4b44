import Tensor

/// The checks behind every `setParameters` and `setState`: a replacement map must name exactly
/// the module's tensors (no unknown name, none missing) with the same shapes and dtypes.
/// Everything is checked before anything is replaced, so a failed call changes nothing.
///
/// Replacement is deliberately complete rather than partial: a checkpoint or snapshot that lacks
/// a tensor is a bug worth reporting. `Module.updateParameters(_:)` merges a partial map first.
enum NamedTensorValidation {
    static func check(_ values: [String: Tensor], against current: [String: Tensor], module: String) throws {
        for name in values.keys.sorted() where current[name] == nil {
            throw ModuleError.unknownName(name, module: module)
        }
        for name in current.keys.sorted() {
            guard let value = values[name] else { throw ModuleError.missingName(name, module: module) }
            let expected = current[name]!
            if value.shape != expected.shape {
                throw ModuleError.shapeMismatch(name: name, expected: expected.shape, got: value.shape)
            }
            if value.dtype != expected.dtype {
                throw ModuleError.dtypeMismatch(name: name, expected: expected.dtype, got: value.dtype)
            }
        }
    }

    /// The entries of `values` under `prefix.`, with the prefix removed (for composite modules).
    static func entries(_ values: [String: Tensor], under prefix: String) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        let dotted = prefix + "."
        for (name, value) in values where name.hasPrefix(dotted) {
            result[String(name.dropFirst(dotted.count))] = value
        }
        return result
    }

    /// `values` with every name prefixed by `prefix.`.
    static func prefixed(_ values: [String: Tensor], by prefix: String) -> [String: Tensor] {
        var result: [String: Tensor] = [:]
        for (name, value) in values { result[prefix + "." + name] = value }
        return result
    }
}

extension Tensor {
    /// These values as a fresh parameter: a gradient leaf with no history.
    var asParameter: Tensor { detached().requiringGrad() }
    /// These values as state: plain data that no gradient reaches.
    var asState: Tensor { detached() }
}

extension Module {
    /// Replaces only the named parameters, keeping the others; the same checks as
    /// `setParameters` apply to the names given.
    public func updateParameters(_ values: [String: Tensor]) throws {
        var merged = parameters
        for (name, value) in values {
            guard merged[name] != nil else { throw ModuleError.unknownName(name, module: String(describing: type(of: self))) }
            merged[name] = value
        }
        try setParameters(merged)
    }
}
