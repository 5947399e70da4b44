import Tensor

/// Rescales gradients so that their joint L2 norm is at most `maxNorm`, exactly as
/// `torch.nn.utils.clip_grad_norm_` (norm type 2) does:
///
///     total = √(Σ_tensors ‖g‖²)
///     c = maxNorm / (total + 1e-6);  if c < 1, every g ← c·g
///
/// Returns the total norm *before* clipping (useful for logging). The sum runs in Double
/// over names in sorted order, so the result does not depend on dictionary order. A
/// non-finite total is returned as is and turns the gradients into NaN, as PyTorch does with
/// `error_if_nonfinite=False`; check the returned value if that matters.
@discardableResult
public func clipGradNorm(_ gradients: inout [String: Tensor], maxNorm: Double) -> Double {
    precondition(maxNorm >= 0, "clipGradNorm: maxNorm must be non-negative, got \(maxNorm)")
    var sumOfSquares = 0.0
    for name in gradients.keys.sorted() {
        let g = gradients[name]!
        var tensorSum = 0.0
        switch g.dtype {
        case .float32: g.withUnsafeBufferPointer(as: Float.self) { for x in $0 { tensorSum += Double(x) * Double(x) } }
        case .float64: g.withUnsafeBufferPointer(as: Double.self) { for x in $0 { tensorSum += x * x } }
        }
        sumOfSquares += tensorSum
    }
    let total = sumOfSquares.squareRoot()
    let coefficient = maxNorm / (total + 1e-6)
    guard !(coefficient >= 1) else { return total }
    for name in gradients.keys.sorted() {
        switch gradients[name]!.dtype {
        case .float32: scale(&gradients[name]!, by: Float(coefficient))
        case .float64: scale(&gradients[name]!, by: coefficient)
        }
    }
    return total
}

private func scale<T: TensorScalar>(_ tensor: inout Tensor, by factor: T) {
    tensor.withUnsafeMutableBufferPointer(as: T.self) { values in
        for i in values.indices { values[i] *= factor }
    }
}
