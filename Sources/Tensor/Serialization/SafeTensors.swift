import Foundation

#if _endian(big)
#error("safetensors data is little-endian; SafeTensors copies raw bytes and assumes a little-endian host")
#endif

/// The safetensors file format (https://github.com/huggingface/safetensors), readable by
/// PyTorch, JAX and NumPy users.
///
/// Layout: 8 bytes little-endian header length N; N bytes of UTF-8 JSON
/// `{"__metadata__": {string: string}, "<name>": {"dtype": "F32", "shape": [3, 4],
/// "data_offsets": [begin, end]}, …}`, padded with spaces so that N is a multiple of 8; then
/// the raw little-endian data, with offsets relative to the end of the header.
///
/// The writer orders data as the reference implementation does: larger element types first,
/// then by name, so every tensor starts at a multiple of its element size (the header length
/// is a multiple of 8). The reader checks everything a hostile or damaged file could get
/// wrong and throws `SafeTensorsError` naming the file, the problem and where; it never traps.
public enum SafeTensors {
    /// Tensors by name plus the free-form string metadata of one file.
    public struct Contents: Sendable {
        public var tensors: [String: Tensor]
        public var metadata: [String: String]

        public init(tensors: [String: Tensor], metadata: [String: String] = [:]) {
            self.tensors = tensors
            self.metadata = metadata
        }
    }

    /// The reference implementation's limit on the header (100 MB).
    public static let maxHeaderLength: UInt64 = 100_000_000

    /// Every dtype string safetensors defines; only F32 and F64 can be loaded here.
    static let knownDTypes: Set<String> = [
        "BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64",
        "C64", "F8_E5M2", "F8_E4M3", "F8_E8M0", "F4", "F6_E2M3", "F6_E3M2",
    ]

    // MARK: Writing

