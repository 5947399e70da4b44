import Tensor

/// Flattens every axis from 1 on: [N, C, H, W] → [N, C·H·W] in row-major (NCHW) order, as
/// PyTorch's `nn.Flatten()`.
public final class Flatten: ParameterFreeLayer {
    public var isTraining = true

    public init() {}

    public func callAsFunction(_ x: Tensor) -> Tensor { x.flattened(from: 1) }
}

/// Reshapes each sample, keeping the batch axis: [N, …] → [N] + `sampleShape` (one entry may
/// be −1), e.g. a generator's [N, 128·4·4] → [N, 128, 4, 4].
public final class Reshape: ParameterFreeLayer {
    public let sampleShape: [Int]
    public var isTraining = true

    public init(_ sampleShape: [Int]) { self.sampleShape = sampleShape }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 1, "Reshape: input must have a batch axis, got shape \(x.shape)")
        return x.reshaped([x.shape[0]] + sampleShape)
    }
}
