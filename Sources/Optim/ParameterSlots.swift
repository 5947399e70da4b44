import Tensor

/// An element-wise update: given one parameter's values, its buffers (in the order of the
/// optimiser's slot names), its gradient and its step count, write the new values and buffers.
/// Written once generically; the compiler specialises it for Float and Double.
protocol ElementwiseRule {
    /// - Parameters:
    ///   - parameter, buffers: each tensor's values before the update and where the updated
    ///     ones go (see `UpdateView`): element i of `new` is written from element i of `old`.
    ///   - step: the parameter's update count including this one (1 on the first update);
    ///     0 for optimisers that do not count steps.
    ///   - fresh: whether the buffers were just created (zeros), i.e. this is the first update.
    func update<T: TensorScalar>(parameter: UpdateView<T>, buffers: [UpdateView<T>], gradient: UnsafeBufferPointer<T>,
                                 step: Int, fresh: Bool)
}

/// A tensor's values before an optimiser's update (`old`) and where the update writes them
/// (`new`). Either every view of one update is in place (`old` and `new` the same memory) or
/// none is: a parameter or buffer that something else still shares (the module holding its
/// parameters, the trainer's roll-back copy of the last step) is written into fresh storage,
/// never copied first and then updated, and then the others go to fresh storage too, so a
/// rule's loop never mixes aliased and disjoint pointers.
struct UpdateView<T: TensorScalar> {
    let old: UnsafeBufferPointer<T>
    let new: UnsafeMutableBufferPointer<T>
    var count: Int { new.count }
    /// Whether `old` and `new` are the same memory.
    var inPlace: Bool { old.baseAddress == UnsafePointer(new.baseAddress) }
}

/// The named per-parameter buffers of an element-wise optimiser, and the loop that applies
/// an `ElementwiseRule` to every parameter that has a gradient. All optimisers share it so
/// that state naming, validation and in-place mutation are written once.
struct ParameterSlots: Sendable {
    /// For error messages ("Adam state: …").
    let optimizer: String
    /// Buffer slots in the order the rule receives them, e.g. ["exp_avg", "exp_avg_sq"].
    let slots: [String]
    /// Whether a per-parameter "step" count is kept.
    let countsSteps: Bool
    /// "<slot>.<parameter>" → buffer.
    private(set) var buffers: [String: Tensor] = [:]
    /// Parameter name → number of updates so far.
    private(set) var steps: [String: Int] = [:]

    init(optimizer: String, slots: [String], countsSteps: Bool) {
        self.optimizer = optimizer
        self.slots = slots
        self.countsSteps = countsSteps
    }

    static func key(_ slot: some StringProtocol, _ parameter: String) -> String { slot + "." + parameter }

    /// The state as documented on `Optimizer`.
    func state(learningRate: Double) -> [String: Tensor] {
        var state = buffers
        state["lr"] = Tensor(scalar: learningRate, dtype: .float64)
        for (name, count) in steps { state[Self.key("step", name)] = Tensor(scalar: Double(count), dtype: .float64) }
        return state
    }

    /// The keys this optimiser accepts, for error messages.
    private var expectedKeys: [String] {
        ["lr"] + (countsSteps ? ["step.<parameter>"] : []) + slots.map { $0 + ".<parameter>" }
    }

    /// Validates a saved state and adopts it; returns the saved learning rate.
    mutating func load(_ state: [String: Tensor]) throws(OptimizerStateError) -> Double {
        guard let lrTensor = state["lr"] else { throw .missingKey("lr", optimizer: optimizer) }
        let learningRate = try Self.scalar(lrTensor, key: "lr")
        guard learningRate.isFinite, learningRate >= 0 else { throw .invalidValue(key: "lr", value: learningRate) }

        let allSlots = (countsSteps ? ["step"] : []) + slots
        var parameters = Set<String>()
        for key in state.keys.sorted() where key != "lr" {
            guard let dot = key.firstIndex(of: "."), allSlots.contains(String(key[..<dot])) else {
                throw .unknownKey(key, optimizer: optimizer, expected: expectedKeys)
            }
            parameters.insert(String(key[key.index(after: dot)...]))
        }

        var newBuffers: [String: Tensor] = [:]
        var newSteps: [String: Int] = [:]
        for name in parameters.sorted() {
            for slot in allSlots where state[Self.key(slot, name)] == nil {
                throw .missingKey(Self.key(slot, name), optimizer: optimizer)
            }
            if countsSteps {
                let key = Self.key("step", name)
                let value = try Self.scalar(state[key]!, key: key)
                guard value >= 0, value <= 9_007_199_254_740_992, value == value.rounded() else {
                    throw .invalidValue(key: key, value: value)
                }
                newSteps[name] = Int(value)
            }
            var reference: (key: String, tensor: Tensor)?
            for slot in slots {
                let key = Self.key(slot, name)
                let tensor = state[key]!.detached()
                if let reference {
                    guard tensor.shape == reference.tensor.shape else {
                        throw .shapeMismatch(key: key, expected: reference.tensor.shape, got: tensor.shape)
                    }
                    guard tensor.dtype == reference.tensor.dtype else {
                        throw .dtypeMismatch(key: key, expected: reference.tensor.dtype, got: tensor.dtype)
                    }
                } else {
                    reference = (key, tensor)
                }
                newBuffers[key] = tensor
            }
        }
        buffers = newBuffers
        steps = newSteps
        return learningRate
    }