    /// The file's bytes. Gradient graphs are not saved, only values.
    public static func encode(_ contents: Contents, file: String = "<memory>") throws(SafeTensorsError) -> [UInt8] {
        if contents.tensors["__metadata__"] != nil {
            throw SafeTensorsError(file: file, problem: .unwritable("the name \"__metadata__\" is reserved for metadata"))
        }
        let order = contents.tensors.keys.sorted { a, b in
            let sa = contents.tensors[a]!.dtype.byteSize, sb = contents.tensors[b]!.dtype.byteSize
            return sa != sb ? sa > sb : a < b
        }
        var header = "{"
        var entries: [String] = []
        if !contents.metadata.isEmpty {
            let pairs = contents.metadata.keys.sorted().map { jsonString($0) + ":" + jsonString(contents.metadata[$0]!) }
            entries.append("\"__metadata__\":{" + pairs.joined(separator: ",") + "}")
        }
        var offset = 0
        for name in order {
            let tensor = contents.tensors[name]!
            let length = tensor.count * tensor.dtype.byteSize
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append(jsonString(name) + ":{\"dtype\":\"\(tensor.dtype.rawValue)\",\"shape\":[\(shape)],\"data_offsets\":[\(offset),\(offset + length)]}")
            offset += length
        }
        header += entries.joined(separator: ",") + "}"
        var headerBytes = Array(header.utf8)
        headerBytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: (8 - headerBytes.count % 8) % 8))

        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + headerBytes.count + offset)
        withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: headerBytes)
        for name in order {
            contents.tensors[name]!.withUnsafeRawBytes { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    /// Writes a safetensors file atomically (see `AtomicFile`).
    public static func write(_ contents: Contents, to path: String) throws(SafeTensorsError) {
        let bytes = try encode(contents, file: path)
        do {
            try AtomicFile.write(bytes, to: path)
        } catch {
            throw SafeTensorsError(file: path, problem: .io(operation: error.operation, reason: error.description))
        }
    }

    /// JSON string literal as serde_json writes it: quotes, backslashes and control
    /// characters escaped, everything else raw UTF-8.
    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    // MARK: Reading

    /// Reads and validates a safetensors file.
    public static func read(from path: String) throws(SafeTensorsError) -> Contents {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SafeTensorsError(file: path, problem: .io(operation: "read", reason: error.localizedDescription))
        }
        return try decode([UInt8](data), file: path)
    }

    /// Validates and decodes a safetensors file's bytes; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(SafeTensorsError) -> Contents {
        func fail(_ problem: SafeTensorsError.Problem) -> SafeTensorsError { SafeTensorsError(file: file, problem: problem) }

        let size = bytes.count
        guard size >= 8 else { throw fail(.truncated(needed: 8, available: size)) }
        var headerLength: UInt64 = 0
        for i in 0..<8 { headerLength |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        guard headerLength > 0, headerLength <= maxHeaderLength, headerLength <= UInt64(size - 8) else {
            throw fail(.headerLengthOutOfRange(length: headerLength, fileSize: size))
        }
        let dataStart = 8 + Int(headerLength)
        let dataSize = size - dataStart

        let root: HeaderJSON
        do {
            root = try HeaderJSON.parse(Array(bytes[8..<dataStart]))
        } catch {
            throw fail(.invalidJSON(offset: 8 + error.offset, reason: error.reason))
        }
        guard let members = root.members else {
            throw fail(.invalidHeader("the header is \(root.kindName), expected an object"))
        }

        var metadata: [String: String] = [:]
        var entries: [Entry] = []
        for (name, value) in members {
            if name == "__metadata__" {
                guard let pairs = value.members else {
                    throw fail(.invalidHeader("\"__metadata__\" is \(value.kindName), expected an object of strings"))
                }
                for (key, item) in pairs {
                    guard case .string(let text) = item else {
                        throw fail(.invalidHeader("\"__metadata__\" entry \"\(key)\" is \(item.kindName), expected a string"))
                    }
                    metadata[key] = text
                }
            } else {
                entries.append(try Entry(name: name, value: value, dataSize: dataSize, fail: fail))
            }
        }

        // The tensors must tile the data section exactly: sorted by begin, each starts where
        // the previous ended, the first at 0, the last at the end of the file.
        entries.sort { ($0.begin, $0.end, $0.name) < ($1.begin, $1.end, $1.name) }
        let coverage = entries.map(\.end).max() ?? 0
        var cursor: UInt64 = 0
        var tiled = true
        for entry in entries {
            if entry.begin != cursor { tiled = false; break }
            cursor = entry.end
        }
        if coverage > UInt64(dataSize) {
            if tiled {
                throw fail(.truncated(needed: dataStart + Int(clamping: coverage), available: size))
            }
            let outside = entries.first { $0.end > UInt64(dataSize) }!
            throw fail(.offsetsOutOfRange(tensor: outside.name, offsets: [outside.begin, outside.end], dataSize: dataSize))
        }
        cursor = 0
        var previous: String?
        for entry in entries {
            if entry.begin < cursor {
                throw fail(.overlappingOffsets(tensor: entry.name, other: previous ?? ""))
            }
            if entry.begin > cursor {
                throw fail(.uncoveredBytes(offset: Int(cursor), length: Int(entry.begin - cursor)))
            }
            cursor = entry.end
            previous = entry.name
        }
        if cursor < UInt64(dataSize) {
            throw fail(.uncoveredBytes(offset: Int(cursor), length: dataSize - Int(cursor)))
        }

        var tensors: [String: Tensor] = [:]
        bytes.withUnsafeBytes { raw in
            for entry in entries {
                var tensor = Tensor.zeros(entry.shape, dtype: entry.dtype)
                let source = UnsafeRawBufferPointer(rebasing: raw[(dataStart + Int(entry.begin))..<(dataStart + Int(entry.end))])
                switch entry.dtype {
                case .float32: tensor.withUnsafeMutableBufferPointer(as: Float.self) { UnsafeMutableRawBufferPointer($0).copyMemory(from: source) }
                case .float64: tensor.withUnsafeMutableBufferPointer(as: Double.self) { UnsafeMutableRawBufferPointer($0).copyMemory(from: source) }
                }
                tensors[entry.name] = tensor
            }
        }
        return Contents(tensors: tensors, metadata: metadata)
    }

    /// One validated tensor description from the header.
    private struct Entry {
        let name: String
        let dtype: DType
        let shape: [Int]
        let begin: UInt64
        let end: UInt64

        init(name: String, value: HeaderJSON, dataSize: Int,
             fail: (SafeTensorsError.Problem) -> SafeTensorsError) throws(SafeTensorsError) {
            self.name = name
            guard let fields = value.members else {
                throw fail(.invalidHeader("tensor '\(name)' is \(value.kindName), expected an object with dtype, shape and data_offsets"))
            }
            var dtypeValue: HeaderJSON?, shapeValue: HeaderJSON?, offsetsValue: HeaderJSON?
            for (key, item) in fields {
                switch key {
                case "dtype": dtypeValue = item
                case "shape": shapeValue = item
                case "data_offsets": offsetsValue = item
                default: throw fail(.invalidHeader("tensor '\(name)' has an unexpected field \"\(key)\""))
                }
            }
            guard let dtypeValue else { throw fail(.invalidHeader("tensor '\(name)' has no \"dtype\"")) }
            guard let shapeValue else { throw fail(.invalidHeader("tensor '\(name)' has no \"shape\"")) }
            guard let offsetsValue else { throw fail(.invalidHeader("tensor '\(name)' has no \"data_offsets\"")) }

            guard case .string(let dtypeName) = dtypeValue else {
                throw fail(.invalidHeader("tensor '\(name)': dtype is \(dtypeValue.kindName), expected a string"))
            }
            guard SafeTensors.knownDTypes.contains(dtypeName) else { throw fail(.unknownDType(tensor: name, dtype: dtypeName)) }
            guard let dtype = DType(rawValue: dtypeName) else { throw fail(.unsupportedDType(tensor: name, dtype: dtypeName)) }
            self.dtype = dtype

            guard case .array(let dims) = shapeValue else {
                throw fail(.invalidHeader("tensor '\(name)': shape is \(shapeValue.kindName), expected an array of non-negative integers"))
            }
            var rawShape: [UInt64] = []
            for dim in dims {
                guard let d = dim.unsignedInteger else {
                    throw fail(.invalidHeader("tensor '\(name)': shape entry is \(dim.kindName), expected a non-negative integer"))
                }
                rawShape.append(d)
            }
            // Each dimension must fit in Int on its own: with a zero dimension the product
            // stays 0 however large the others are.
            guard rawShape.allSatisfy({ $0 <= UInt64(Int.max) }) else { throw fail(.invalidShape(tensor: name, shape: rawShape)) }
            var byteCount = UInt64(dtype.byteSize)
            for d in rawShape {
                let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
                guard !overflow, product <= UInt64(Int.max) else { throw fail(.invalidShape(tensor: name, shape: rawShape)) }
                byteCount = product
            }
            self.shape = rawShape.map { Int($0) }

            guard case .array(let offsetItems) = offsetsValue, offsetItems.count == 2,
                  let begin = offsetItems[0].unsignedInteger, let end = offsetItems[1].unsignedInteger else {
                throw fail(.invalidHeader("tensor '\(name)': data_offsets must be an array of two non-negative integers"))
            }
            guard begin <= end else { throw fail(.offsetsOutOfRange(tensor: name, offsets: [begin, end], dataSize: dataSize)) }
            guard end - begin == byteCount else {
                throw fail(.sizeMismatch(tensor: name, offsets: [begin, end], shape: shape, dtype: dtypeName, needed: Int(byteCount)))
            }
            self.begin = begin
            self.end = end
        }
    }
}
