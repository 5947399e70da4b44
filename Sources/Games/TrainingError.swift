/// Why a training step did not complete.
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A loss, gradient or parameter became NaN or infinite during step `step` (0-based).
    /// The players, optimisers and averages are left exactly as they were before that step.
    case diverged(step: Int, what: String)

    public var description: String {
        switch self {
        case let .diverged(step, what): return "training diverged at step \(step): \(what) is not finite"
        }
    }
}
