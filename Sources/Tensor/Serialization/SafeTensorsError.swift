/// Why a safetensors file could not be read or written: which file, what was wrong, where.
public struct SafeTensorsError: Error, Equatable, CustomStringConvertible {
    /// The file's path, or "<memory>" for bytes decoded without a file.
    public let file: String
    public let problem: Problem

    public init(file: String, problem: Problem) {
        self.file = file
        self.problem = problem
    }

    public enum Problem: Equatable, Sendable {
        /// The file ends before what its own header requires: fewer than the 8 bytes of the
        /// header length, or the tensors tile `needed` data bytes contiguously but only
        /// `available` follow the header.
        case truncated(needed: Int, available: Int)
        /// The 8-byte header length is zero, larger than the rest of the file, or larger
        /// than the reference implementation's limit.
        case headerLengthOutOfRange(length: UInt64, fileSize: Int)
        /// The header is not valid UTF-8 JSON; `offset` counts from the start of the file.
        case invalidJSON(offset: Int, reason: String)
        /// The header is JSON but not a safetensors header (wrong types, missing fields).
        case invalidHeader(String)
        /// A dtype string that safetensors does not define.
        case unknownDType(tensor: String, dtype: String)
        /// A safetensors dtype other than F32 and F64, which Equilibrium's tensors cannot hold.
        case unsupportedDType(tensor: String, dtype: String)
        /// A shape whose element count overflows.
        case invalidShape(tensor: String, shape: [UInt64])
        /// `data_offsets` with begin after end, or reaching past the data section (when the
        /// tensors do not otherwise tile it, which would mean a truncated file).
        case offsetsOutOfRange(tensor: String, offsets: [UInt64], dataSize: Int)
        /// `data_offsets` spanning a different number of bytes than shape and dtype need.
        case sizeMismatch(tensor: String, offsets: [UInt64], shape: [Int], dtype: String, needed: Int)
        /// Two tensors' byte ranges overlap.
        case overlappingOffsets(tensor: String, other: String)
        /// Bytes of the data section that no tensor covers, starting at `offset` (relative to
        /// the data section).
        case uncoveredBytes(offset: Int, length: Int)
        /// A file system operation failed.
        case io(operation: String, reason: String)
        /// The tensors cannot be written (e.g. a name that the format reserves).
        case unwritable(String)
    }

    public var description: String {
        "\(file): " + problem.description
    }
}

extension SafeTensorsError.Problem: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .truncated(needed, available):
            return "file truncated: needs \(needed) bytes but only \(available) are there"
        case let .headerLengthOutOfRange(length, fileSize):
            return "header length \(length) is out of range for a file of \(fileSize) bytes (must be 1...\(max(fileSize - 8, 0)) and at most \(SafeTensors.maxHeaderLength))"
        case let .invalidJSON(offset, reason):
            return "header is not valid JSON at byte \(offset): \(reason)"
        case let .invalidHeader(reason):
            return "invalid header: \(reason)"
        case let .unknownDType(tensor, dtype):
            return "tensor '\(tensor)': unknown dtype \"\(dtype)\""
        case let .unsupportedDType(tensor, dtype):
            return "tensor '\(tensor)': dtype \(dtype) is valid safetensors but only F32 and F64 are supported"
        case let .invalidShape(tensor, shape):
            return "tensor '\(tensor)': shape \(shape) has too many elements"
        case let .offsetsOutOfRange(tensor, offsets, dataSize):
            return "tensor '\(tensor)': data_offsets \(offsets) are out of range for a data section of \(dataSize) bytes"
        case let .sizeMismatch(tensor, offsets, shape, dtype, needed):
            let span = offsets.count == 2 && offsets[1] >= offsets[0] ? "\(offsets[1] - offsets[0])" : "?"
            return "tensor '\(tensor)': data_offsets \(offsets) span \(span) bytes but shape \(shape) \(dtype) needs \(needed) bytes"
        case let .overlappingOffsets(tensor, other):
            return "tensors '\(other)' and '\(tensor)' have overlapping data_offsets"
        case let .uncoveredBytes(offset, length):
            return "\(length) data bytes at data offset \(offset) belong to no tensor"
        case let .io(operation, reason):
            return "\(operation) failed: \(reason)"
        case let .unwritable(reason):
            return "cannot write: \(reason)"
        }
    }
}