    /// A Float64 rank-0 tensor's value.
    private static func scalar(_ tensor: Tensor, key: String) throws(OptimizerStateError) -> Double {
        guard tensor.shape == [] else { throw .shapeMismatch(key: key, expected: [], got: tensor.shape) }
        guard tensor.dtype == .float64 else { throw .dtypeMismatch(key: key, expected: .float64, got: tensor.dtype) }
        return tensor.item
    }

    /// Applies `rule` to every parameter with a gradient (in name order), in place.
    mutating func step(_ parameters: inout [String: Tensor], gradients: [String: Tensor], rule: some ElementwiseRule) {
        for name in gradients.keys.sorted() {
            let gradient = gradients[name]!
            // Taking the tensor out of the dictionary leaves it uniquely referenced unless the
            // caller shares it (as a module does): then the update writes fresh storage instead
            // of in place (see `UpdateView`). Its gradient node is kept either way.
            guard var parameter = parameters.removeValue(forKey: name) else {
                preconditionFailure("\(optimizer).step: gradient for '\(name)' but there is no such parameter (parameters: \(parameters.keys.sorted()))")
            }
            precondition(gradient.shape == parameter.shape,
                         "\(optimizer).step: gradient for '\(name)' has shape \(gradient.shape), parameter has \(parameter.shape)")
            precondition(gradient.dtype == parameter.dtype,
                         "\(optimizer).step: gradient for '\(name)' is \(gradient.dtype.rawValue), parameter is \(parameter.dtype.rawValue)")
            var fresh = false
            var slotTensors: [Tensor] = slots.map { slot in
                if let buffer = buffers.removeValue(forKey: Self.key(slot, name)) {
                    precondition(buffer.shape == parameter.shape && buffer.dtype == parameter.dtype,
                                 "\(optimizer).step: state '\(Self.key(slot, name))' is \(buffer.dtype.rawValue) \(buffer.shape) but the parameter is \(parameter.dtype.rawValue) \(parameter.shape); check loaded state with validateState(for:)")
                    return buffer
                }
                fresh = true
                return parameter.zerosLike()
            }
            let step = countsSteps ? (steps[name] ?? 0) + 1 : 0
            switch parameter.dtype {
            case .float32: Self.apply(rule, &parameter, &slotTensors, gradient, step: step, fresh: fresh, as: Float.self)
            case .float64: Self.apply(rule, &parameter, &slotTensors, gradient, step: step, fresh: fresh, as: Double.self)
            }
            parameters[name] = parameter
            for (slot, tensor) in zip(slots, slotTensors) { buffers[Self.key(slot, name)] = tensor }
            if countsSteps { steps[name] = step }
        }
    }

    /// Opens typed views of the parameter, every buffer and the gradient, then runs the rule:
    /// all in place, or, when any of them is shared, all into fresh storage (see `UpdateView`).
    private static func apply<T: TensorScalar>(_ rule: some ElementwiseRule, _ parameter: inout Tensor, _ slotTensors: inout [Tensor],
                                               _ gradient: Tensor, step: Int, fresh: Bool, as: T.Type) {
        let outOfPlace = parameter.isStorageShared() || slotTensors.indices.contains { slotTensors[$0].isStorageShared() }
        gradient.withUnsafeBufferPointer(as: T.self) { g in
            parameter.withUnsafeUpdate(as: T.self, fresh: outOfPlace) { old, new in
                // Through the array's buffer pointer each element is reached without a
                // (conflicting) exclusive access to the whole array.
                slotTensors.withUnsafeMutableBufferPointer { tensors in
                    var views: [UpdateView<T>] = []
                    func open(_ i: Int) {
                        if i == tensors.count {
                            rule.update(parameter: UpdateView(old: old, new: new), buffers: views, gradient: g, step: step, fresh: fresh)
                            return
                        }
                        tensors[i].withUnsafeUpdate(as: T.self, fresh: outOfPlace) { old, new in
                            views.append(UpdateView(old: old, new: new))
                            open(i + 1)
                        }
                    }
                    open(0)
                }
            }
        }
    }
}

/// `start + weight·(end − start)` computed as PyTorch's `lerp` does (two formulas, split at
/// weight 0.5, so the result is exact at both ends), so moment buffers match bit for bit
/// where the arithmetic allows.
@inline(__always)
func lerp<T: TensorScalar>(_ start: T, _ end: T, _ weight: T) -> T {
    weight < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}
