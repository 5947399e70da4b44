/// One recorded operation in a define-by-run gradient graph.
///
/// Nodes are immutable after creation and own no global state, so graphs built on different
/// threads never interact. A leaf node (no inputs) only gives a tensor its identity for
/// `gradients(of:wrt:)`.
public final class GradNode: @unchecked Sendable {
    // @unchecked: every stored property but `inputs` is a `let` of an immutable or
    // copy-on-write value; `inputs` is only emptied in `deinit`, when no other reference to
    // the node exists.
    let name: String
    /// Every tensor input of the op, kept so backward rules can read them. A `var` only so
    /// that `deinit` can take the chain apart without recursion.
    private(set) var inputs: [Tensor]
    /// The op's output values (not the output tensor: that would make a reference cycle).
    let outputStorage: TensorStorage?
    let outputShape: [Int]
    let backward: (@Sendable (BackwardContext) -> [Tensor?])?

    init(name: String, inputs: [Tensor], outputStorage: TensorStorage?, outputShape: [Int],
         backward: (@Sendable (BackwardContext) -> [Tensor?])?) {
        self.name = name
        self.inputs = inputs
        self.outputStorage = outputStorage
        self.outputShape = outputShape
        self.backward = backward
    }

    var isLeaf: Bool { backward == nil }

    /// Releases long chains iteratively: the default recursive release overflows the stack
    /// for graphs of some tens of thousands of nodes.
    deinit {
        var pending = inputs.compactMap(\.node)
        inputs.removeAll()
        while var node = pending.popLast() {
            if isKnownUniquelyReferenced(&node) {
                pending.append(contentsOf: node.inputs.compactMap(\.node))
                node.inputs.removeAll()
            }
        }
    }
}

/// What a backward rule sees: the op's inputs and output, the incoming gradient, and which
/// inputs need a gradient. Without `createGraph` the tensors here are detached, so the rule's
/// arithmetic records nothing; with it they are attached, so the gradient is differentiable.
public struct BackwardContext: @unchecked Sendable {
    public let inputs: [Tensor]
    public let output: Tensor
    public let grad: Tensor
    public let needsGrad: [Bool]
}

extension Tensor {
    /// Builds an op's result: attaches a node when any input takes part in differentiation.
    /// `backward` returns one gradient per input (nil where none is needed) and must only use
    /// the tensors in its context, never captured ones, so that detaching works.
    static func record(_ name: String, output: TensorStorage, shape: [Int], inputs: [Tensor],
                       backward: @escaping @Sendable (BackwardContext) -> [Tensor?]) -> Tensor {
        var anyGrad = false
        for input in inputs where input.node != nil { anyGrad = true; break }
        guard anyGrad else { return Tensor(storage: output, shape: shape) }
        let node = GradNode(name: name, inputs: inputs, outputStorage: output, outputShape: shape, backward: backward)
        return Tensor(storage: output, shape: shape, node: node)
    }

    /// This tensor as a leaf of a gradient graph: `gradients(of:wrt:)` can differentiate
    /// with respect to it. Calling it again makes a fresh leaf (a new identity).
    public func requiringGrad() -> Tensor {
        Tensor(storage: storage, shape: shape,
               node: GradNode(name: "leaf", inputs: [], outputStorage: nil, outputShape: shape, backward: nil))
    }

    /// The same values with no gradient graph attached.
    public func detached() -> Tensor { Tensor(storage: storage, shape: shape) }

    /// Makes `self` a leaf in place (keeps the values); used by modules for parameters.
    public mutating func setRequiresGrad(_ flag: Bool) {
        if flag {
            if node == nil || !(node!.isLeaf) { self = requiringGrad() }
        } else {
            node = nil
        }
    }

    /// Whether two tensors are the same node of a gradient graph (same leaf, same op result).
    public func isSameNode(as other: Tensor) -> Bool {
        guard let a = node, let b = other.node else { return false }
        return a === b
    }
}
