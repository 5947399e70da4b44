/// What happened in one training step.
public struct StepReport: Sendable, Equatable, Codable {
    /// The step's index (0-based): the number of steps completed before it.
    public var step: Int
    /// The discriminator's objective loss (without penalties) at its last update in the step.
    public var discriminatorLoss: Double
    /// The generator's loss at its last update in the step (for `unrolled`: the plain loss
    /// against the current discriminator, not the unrolled surrogate).
    public var generatorLoss: Double
    /// The value of each loss-term penalty (already weighted), named as `Penalty.name`.
    public var penalties: [PenaltyValue]
    /// L2 norm of the gradient each player's optimiser received, over all its parameters.
    public var discriminatorGradientNorm: Double
    public var generatorGradientNorm: Double
    /// ‖∇_x f‖ statistics at the step's first real and fake batches, when measured this step.
    public var inputGradients: InputGradientStatistics?
    /// Seconds spent in the step.
    public var wallTime: Double
}

/// The sharp-gradient signature of dragan.md §2.4: per-sample ‖∇_x f(x)‖₂ of the logit over
/// a real and a fake batch.
public struct InputGradientStatistics: Sendable, Equatable, Codable {
    public var realMean: Double
    public var realMax: Double
    public var fakeMean: Double
    public var fakeMax: Double
}

/// One penalty term's value in a step.
public struct PenaltyValue: Sendable, Equatable, Codable {
    /// `Penalty.name`.
    public var name: String
    /// The weighted term added to the discriminator's loss.
    public var value: Double

    public init(name: String, value: Double) {
        self.name = name
        self.value = value
    }
}
