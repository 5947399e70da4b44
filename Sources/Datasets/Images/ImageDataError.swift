/// Why an image data file (IDX or CIFAR-10 binary, plain or gzip-compressed) could not be
/// read: which file, what was expected where, and what was there instead.
///
/// Offsets count bytes from the start of the file's contents. For a gzip-compressed file
/// (`decompressed` is true) the format problems count bytes of the decompressed stream, since
/// that is where the IDX or CIFAR layout lives; the gzip problems themselves count bytes of
/// the compressed file. The description says which.
public struct ImageDataError: Error, Equatable, CustomStringConvertible {
    /// The file's path, or "<memory>" for bytes decoded without a file.
    public let file: String
    /// Whether the file was gzip-compressed, so that format offsets count decompressed bytes.
    public let decompressed: Bool
    public let problem: Problem

    public init(file: String, decompressed: Bool = false, problem: Problem) {
        self.file = file
        self.decompressed = decompressed
        self.problem = problem
    }

    public enum Problem: Equatable, Sendable {
        /// The first two bytes of an IDX file must be zero; `offset` is the first that is not.
        case badMagic(offset: Int, found: [UInt8])
        /// The IDX type code (byte 2) is none of 0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E.
        case unsupportedTypeCode(offset: Int, code: UInt8)
        /// The IDX dimension count (byte 3) is 0 or above `limit`.
        case dimensionCount(offset: Int, count: Int, limit: Int)
        /// The contents end inside the header: it needs `needed` bytes, there are `available`.
        case truncatedHeader(needed: Int, available: Int)
        /// The dimensions times the element size exceed what an Int can count; `offset` is the
        /// size field at which the product overflows.
        case sizeOverflow(offset: Int, dimensions: [UInt64], elementSize: Int)
        /// The contents end inside a data section that starts at `start` and needs `needed`
        /// bytes (`what` says for what); only `available` are there.
        case truncatedData(start: Int, needed: Int, available: Int, what: String)
        /// `count` bytes follow the end of the data at `offset`, which the header does not
        /// account for.
        case trailingBytes(offset: Int, count: Int)
        /// The file's layout is valid but not the one this use needs (e.g. labels that are not
        /// a 1-D unsigned-byte IDX); `offset` is the header byte that says so.
        case unexpectedLayout(offset: Int, expected: String, found: String)
        /// A label outside `valid` at `offset` (`record` is the image it belongs to).
        case labelOutOfRange(offset: Int, record: Int, label: Int, valid: ClosedRange<Int>)
        /// An image file and its label file disagree on the number of examples.
        case countMismatch(images: Int, labels: Int, labelFile: String)
        /// The gzip stream is damaged at compressed byte `offset`; `reason` is zlib's message
        /// or what was expected there.
        case corruptGzip(offset: Int, reason: String)
        /// The gzip stream stops at compressed byte `offset` (the end of the file) before its
        /// end-of-stream marker and CRC trailer.
        case truncatedGzip(offset: Int)
        /// A system call failed (the file is missing, unreadable, a directory, ...).
        case io(operation: String, reason: String)
    }

    /// The byte offset of the problem (decompressed for format problems in a gzip file,
    /// compressed for gzip problems), or nil when it concerns no single byte.
    public var offset: Int? {
        switch problem {
        case let .badMagic(offset, _), let .unsupportedTypeCode(offset, _), let .dimensionCount(offset, _, _),
             let .sizeOverflow(offset, _, _), let .trailingBytes(offset, _), let .unexpectedLayout(offset, _, _),
             let .labelOutOfRange(offset, _, _, _), let .corruptGzip(offset, _), let .truncatedGzip(offset):
            return offset
        case let .truncatedHeader(_, available): return available
        case let .truncatedData(start, _, available, _): return start + available
        case .countMismatch, .io: return nil
        }
    }

    public var description: String {
        let at: (Int) -> String = { [decompressed] offset in
            decompressed ? "at byte \(offset) of the decompressed data" : "at byte \(offset)"
        }
        let text: String
        switch problem {
        case let .badMagic(offset, found):
            text = "\(at(offset)): expected IDX magic 00 00 <type> <dimensions>, found \(Self.hex(found))"
        case let .unsupportedTypeCode(offset, code):
            text = "\(at(offset)): expected an IDX type code (08, 09, 0B, 0C, 0D or 0E), found \(Self.hex([code]))"
        case let .dimensionCount(offset, count, limit):
            text = "\(at(offset)): expected 1...\(limit) dimensions, found \(count)"
        case let .truncatedHeader(needed, available):
            text = "\(at(available)): the contents end inside the header, which needs \(needed) bytes"
        case let .sizeOverflow(offset, dimensions, elementSize):
            text = "\(at(offset)): dimensions \(dimensions) with \(elementSize)-byte elements hold more bytes than can be counted"
        case let .truncatedData(start, needed, available, what):
            text = "\(at(start + available)): the contents end, but \(what) from byte \(start) needs \(needed) bytes (found \(available))"
        case let .trailingBytes(offset, count):
            text = "\(at(offset)): expected the end of the data, found \(count) more byte\(count == 1 ? "" : "s")"
        case let .unexpectedLayout(offset, expected, found):
            text = "\(at(offset)): expected \(expected), found \(found)"
        case let .labelOutOfRange(offset, record, label, valid):
            text = "\(at(offset)): label of example \(record) is \(label), expected \(valid.lowerBound)...\(valid.upperBound)"
        case let .countMismatch(images, labels, labelFile):
            text = "\(images) images but \(labels) labels in \(labelFile)"
        case let .corruptGzip(offset, reason):
            text = "at compressed byte \(offset): corrupt gzip stream: \(reason)"
        case let .truncatedGzip(offset):
            text = "at compressed byte \(offset): the file ends inside the gzip stream (expected more compressed data, its end marker and CRC trailer)"
        case let .io(operation, reason):
            text = "\(operation) failed: \(reason)"
        }
        return "\(file): \(text)"
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "nothing" : bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
