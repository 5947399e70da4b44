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

    /// Mean squared error, mean((a − b)²).
    public static func meanSquaredError(_ a: Tensor, _ b: Tensor) -> Tensor {
        precondition(a.shape == b.shape, "meanSquaredError: shapes \(a.shape) and \(b.shape) differ")
        return (a - b).squared().mean()
    }
}
