/// Which training dynamics drive the Li model (spec §4).
public enum LiSchedule: Sendable, Hashable, CustomStringConvertible {
    /// Best-response discriminator every step (§4.1).
    case optimal
    /// First-order, both players stepped from the same point (§4.2), the "first-order" default.
    case simultaneous
    /// One discriminator step, then a generator step at the updated discriminator (§4.3).
    case alternating
    /// k discriminator ascent steps, then one generator step (§4.3).
    case kStep(Int)
    /// Generator differentiates through k simulated discriminator steps; the real
    /// discriminator takes one ordinary step (§4.3, Metz et al. style).
    case unrolled(Int)

    /// Stable names used by the CLI, file names and summaries.
    public var description: String {
        switch self {
        case .optimal: "optimal"
        case .simultaneous: "first-order"
        case .alternating: "alternating"
        case .kStep(let k): "k-step-\(k)"
        case .unrolled(let k): "unrolled-\(k)"
        }
    }

    /// Parses `optimal`, `first-order` (or `simultaneous`), `alternating`, `k-step[-K]`,
    /// `unrolled[-K]`; K defaults to `defaultK`.
    public init?(name: String, defaultK: Int = 5) {
        let lower = name.lowercased()
        func count(after prefix: String) -> Int? {
            if lower == prefix { return defaultK }
            guard lower.hasPrefix(prefix + "-"), let k = Int(lower.dropFirst(prefix.count + 1)), k >= 0 else { return nil }
            return k
        }
        switch lower {
        case "optimal", "optimal-d": self = .optimal
        case "first-order", "simultaneous", "firstorder": self = .simultaneous
        case "alternating": self = .alternating
        default:
            if let k = count(after: "k-step"), k >= 1 { self = .kStep(k) }
            else if let k = count(after: "unrolled") { self = .unrolled(k) }
            else { return nil }
        }
    }

    /// Default horizon of the reference experiment (spec §6.2): 1,000 steps with the optimal
    /// discriminator, 3,000 for every first-order variant.
    public var referenceSteps: Int { self == .optimal ? 1000 : 3000 }

    /// The optimal dynamics ignore the discriminator's initialisation (spec §6.2).
    public var dependsOnDiscriminatorInitialisation: Bool { self != .optimal }
}
