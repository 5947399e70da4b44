import Tensor

/// Why a checkpoint could not be written, read or restored: which file or tensor, and what.
public enum CheckpointError: Error, Equatable, CustomStringConvertible {
    case io(path: String, operation: String, reason: String)
    /// checkpoint.json is not the expected JSON document.
    case invalidManifest(path: String, reason: String)
    /// A format name or version this build cannot read.
    case unsupportedFormat(path: String, format: String, version: Int)
    /// The tensor file is not the one the manifest was written with (size, hash or step).
    case tensorsFileMismatch(path: String, reason: String)
    /// The tensor file itself is malformed.
    case tensors(SafeTensorsError)
    /// A section prefix that is empty or contains a dot.
    case invalidPrefix(String)
    /// A tensor whose name starts with no declared section prefix.
    case unsectionedTensor(String)
    case missingSection(prefix: String)
    case wrongSectionKind(prefix: String, expected: Checkpoint.SectionKind, found: Checkpoint.SectionKind)
    /// The model has a parameter or state entry the checkpoint lacks.
    case missingTensor(String)
    /// The checkpoint has a tensor the model does not.
    case unexpectedTensor(String)
    case shapeMismatch(name: String, expected: [Int], got: [Int])
    case dtypeMismatch(name: String, expected: DType, got: DType)
    /// The optimiser (or EMA) rejected its saved state.
    case optimizerState(prefix: String, OptimizerStateError)
    /// Restoring failed for another reason (the error's text).
    case restoreFailed(prefix: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, operation, reason): return "\(path): \(operation) failed: \(reason)"
        case let .invalidManifest(path, reason): return "\(path): invalid checkpoint manifest: \(reason)"
        case let .unsupportedFormat(path, format, version):
            return "\(path): unsupported checkpoint format \"\(format)\" version \(version) (this build reads \"\(Checkpoint.formatName)\" version \(Checkpoint.formatVersion))"
        case let .tensorsFileMismatch(path, reason): return "\(path): does not belong to this checkpoint: \(reason)"
        case let .tensors(error): return error.description
        case let .invalidPrefix(prefix): return "invalid checkpoint section prefix \"\(prefix)\" (must be non-empty and contain no '.')"
        case let .unsectionedTensor(name): return "checkpoint tensor '\(name)' belongs to no declared section"
        case let .missingSection(prefix): return "checkpoint has no section \"\(prefix)\""
        case let .wrongSectionKind(prefix, expected, found):
            return "checkpoint section \"\(prefix)\" holds \(found.rawValue) data, expected \(expected.rawValue)"
        case let .missingTensor(name): return "checkpoint lacks '\(name)'"
        case let .unexpectedTensor(name): return "checkpoint tensor '\(name)' has no counterpart in the model"
        case let .shapeMismatch(name, expected, got): return "checkpoint tensor '\(name)': model expects shape \(expected), checkpoint has \(got)"
        case let .dtypeMismatch(name, expected, got):
            return "checkpoint tensor '\(name)': model expects \(expected.rawValue), checkpoint has \(got.rawValue)"
        case let .optimizerState(prefix, error): return "checkpoint section \"\(prefix)\": \(error)"
        case let .restoreFailed(prefix, reason): return "checkpoint section \"\(prefix)\": \(reason)"
        }
    }
}
