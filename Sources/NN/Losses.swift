import Tensor

/// Losses on logits that layers' tests and GAN objectives share.
public enum Loss {
    /// Binary cross-entropy on logits z with (possibly soft) targets t, averaged:
    /// mean(softplus(z) − t·z), which equals −mean(t·log σ(z) + (1 − t)·log(1 − σ(z))) without
    /// ever forming log σ. Its gradient is (σ(z) − t)/n; it is differentiable to any order.
    public static func binaryCrossEntropy(logits z: Tensor, targets t: Tensor) -> Tensor {
        precondition(z.shape == t.shape, "binaryCrossEntropy: logits \(z.shape) and targets \(t.shape) differ in shape")
        return (z.softplus() - t * z).mean()
    }

    /// Softmax cross-entropy of logits [n, K] against integer class labels (length n, each in
    /// 0..<K), averaged: mean_i(−log softmax(z_i)[y_i]), via logSoftmax (stable for large
    /// logits); differentiable to any order. Its gradient is (softmax(z) − onehot(y))/n.
    public static func crossEntropy(logits z: Tensor, labels: [Int]) -> Tensor {
        precondition(z.rank == 2 && z.shape[0] == labels.count, "crossEntropy: logits \(z.shape) for \(labels.count) labels")
        let classes = z.shape[1]
        precondition(labels.allSatisfy { (0..<classes).contains($0) }, "crossEntropy: labels must lie in 0..<\(classes)")
        var oneHot = [Double](repeating: 0, count: labels.count * classes)
        for (i, y) in labels.enumerated() { oneHot[i * classes + y] = 1 }
        let targets = Tensor(oneHot, shape: z.shape).cast(to: z.dtype)
        return -(z.logSoftmax(axis: 1) * targets).sum() * (1 / Double(labels.count))
    }

    /// Mean squared error, mean((a − b)²).
    public static func meanSquaredError(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "meanSquaredError: shapes \(a.shape) and \(b.shape) differ")
        return (a - b).squared().mean()
    }
}
