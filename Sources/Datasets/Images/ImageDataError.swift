/// Why an image data file (IDX or CIFAR-10 binary, plain or gzip-compressed; PNG) or an image
/// directory could not be read: which file, what was expected where, and what was there instead.
///
/// Offsets count bytes from the start of the file's contents. For a gzip-compressed file
/// (`decompressed` is true) the format problems count bytes of the decompressed stream, since
/// that is where the IDX or CIFAR layout lives; the gzip problems themselves count bytes of
/// the compressed file. PNG problems count bytes of the PNG file, except `badFilterType` and
/// `paletteIndexOutOfRange`, which count bytes of the inflated image data (the concatenated
/// IDAT contents after zlib decompression), where filter bytes and palette indices live. The
/// description says which.
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

        // PNG files (offsets in the file unless said otherwise).

        /// The first 8 bytes are not the PNG signature 89 50 4E 47 0D 0A 1A 0A; `offset` is the
        /// first byte that differs, `found` the file's first (up to) 8 bytes.
        case badSignature(offset: Int, found: [UInt8])
        /// The file ends inside the chunk that starts at `start`: its length, type, data and CRC
        /// need `needed` bytes from there, only `available` are left. `chunk` is the type, or
        /// "?" when the file ends before it.
        case truncatedChunk(start: Int, chunk: String, needed: Int, available: Int)
        /// The CRC stored at `offset` is not the CRC-32 of the chunk's type and data.
        case badChunkCRC(offset: Int, chunk: String, stored: UInt32, computed: UInt32)
        /// A chunk breaks the format's rules at `offset` (a length above 2³¹ − 1, a type that is
        /// not four ASCII letters, a chunk out of order, a repeated or wrongly sized IHDR, PLTE
        /// or IEND); `reason` says which.
        case badChunk(offset: Int, chunk: String, reason: String)
        /// A required chunk (IHDR, PLTE for a palette image, IDAT, IEND) is absent; `offset` is
        /// where it was due: the first chunk for IHDR, the first IDAT for PLTE, IEND (or the end
        /// of the file) for IDAT, the end of the file for IEND.
        case missingChunk(offset: Int, chunk: String)
        /// An IHDR field at `offset` holds a value the PNG specification does not allow there.
        case badHeaderField(offset: Int, field: String, value: Int, expected: String)
        /// A critical chunk (type starting with an upper-case letter) this decoder does not
        /// know, which a decoder must not skip.
        case unknownCriticalChunk(offset: Int, chunk: String)
        /// zlib rejects the image data (the IDAT contents); `offset` is the file byte where it
        /// stopped, `reason` zlib's message or what was expected there.
        case corruptImageData(offset: Int, reason: String)
        /// The image data from the first IDAT chunk (at `offset`) inflate to `found` bytes, but
        /// the header's size, colour type, bit depth and interlacing call for `expected`.
        case imageDataSize(offset: Int, expected: Int, found: Int)
        /// A row's filter-type byte, at `offset` of the inflated image data, is not 0...4; `row`
        /// is the image row it belongs to (for an interlaced file, the row within the full image).
        case badFilterType(offset: Int, row: Int, filter: UInt8)
        /// A palette index at `offset` of the inflated image data (pixel `column`, `row`) points
        /// past the `paletteSize` PLTE entries.
        case paletteIndexOutOfRange(offset: Int, row: Int, column: Int, index: Int, paletteSize: Int)

        // Image directories and user-given paths (`file` is the directory or path).

        /// A directory holds no image files where some are needed; `expected` says what was
        /// looked for.
        case noImageFiles(expected: String)
        /// An image directory's layout is ambiguous or incomplete; `reason` says how.
        case folderLayout(reason: String)
        /// A path matches none of the layouts tried: `lookedFor` lists them, `found` says what
        /// is there.
        case unrecognisedSource(lookedFor: [String], found: String)
    }

    /// The byte offset of the problem (decompressed for format problems in a gzip file,
    /// compressed for gzip problems), or nil when it concerns no single byte.
    public var offset: Int? {
        switch problem {
        case let .badMagic(offset, _), let .unsupportedTypeCode(offset, _), let .dimensionCount(offset, _, _),
             let .sizeOverflow(offset, _, _), let .trailingBytes(offset, _), let .unexpectedLayout(offset, _, _),
             let .labelOutOfRange(offset, _, _, _), let .corruptGzip(offset, _), let .truncatedGzip(offset),
             let .badSignature(offset, _), let .badChunkCRC(offset, _, _, _), let .badChunk(offset, _, _),
             let .missingChunk(offset, _), let .badHeaderField(offset, _, _, _), let .unknownCriticalChunk(offset, _),
             let .corruptImageData(offset, _), let .imageDataSize(offset, _, _), let .badFilterType(offset, _, _),
             let .paletteIndexOutOfRange(offset, _, _, _, _):
            return offset
        case let .truncatedHeader(_, available): return available
        case let .truncatedData(start, _, available, _), let .truncatedChunk(start, _, _, available): return start + available
        case .countMismatch, .io, .noImageFiles, .folderLayout, .unrecognisedSource: return nil
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
        case let .badSignature(offset, found):
            text = "\(at(offset)): expected the PNG signature \(Self.hex(PNGDecoder.signature)), found \(Self.hex(found))"
        case let .truncatedChunk(start, chunk, needed, available):
            text = "\(at(start + available)): the file ends inside chunk \(chunk) from byte \(start), which needs \(needed) bytes (found \(available))"
        case let .badChunkCRC(offset, chunk, stored, computed):
            text = "\(at(offset)): CRC of chunk \(chunk) is \(Self.hex32(stored)), but its type and data give \(Self.hex32(computed))"
        case let .badChunk(offset, chunk, reason):
            text = "\(at(offset)): chunk \(chunk): \(reason)"
        case let .missingChunk(offset, chunk):
            text = "\(at(offset)): expected a\(chunk == "IHDR" || chunk == "IDAT" || chunk == "IEND" ? "n" : "") \(chunk) chunk here, but the file has none"
        case let .badHeaderField(offset, field, value, expected):
            text = "\(at(offset)): IHDR \(field) is \(value), expected \(expected)"
        case let .unknownCriticalChunk(offset, chunk):
            text = "\(at(offset)): unknown critical chunk \(chunk) (a PNG decoder must not skip it)"
        case let .corruptImageData(offset, reason):
            text = "\(at(offset)): corrupt image data (zlib stream in IDAT): \(reason)"
        case let .imageDataSize(offset, expected, found):
            text = "\(at(offset)): the image data from here inflate to \(found) bytes, but the header calls for \(expected)"
        case let .badFilterType(offset, row, filter):
            text = "at byte \(offset) of the inflated image data: filter type of row \(row) is \(filter), expected 0...4"
        case let .paletteIndexOutOfRange(offset, row, column, index, paletteSize):
            text = "at byte \(offset) of the inflated image data: pixel (\(column), \(row)) has palette index \(index), but PLTE holds \(paletteSize) entr\(paletteSize == 1 ? "y" : "ies")"
        case let .noImageFiles(expected):
            text = "no images: expected \(expected)"
        case let .folderLayout(reason):
            text = reason
        case let .unrecognisedSource(lookedFor, found):
            text = "not a recognised image data set: found \(found); looked for " + lookedFor.map { "(\($0))" }.joined(separator: ", or ")
        }
        return "\(file): \(text)"
    }

    static func hex32(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.isEmpty ? "nothing" : bytes.map { byte in
            let digits = String(byte, radix: 16, uppercase: true)
            return digits.count == 1 ? "0" + digits : digits
        }.joined(separator: " ")
    }
}
