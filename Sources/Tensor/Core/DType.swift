/// The element type of a tensor. Float32 is the training default; Float64 exists for
/// analysis code and for finite-difference gradient checks, where Float32 round-off would
/// swamp second differences.
public enum DType: String, Sendable, Codable, CaseIterable {
    case float32 = "F32"
    case float64 = "F64"

    /// Bytes per element.
    public var byteSize: Int { self == .float32 ? 4 : 8 }
}
