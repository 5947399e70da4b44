import Tensor

/// Batch normalisation over the channel axis 1, as PyTorch's BatchNorm1d (input [N, C] or
/// [N, C, L]) and BatchNorm2d (input [N, C, H, W]); statistics are taken over every axis but 1.
///
/// Training: the output uses the batch mean and the biased batch variance; the running
/// statistics move by `momentum` towards the batch mean and the *unbiased* batch variance
/// (m·n/(n−1)), and the batch counter grows by one. Evaluation: the running statistics are used.
///
/// Parameters: "weight" (γ, init 1), "bias" (β, init 0), absent when `affine: false`.
/// State: "running_mean" (init 0), "running_var" (init 1), "num_batches_tracked" (a Float64
/// scalar of shape [] whatever the layer's dtype, so the count stays exact; `cast` leaves it).
public final class BatchNorm: Layer {
    public private(set) var weight: Tensor?
    public private(set) var bias: Tensor?
    public private(set) var runningMean: Tensor
    public private(set) var runningVariance: Tensor
    public private(set) var batchesTracked: Tensor
    public let epsilon: Double
    public let momentum: Double
    public var isTraining = true

    public var features: Int { runningMean.shape[0] }

    public init(_ features: Int, epsilon: Double = 1e-5, momentum: Double = 0.1, affine: Bool = true, dtype: DType = .float32) {
        precondition(features >= 1, "BatchNorm: features must be positive, got \(features)")
        weight = affine ? Tensor.ones([features], dtype: dtype).asParameter : nil
        bias = affine ? Tensor.zeros([features], dtype: dtype).asParameter : nil
        runningMean = .zeros([features], dtype: dtype)
        runningVariance = .ones([features], dtype: dtype)
        batchesTracked = .zeros([], dtype: .float64)
        self.epsilon = epsilon
        self.momentum = momentum
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        precondition(x.rank >= 2 && x.shape[1] == features,
                     "BatchNorm(\(features)): input must be [N, \(features), …], got \(x.shape)")
        // Per-channel tensors broadcast as [1, C, 1, …].
        var channelShape = [Int](repeating: 1, count: x.rank)
        channelShape[1] = features
        let normalised: Tensor
        if isTraining {
            let perChannel = x.count / features
            precondition(perChannel > 1, "BatchNorm(\(features)): training needs more than one value per channel, got input \(x.shape)")
            // With γ and β, one op normalises and scales (the two ops' values, and their
            // gradients to rounding, with fewer passes over the activations).
            let (output, statistics) = if let weight, let bias {
                x.batchNormalized(epsilon: epsilon, scale: weight, shift: bias)
            } else {
                x.batchNormalized(epsilon: epsilon)
            }
            updateRunningStatistics(mean: statistics.mean, biasedVariance: statistics.variance, count: perChannel)
            if weight != nil { return output }
            normalised = output
        } else {
            let mean = runningMean.reshaped(channelShape)
            let scale = (runningVariance.reshaped(channelShape) + epsilon).sqrt()
            normalised = (x - mean) / scale
        }
        guard let weight, let bias else { return normalised }
        // One pass, split over the kernel threads; the same bits as x̂·γ + β broadcast.
        return normalised.channelAffine(scale: weight, shift: bias)
    }

    private func updateRunningStatistics(mean: Tensor, biasedVariance: Tensor, count: Int) {
        let unbiased = biasedVariance * (Double(count) / Double(count - 1))
        runningMean = runningMean * (1 - momentum) + mean * momentum
        runningVariance = runningVariance * (1 - momentum) + unbiased * momentum
        batchesTracked = batchesTracked + 1
    }

    public var parameters: [String: Tensor] {
        guard let weight, let bias else { return [:] }
        return ["weight": weight, "bias": bias]
    }

    public func setParameters(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: parameters, module: "BatchNorm")
        if weight != nil {
            weight = values["weight"]!.asParameter
            bias = values["bias"]!.asParameter
        }
    }

    public var state: [String: Tensor] {
        ["running_mean": runningMean, "running_var": runningVariance, "num_batches_tracked": batchesTracked]
    }

    public func setState(_ values: [String: Tensor]) throws {
        try NamedTensorValidation.check(values, against: state, module: "BatchNorm")
        runningMean = values["running_mean"]!.asState
        runningVariance = values["running_var"]!.asState
        batchesTracked = values["num_batches_tracked"]!.asState
    }

    public func cast(to dtype: DType) {
        weight = weight?.cast(to: dtype).asParameter
        bias = bias?.cast(to: dtype).asParameter
        runningMean = runningMean.cast(to: dtype)
        runningVariance = runningVariance.cast(to: dtype)
    }
}
