/// Reverse-mode differentiation over the graph recorded by ops.
///
/// - Parameters:
///   - output: the tensor to differentiate; a one-element tensor unless `seed` is given.
///   - targets: the tensors to differentiate with respect to (leaves or intermediates).
///   - seed: the cotangent of `output` (defaults to ones); gives vector–Jacobian products.
///   - createGraph: when true the returned gradients carry their own graph, so they can be
///     differentiated again (gradient penalties, unrolled steps, Hessian–vector products).
///     When false no graph is built and the result is plain data.
/// - Returns: one gradient per target, with the target's shape; zeros where the output does
///   not depend on a target.
public func gradients(of output: Tensor, wrt targets: [Tensor], seed: Tensor? = nil,
                      createGraph: Bool = false) -> [Tensor] {
    let seedGrad: Tensor
    if let seed {
        precondition(seed.shape == output.shape,
                     "gradients(of:wrt:): seed shape \(seed.shape) does not match output shape \(output.shape)")
        seedGrad = createGraph ? seed : seed.detached()
    } else {
        precondition(output.count == 1,
                     "gradients(of:wrt:): output of shape \(output.shape) is not a scalar; pass a seed of the same shape")
        seedGrad = Tensor.ones(output.shape, dtype: output.dtype)
    }
    let targetNodes = targets.map { target -> GradNode? in target.node }
    guard let root = output.node else {
        return targets.map { $0.zerosLike() }
    }
    var targetIDs = Set<ObjectIdentifier>()
    for case let node? in targetNodes { targetIDs.insert(ObjectIdentifier(node)) }

    // Post-order DFS; a node is relevant if it is a target or reaches one. Only relevant
    // nodes are visited backwards, so e.g. ∂D/∂x never computes parameter gradients.
    var order: [GradNode] = []
    var relevant = Set<ObjectIdentifier>()
    var visited = Set<ObjectIdentifier>()
    var stack: [(GradNode, Int)] = [(root, 0)]
    visited.insert(ObjectIdentifier(root))
    while let (node, next) = stack.popLast() {
        if next < node.inputs.count {
            stack.append((node, next + 1))
            if let child = node.inputs[next].node {
                let id = ObjectIdentifier(child)
                if !visited.contains(id) {
                    visited.insert(id)
                    stack.append((child, 0))
                }
            }
        } else {
            let id = ObjectIdentifier(node)
            var isRelevant = targetIDs.contains(id)
            if !isRelevant {
                for input in node.inputs {
                    if let child = input.node, relevant.contains(ObjectIdentifier(child)) { isRelevant = true; break }
                }
            }
            if isRelevant {
                relevant.insert(id)
                order.append(node)
            }
        }
    }

    var grads: [ObjectIdentifier: Tensor] = [ObjectIdentifier(root): seedGrad]
    for node in order.reversed() {
        let id = ObjectIdentifier(node)
        guard let grad = grads[id], let backward = node.backward else { continue }
        // Free intermediate gradients as soon as they are consumed; a target keeps its own.
        if !targetIDs.contains(id) { grads[id] = nil }
        let needs = node.inputs.map { input -> Bool in
            guard let child = input.node else { return false }
            return relevant.contains(ObjectIdentifier(child))
        }
        guard needs.contains(true) else { continue }
        let inputs = createGraph ? node.inputs : node.inputs.map { $0.detached() }
        let output = Tensor(storage: node.outputStorage!, shape: node.outputShape,
                            node: createGraph ? node : nil)
        let context = BackwardContext(inputs: inputs, output: output,
                                      grad: createGraph ? grad : grad.detached(), needsGrad: needs)
        let inputGrads = backward(context)
        precondition(inputGrads.count == node.inputs.count,
                     "backward of \(node.name) returned \(inputGrads.count) gradients for \(node.inputs.count) inputs")
        for (i, input) in node.inputs.enumerated() where needs[i] {
            guard let g = inputGrads[i], let child = input.node else { continue }
            precondition(g.shape == input.shape,
                         "backward of \(node.name): gradient shape \(g.shape) does not match input \(i) shape \(input.shape)")
            let cid = ObjectIdentifier(child)
            if let existing = grads[cid] { grads[cid] = existing + g } else { grads[cid] = g }
        }
    }
    return zip(targets, targetNodes).map { target, node in
        guard let node, let g = grads[ObjectIdentifier(node)] else { return target.zerosLike() }
        return createGraph ? g : g.detached()
    }
}

/// Gradient of a scalar with respect to one tensor.
public func gradient(of output: Tensor, wrt target: Tensor, createGraph: Bool = false) -> Tensor {
    gradients(of: output, wrt: [target], createGraph: createGraph)[0]
}
