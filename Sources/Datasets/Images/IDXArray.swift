/// The element types of the IDX format (the third magic byte). Multi-byte elements are
/// stored big-endian.
public enum IDXElementType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case uint8 = 0x08
    case int8 = 0x09
    case int16 = 0x0B
    case int32 = 0x0C
    case float32 = 0x0D
    case float64 = 0x0E

    public var byteSize: Int {
        switch self {
        case .uint8, .int8: 1
        case .int16: 2
        case .int32, .float32: 4
        case .float64: 8
        }
    }

    public var description: String {
        switch self {
        case .uint8: "unsigned byte (08)"
        case .int8: "signed byte (09)"
        case .int16: "int16 (0B)"
        case .int32: "int32 (0C)"
        case .float32: "float32 (0D)"
        case .float64: "float64 (0E)"
        }
    }
}

/// The contents of one IDX file (the format of MNIST, Fashion-MNIST and EMNIST): element
/// type, dimensions, and the elements as stored.
///
/// The bytes stay as the file has them (row-major, big-endian) so that the common case,
/// unsigned-byte images, costs one byte per pixel until a caller converts what it uses.
public struct IDXArray: Sendable, Equatable {
    public let elementType: IDXElementType
    /// The dimension sizes, outermost first (for MNIST images: [count, rows, columns]).
    public let shape: [Int]
    /// The elements in file order: row-major, each `elementType.byteSize` bytes big-endian.
    public let bytes: [UInt8]

    /// An array from its parts; `bytes` must hold exactly the elements `shape` calls for.
    public init(elementType: IDXElementType, shape: [Int], bytes: [UInt8]) {
        precondition(!shape.isEmpty && shape.count <= IDXReader.maxDimensions && shape.allSatisfy { $0 >= 0 && $0 <= Int(UInt32.max) },
                     "IDXArray: shape \(shape) is not an IDX shape (1...\(IDXReader.maxDimensions) sizes in 0...\(UInt32.max))")
        precondition(bytes.count == shape.reduce(1, *) * elementType.byteSize,
                     "IDXArray: \(bytes.count) bytes do not hold shape \(shape) of \(elementType)")
        self.elementType = elementType
        self.shape = shape
        self.bytes = bytes
    }

    /// Number of elements.
    public var count: Int { bytes.count / elementType.byteSize }

    /// The size of the header that precedes the data in the file: magic plus dimensions.
    public var headerLength: Int { 4 + 4 * shape.count }

    /// Element `index` (row-major) as a Double, which holds every IDX type exactly.
    public func value(at index: Int) -> Double {
        let size = elementType.byteSize
        var bits: UInt64 = 0
        for byte in bytes[(index * size)..<((index + 1) * size)] { bits = bits << 8 | UInt64(byte) }
        switch elementType {
        case .uint8: return Double(bits)
        case .int8: return Double(Int8(truncatingIfNeeded: bits))
        case .int16: return Double(Int16(truncatingIfNeeded: bits))
        case .int32: return Double(Int32(truncatingIfNeeded: bits))
        case .float32: return Double(Float(bitPattern: UInt32(truncatingIfNeeded: bits)))
        case .float64: return Double(bitPattern: bits)
        }
    }

    /// All elements as Doubles, row-major.
    public func doubles() -> [Double] { (0..<count).map(value(at:)) }

    /// The IDX file's bytes: header, then data (the inverse of `IDXReader.read`).
    public func encoded() -> [UInt8] {
        var file: [UInt8] = [0, 0, elementType.rawValue, UInt8(shape.count)]
        file.reserveCapacity(headerLength + bytes.count)
        for size in shape {
            let value = UInt32(size)
            file += [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
        }
        return file + bytes
    }
}
