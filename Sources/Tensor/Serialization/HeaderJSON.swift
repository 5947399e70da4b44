/// A strict, small JSON reader for safetensors headers.
///
/// Foundation's JSONSerialization is not used here because the header is untrusted input:
/// it recurses without a depth limit (a header of nested brackets would overflow the stack),
/// silently keeps one of two duplicate keys, and turns integers into floating-point numbers
/// that lose exactness above 2^53. This reader limits nesting, rejects duplicate keys, keeps
/// numbers as their literal text, and reports the byte offset of every error.
enum HeaderJSON: Equatable {
    case null
    case bool(Bool)
    /// The number's literal text, validated against the JSON grammar.
    case number(String)
    case string(String)
    case array([HeaderJSON])
    /// Members in file order (keys are unique).
    case object([(key: String, value: HeaderJSON)])

    static func == (a: HeaderJSON, b: HeaderJSON) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case let (.bool(x), .bool(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.string(x), .string(y)): return x == y
        case let (.array(x), .array(y)): return x == y
        case let (.object(x), .object(y)):
            return x.count == y.count && zip(x, y).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// A syntax error at a byte offset of the parsed text.
    struct SyntaxError: Error, Equatable {
        let offset: Int
        let reason: String
    }

    /// Deepest nesting accepted; a safetensors header needs three levels.
    static let maxDepth = 64

    /// Parses one JSON value that spans all of `bytes` (surrounding whitespace allowed).
    static func parse(_ bytes: [UInt8]) throws(SyntaxError) -> HeaderJSON {
        var reader = Reader(bytes: bytes)
        reader.skipWhitespace()
        let value = try reader.value(depth: 0)
        reader.skipWhitespace()
        if reader.index < bytes.count {
            throw SyntaxError(offset: reader.index, reason: "unexpected \(Reader.describe(bytes[reader.index])) after the end of the JSON value")
        }
        return value
    }

    /// The value's members if it is an object.
    var members: [(key: String, value: HeaderJSON)]? {
        if case .object(let m) = self { return m }
        return nil
    }

    /// The value as a non-negative integer that fits in `UInt64`, if it is one written
    /// without fraction or exponent.
    var unsignedInteger: UInt64? {
        guard case .number(let text) = self, !text.isEmpty,
              text.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return nil }
        return UInt64(text)
    }

    /// A short description of the value's kind, for error messages.
    var kindName: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number(let t): return "the number \(t)"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

private struct Reader {
    let bytes: [UInt8]
    var index = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    static func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    func fail(_ reason: String, at offset: Int? = nil) -> HeaderJSON.SyntaxError {
        HeaderJSON.SyntaxError(offset: offset ?? index, reason: reason)
    }

    mutating func skipWhitespace() {
        while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) { index += 1 }
    }

    func peek() throws(HeaderJSON.SyntaxError) -> UInt8 {
        guard index < bytes.count else { throw fail("unexpected end of header") }
        return bytes[index]
    }

    mutating func expect(_ byte: UInt8, _ context: String) throws(HeaderJSON.SyntaxError) {
        let found = try peek()
        guard found == byte else {
            throw fail("expected '\(Character(Unicode.Scalar(byte)))' \(context), found \(Reader.describe(found))")
        }
        index += 1
    }

    mutating func value(depth: Int) throws(HeaderJSON.SyntaxError) -> HeaderJSON {
        guard depth < HeaderJSON.maxDepth else { throw fail("nesting deeper than \(HeaderJSON.maxDepth) levels") }
        switch try peek() {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): return try array(depth: depth)
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        case let other: throw fail("expected a JSON value, found \(Reader.describe(other))")
        }
    }

    mutating func literal(_ word: String) throws(HeaderJSON.SyntaxError) {
        let start = index
        for expected in word.utf8 {
            guard index < bytes.count, bytes[index] == expected else { throw fail("invalid literal (expected '\(word)')", at: start) }
            index += 1
        }
    }

    mutating func object(depth: Int) throws(HeaderJSON.SyntaxError) -> HeaderJSON {
        index += 1  // '{'
        var members: [(key: String, value: HeaderJSON)] = []
        var seen = Set<String>()
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            let keyOffset = index
            guard try peek() == UInt8(ascii: "\"") else { throw fail("expected a string key in object, found \(Reader.describe(bytes[index]))") }
            let key = try string()
            guard seen.insert(key).inserted else { throw fail("duplicate key \"\(key)\"", at: keyOffset) }
            skipWhitespace()
            try expect(UInt8(ascii: ":"), "after object key \"\(key)\"")
            skipWhitespace()
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "}") { return .object(members) }
            guard next == UInt8(ascii: ",") else { throw fail("expected ',' or '}' in object, found \(Reader.describe(next))", at: index - 1) }
        }
    }

    mutating func array(depth: Int) throws(HeaderJSON.SyntaxError) -> HeaderJSON {
        index += 1  // '['
        var elements: [HeaderJSON] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") { index += 1; return .array(elements) }
        while true {
            skipWhitespace()
            elements.append(try value(depth: depth + 1))
            skipWhitespace()
            let next = try peek()
            index += 1
            if next == UInt8(ascii: "]") { return .array(elements) }
            guard next == UInt8(ascii: ",") else { throw fail("expected ',' or ']' in array, found \(Reader.describe(next))", at: index - 1) }
        }
    }

    mutating func number() throws(HeaderJSON.SyntaxError) -> String {
        let start = index
        func digits(_ reader: inout Reader) -> Int {
            let from = reader.index
            while reader.index < reader.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index]) { reader.index += 1 }
            return reader.index - from
        }
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        let intStart = index
        let intDigits = digits(&self)
        guard intDigits > 0 else { throw fail("invalid number: no digits", at: start) }
        if intDigits > 1 && bytes[intStart] == UInt8(ascii: "0") { throw fail("invalid number: leading zero", at: start) }
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits(&self) > 0 else { throw fail("invalid number: no digits after '.'", at: start) }
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
            guard digits(&self) > 0 else { throw fail("invalid number: no digits in exponent", at: start) }
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    mutating func string() throws(HeaderJSON.SyntaxError) -> String {
        let start = index
        index += 1  // opening quote
        var out: [UInt8] = []
        while true {
            guard index < bytes.count else { throw fail("unterminated string", at: start) }
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                guard let text = String(validating: out, as: UTF8.self) else { throw fail("string is not valid UTF-8", at: start) }
                return text
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw fail("unterminated escape", at: index - 1) }
                let escape = bytes[index]
                index += 1
                switch escape {
                case UInt8(ascii: "\""): out.append(0x22)
                case UInt8(ascii: "\\"): out.append(0x5C)
                case UInt8(ascii: "/"): out.append(0x2F)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
                            throw fail("unpaired surrogate escape", at: index - 6)
                        }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("invalid low surrogate escape", at: index - 6) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00..<0xE000).contains(scalar) {
                        throw fail("unpaired surrogate escape", at: index - 6)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("invalid unicode escape", at: index - 6) }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw fail("invalid escape '\\\(Character(Unicode.Scalar(escape)))'", at: index - 2)
                }
            case 0x00..<0x20:
                throw fail("unescaped control character in string", at: index - 1)
            default:
                out.append(byte)
            }
        }
    }

    mutating func hex4() throws(HeaderJSON.SyntaxError) -> UInt32 {
        guard index + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[index]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }
}
