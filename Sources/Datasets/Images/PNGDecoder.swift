import CZlib

/// The colour types of PNG (IHDR byte 9).
public enum PNGColorType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case grey = 0
    case rgb = 2
    case palette = 3
    case greyAlpha = 4
    case rgba = 6

    /// Samples per pixel as stored (a palette index is one sample).
    public var samplesPerPixel: Int {
        switch self {
        case .grey, .palette: 1
        case .greyAlpha: 2
        case .rgb: 3
        case .rgba: 4
        }
    }

    /// Channels of the decoded image: 1 for the grey types, 3 for the colour ones (alpha is dropped).
    public var decodedChannels: Int {
        switch self {
        case .grey, .greyAlpha: 1
        case .rgb, .palette, .rgba: 3
        }
    }

    /// The bit depths the PNG specification allows with this colour type.
    public var allowedBitDepths: [Int] {
        switch self {
        case .grey: [1, 2, 4, 8, 16]
        case .palette: [1, 2, 4, 8]
        case .rgb, .greyAlpha, .rgba: [8, 16]
        }
    }

    public var description: String {
        switch self {
        case .grey: "greyscale (0)"
        case .rgb: "RGB (2)"
        case .palette: "palette (3)"
        case .greyAlpha: "greyscale with alpha (4)"
        case .rgba: "RGBA (6)"
        }
    }
}

/// A decoded PNG: 8 bits per sample, 1 channel (grey) or 3 (RGB), alpha dropped.
public struct PNGImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// 1 for greyscale files (colour types 0 and 4), 3 for colour files (2, 3 and 6).
    public let channels: Int
    /// `height` rows from the top, each `width` pixels from the left, each `channels` bytes
    /// (R, G, B for colour).
    public let pixels: [UInt8]
    /// How the file stored the image.
    public let colorType: PNGColorType
    public let bitDepth: Int
    public let interlaced: Bool

    public init(width: Int, height: Int, channels: Int, pixels: [UInt8], colorType: PNGColorType, bitDepth: Int, interlaced: Bool) {
        precondition(width > 0 && height > 0 && (channels == 1 || channels == 3) && pixels.count == width * height * channels,
                     "PNGImage: \(pixels.count) bytes do not hold \(width)×\(height) pixels of \(channels) channel(s)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
        self.colorType = colorType
        self.bitDepth = bitDepth
        self.interlaced = interlaced
    }

    /// Channel `channel` of pixel (`x`, `y`), counted from the top left.
    public subscript(x x: Int, y y: Int, channel channel: Int) -> UInt8 { pixels[(y * width + x) * channels + channel] }
}

/// A validating PNG decoder: every chunk's length and CRC, the IHDR fields, the chunk order,
/// the zlib stream of the IDAT chunks, its inflated size and every row's filter type are
/// checked, and any departure throws an `ImageDataError` naming the byte.
///
/// Supported: colour types 0 (grey), 2 (RGB), 3 (palette), 4 (grey + alpha) and 6 (RGBA) at
/// every bit depth the specification allows them (1, 2, 4, 8 and 16), non-interlaced and
/// Adam7-interlaced, all five row filters.
///
/// Conversion to 8 bits per sample:
/// - 16-bit samples keep their high byte (as libpng's `png_set_strip_16`, i.e. truncation);
/// - grey at 1, 2 or 4 bits is scaled to 0...255 exactly (v · 255 / (2^depth − 1));
/// - palette indices are replaced by their PLTE colour (an index past the palette is an error).
///
/// Alpha (colour types 4 and 6, and any tRNS chunk) is **ignored**, not composited: a pixel
/// keeps its stored colour whatever its opacity, which is what PIL's `convert("RGB")` and
/// `convert("L")` do to the colour samples. Gamma, colour-space and other ancillary chunks are
/// skipped (their CRCs are still checked). Bytes after IEND are an error.
public enum PNGDecoder {
    /// The eight bytes every PNG file starts with.
    public static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// The largest chunk length the format allows (2³¹ − 1).
    public static let maxChunkLength = Int(Int32.max)

    /// Reads and decodes the PNG file at `path`.
    public static func read(from path: String) throws(ImageDataError) -> PNGImage {
        let file = try RawFile(path: path)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(file.size, 1), alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < file.size {
            let n = try file.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled..<file.size]))
            if n == 0 { break }
            filled += n
        }
        return try decode(Array(UnsafeRawBufferPointer(rebasing: buffer[..<filled])), file: path)
    }

    /// Decodes a PNG held in memory; `file` names it in errors.
    public static func decode(_ bytes: [UInt8], file: String = "<memory>") throws(ImageDataError) -> PNGImage {
        let failure = { (problem: ImageDataError.Problem) in ImageDataError(file: file, problem: problem) }
        for offset in 0..<min(signature.count, bytes.count) where bytes[offset] != signature[offset] {
            throw failure(.badSignature(offset: offset, found: Array(bytes.prefix(signature.count))))
        }
        guard bytes.count >= signature.count else {
            throw failure(.truncatedHeader(needed: signature.count, available: bytes.count))
        }

        let chunks = try readChunks(bytes, failure: failure)
        let header = chunks.header
        let passes = header.interlaced ? adam7 : [(x0: 0, y0: 0, dx: 1, dy: 1)]
        let geometry = passes.map { pass in
            PassGeometry(pass: pass, imageWidth: header.width, imageHeight: header.height,
                         bitsPerPixel: header.colorType.samplesPerPixel * header.bitDepth)
        }
        var expected = 0
        for pass in geometry where pass.width > 0 && pass.height > 0 {  // an empty pass has no rows, not even filter bytes
            let (size, overflow) = pass.height.multipliedReportingOverflow(by: pass.rowBytes + 1)
            let (total, overflow2) = expected.addingReportingOverflow(size)
            guard !overflow, !overflow2 else {
                throw failure(.badHeaderField(offset: 12, field: "height", value: header.height,
                                              expected: "an image whose data can be counted (the width is \(header.width))"))
            }
            expected = total
        }
        var raw = try inflate(chunks, expected: expected, failure: failure)

        let channels = header.colorType.decodedChannels
        var pixels = [UInt8](repeating: 0, count: header.width * header.height * channels)
        var start = 0
        for pass in geometry where pass.width > 0 && pass.height > 0 {
            if let bad = unfilter(&raw, start: start, pass: pass) {
                throw failure(.badFilterType(offset: bad.offset, row: pass.y0 + bad.row * pass.dy, filter: raw[bad.offset]))
            }
            if let bad = expand(raw, start: start, pass: pass, header: header, palette: chunks.palette, into: &pixels) {
                throw failure(.paletteIndexOutOfRange(offset: bad.offset, row: bad.y, column: bad.x, index: bad.index,
                                                      paletteSize: chunks.palette.count / 3))
            }
            start += pass.height * (pass.rowBytes + 1)
        }
        return PNGImage(width: header.width, height: header.height, channels: channels, pixels: pixels,
                        colorType: header.colorType, bitDepth: header.bitDepth, interlaced: header.interlaced)
    }

    // MARK: Chunks

    struct Header {
        var width: Int
        var height: Int
        var bitDepth: Int
        var colorType: PNGColorType
        var interlaced: Bool
    }

    struct Chunks {
        var header: Header
        /// PLTE's bytes (R, G, B per entry), empty when absent.
        var palette: [UInt8]
        /// The IDAT contents, concatenated.
        var data: [UInt8]
        /// Where each IDAT's contents lie: file offset and length, in order.
        var segments: [(fileOffset: Int, count: Int)]
        /// The start of the first IDAT chunk.
        var firstDataChunk: Int
    }

    private static func bigEndian32(_ bytes: [UInt8], _ at: Int) -> UInt32 {
        UInt32(bytes[at]) << 24 | UInt32(bytes[at + 1]) << 16 | UInt32(bytes[at + 2]) << 8 | UInt32(bytes[at + 3])
    }

    /// Walks the chunks after the signature, checking lengths, CRCs, order and IHDR/PLTE
    /// contents, and collects what decoding needs.
    private static func readChunks(_ bytes: [UInt8], failure: (ImageDataError.Problem) -> ImageDataError) throws(ImageDataError) -> Chunks {
        var header: Header?
        var palette: [UInt8]?
        var data: [UInt8] = []
        var segments: [(fileOffset: Int, count: Int)] = []
        var firstDataChunk: Int?
        var dataEnded = false  // a chunk other than IDAT followed the IDAT run
        var end: Int?  // start of IEND
        var position = signature.count

        while position < bytes.count {
            let start = position
            let available = bytes.count - start
            let type = available >= 8 ? Array(bytes[(start + 4)..<(start + 8)]) : []
            let lettersOnly = type.count == 4 && type.allSatisfy { (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
            let name = type.isEmpty ? "?" : lettersOnly ? String(decoding: type, as: UTF8.self) : ImageDataError.hex(type)
            guard available >= 8 else {
                throw failure(.truncatedChunk(start: start, chunk: name, needed: 12, available: available))
            }
            let declared = Int(bigEndian32(bytes, start))
            guard declared <= maxChunkLength else {
                throw failure(.badChunk(offset: start, chunk: name, reason: "length \(declared) exceeds the format's limit of \(maxChunkLength)"))
            }
            guard lettersOnly else {
                throw failure(.badChunk(offset: start + 4, chunk: name, reason: "a chunk type must be four ASCII letters"))
            }
            guard available >= 12 + declared else {
                throw failure(.truncatedChunk(start: start, chunk: name, needed: 12 + declared, available: available))
            }
            let dataStart = start + 8, crcOffset = start + 8 + declared
            let stored = bigEndian32(bytes, crcOffset)
            let computed = bytes.withUnsafeBufferPointer { buffer in
                UInt32(crc32(0, buffer.baseAddress! + start + 4, uInt(4 + declared)))
            }
            guard stored == computed else {
                throw failure(.badChunkCRC(offset: crcOffset, chunk: name, stored: stored, computed: computed))
            }
            position = crcOffset + 4

            if header == nil && name != "IHDR" {
                throw failure(.missingChunk(offset: start, chunk: "IHDR"))
            }
            if name != "IDAT" && firstDataChunk != nil { dataEnded = true }
            switch name {
            case "IHDR":
                guard header == nil else { throw failure(.badChunk(offset: start, chunk: name, reason: "a second IHDR")) }
                guard declared == 13 else {
                    throw failure(.badChunk(offset: start, chunk: name, reason: "length is \(declared), expected 13"))
                }
                header = try parseHeader(bytes, at: dataStart, failure: failure)
            case "PLTE":
                guard palette == nil else { throw failure(.badChunk(offset: start, chunk: name, reason: "a second PLTE")) }
                guard firstDataChunk == nil else {
                    throw failure(.badChunk(offset: start, chunk: name, reason: "PLTE must come before the first IDAT"))
                }
                let entries = declared / 3
                let limit = header!.colorType == .palette ? 1 << header!.bitDepth : 256
                guard declared % 3 == 0, (1...min(limit, 256)).contains(entries) else {
                    throw failure(.badChunk(offset: start, chunk: name, reason:
                        "length is \(declared), expected 3 bytes for each of 1...\(min(limit, 256)) entries"))
                }
                palette = Array(bytes[dataStart..<crcOffset])
            case "IDAT":
                guard !dataEnded else {
                    throw failure(.badChunk(offset: start, chunk: name, reason: "IDAT chunks must be consecutive"))
                }
                if header!.colorType == .palette && palette == nil {
                    throw failure(.missingChunk(offset: start, chunk: "PLTE"))
                }
                if firstDataChunk == nil { firstDataChunk = start }
                data.append(contentsOf: bytes[dataStart..<crcOffset])
                segments.append((dataStart, declared))
            case "IEND":
                guard declared == 0 else {
                    throw failure(.badChunk(offset: start, chunk: name, reason: "length is \(declared), expected 0"))
                }
                end = start
                if position < bytes.count {
                    throw failure(.trailingBytes(offset: position, count: bytes.count - position))
                }
            default:
                // Bit 5 of the first byte clear (an upper-case letter): critical.
                if type[0] & 0x20 == 0 { throw failure(.unknownCriticalChunk(offset: start, chunk: name)) }
            }
        }
        guard let header else { throw failure(.missingChunk(offset: signature.count, chunk: "IHDR")) }
        guard let firstDataChunk else { throw failure(.missingChunk(offset: end ?? bytes.count, chunk: "IDAT")) }
        guard end != nil else { throw failure(.missingChunk(offset: bytes.count, chunk: "IEND")) }
        return Chunks(header: header, palette: palette ?? [], data: data, segments: segments, firstDataChunk: firstDataChunk)
    }

    /// IHDR's 13 bytes at `at`: width, height, bit depth, colour type, compression, filter, interlace.
    private static func parseHeader(_ bytes: [UInt8], at: Int, failure: (ImageDataError.Problem) -> ImageDataError) throws(ImageDataError) -> Header {
        let width = Int(bigEndian32(bytes, at)), height = Int(bigEndian32(bytes, at + 4))
        for (field, value, offset) in [("width", width, at), ("height", height, at + 4)] where value == 0 || value > maxChunkLength {
            throw failure(.badHeaderField(offset: offset, field: field, value: value, expected: "1...\(maxChunkLength)"))
        }
        let depth = Int(bytes[at + 8])
        guard let colorType = PNGColorType(rawValue: bytes[at + 9]) else {
            throw failure(.badHeaderField(offset: at + 9, field: "colour type", value: Int(bytes[at + 9]), expected: "0, 2, 3, 4 or 6"))
        }
        guard colorType.allowedBitDepths.contains(depth) else {
            throw failure(.badHeaderField(offset: at + 8, field: "bit depth", value: depth,
                                          expected: "\(colorType.allowedBitDepths.map(String.init).joined(separator: ", ")) for colour type \(colorType)"))
        }
        for (field, offset, allowed) in [("compression method", at + 10, "0 (deflate)"), ("filter method", at + 11, "0 (adaptive)")]
            where bytes[offset] != 0 {
            throw failure(.badHeaderField(offset: offset, field: field, value: Int(bytes[offset]), expected: allowed))
        }
        guard bytes[at + 12] <= 1 else {
            throw failure(.badHeaderField(offset: at + 12, field: "interlace method", value: Int(bytes[at + 12]), expected: "0 (none) or 1 (Adam7)"))
        }
        return Header(width: width, height: height, bitDepth: depth, colorType: colorType, interlaced: bytes[at + 12] == 1)
    }

    // MARK: Inflating

    /// The file offset of byte `position` of the concatenated IDAT contents (the end of the
    /// last IDAT's data when `position` is past them all).
    private static func fileOffset(of position: Int, in chunks: Chunks) -> Int {
        var rest = position
        for segment in chunks.segments {
            if rest < segment.count { return segment.fileOffset + rest }
            rest -= segment.count
        }
        let last = chunks.segments[chunks.segments.count - 1]
        return last.fileOffset + last.count
    }

    /// Inflates the IDAT contents as one zlib stream (header and Adler-32 checked) into
    /// exactly `expected` bytes. Memory grows with the output actually produced, so a header
    /// that claims a huge image costs nothing until the data bear it out.
    private static func inflate(_ chunks: Chunks, expected: Int, failure: (ImageDataError.Problem) -> ImageDataError) throws(ImageDataError) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { inflateEnd(stream); stream.deinitialize(count: 1); stream.deallocate() }
        let code = inflateInit_(stream, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else { throw failure(.io(operation: "inflateInit", reason: "zlib error \(code)")) }

        var output: [UInt8] = []
        output.reserveCapacity(min(expected, 1 << 24))
        var produced = 0
        let scratchSize = 1 << 16
        let scratch = UnsafeMutablePointer<Bytef>.allocate(capacity: scratchSize)
        defer { scratch.deallocate() }
        let input = chunks.data
        let outcome: (code: Int32, consumed: Int, message: String?) = input.withUnsafeBufferPointer { buffer in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: buffer.baseAddress)
            stream.pointee.avail_in = uInt(buffer.count)
            while true {
                stream.pointee.next_out = scratch
                stream.pointee.avail_out = uInt(scratchSize)
                let code = zlibInflate(stream, Z_NO_FLUSH)
                let n = scratchSize - Int(stream.pointee.avail_out)
                if output.count < expected {
                    output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: min(n, expected - output.count)))
                }
                produced += n
                let consumed = buffer.count - Int(stream.pointee.avail_in)
                switch code {
                case Z_OK where n > 0 || stream.pointee.avail_in > 0:
                    continue
                case Z_OK, Z_BUF_ERROR:
                    return (Z_BUF_ERROR, consumed, nil)
                default:
                    return (code, consumed, stream.pointee.msg.map { String(cString: $0) })
                }
            }
        }
        let at = fileOffset(of: outcome.consumed, in: chunks)
        switch outcome.code {
        case Z_STREAM_END:
            guard outcome.consumed == input.count else {
                throw failure(.corruptImageData(offset: at, reason:
                    "\(input.count - outcome.consumed) byte(s) of IDAT data follow the end of the zlib stream"))
            }
        case Z_BUF_ERROR:
            throw failure(.corruptImageData(offset: at, reason:
                "the IDAT data end inside the zlib stream (expected more compressed data, its end marker and Adler-32 check)"))
        case Z_NEED_DICT:
            throw failure(.corruptImageData(offset: at, reason: "the stream asks for a preset dictionary, which PNG never uses"))
        case Z_MEM_ERROR:
            throw failure(.io(operation: "inflate", reason: "zlib ran out of memory"))
        default:
            throw failure(.corruptImageData(offset: at, reason: outcome.message ?? "zlib error \(outcome.code)"))
        }
        guard produced == expected else {
            throw failure(.imageDataSize(offset: chunks.firstDataChunk, expected: expected, found: produced))
        }
        return output
    }

    // MARK: Filters and samples

    /// Adam7's seven passes: first column and row, column and row steps.
    static let adam7: [(x0: Int, y0: Int, dx: Int, dy: Int)] = [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ]

    /// One pass's sub-image (the whole image when not interlaced).
    struct PassGeometry {
        let x0: Int, y0: Int, dx: Int, dy: Int
        let width: Int, height: Int
        let bitsPerPixel: Int
        /// Bytes per row after the filter byte.
        let rowBytes: Int
        /// The filters' byte distance to "the pixel to the left": whole pixels, at least 1.
        let filterStride: Int

        init(pass: (x0: Int, y0: Int, dx: Int, dy: Int), imageWidth: Int, imageHeight: Int, bitsPerPixel: Int) {
            (x0, y0, dx, dy) = pass
            width = imageWidth > pass.x0 ? (imageWidth - pass.x0 + pass.dx - 1) / pass.dx : 0
            height = imageHeight > pass.y0 ? (imageHeight - pass.y0 + pass.dy - 1) / pass.dy : 0
            self.bitsPerPixel = bitsPerPixel
            rowBytes = (width * bitsPerPixel + 7) / 8
            filterStride = max(1, bitsPerPixel / 8)
        }
    }

    /// Undoes the row filters of one pass in place; returns the first bad filter byte's offset
    /// and pass row, if any.
    private static func unfilter(_ raw: inout [UInt8], start: Int, pass: PassGeometry) -> (offset: Int, row: Int)? {
        let rowBytes = pass.rowBytes, bpp = pass.filterStride
        return raw.withUnsafeMutableBufferPointer { data -> (offset: Int, row: Int)? in
            for row in 0..<pass.height {
                let filterAt = start + row * (rowBytes + 1)
                let current = filterAt + 1, previous = current - (rowBytes + 1)
                let hasPrevious = row > 0
                switch data[filterAt] {
                case 0:
                    break
                case 1:
                    if rowBytes > bpp { for i in bpp..<rowBytes { data[current + i] &+= data[current + i - bpp] } }
                case 2:
                    if hasPrevious { for i in 0..<rowBytes { data[current + i] &+= data[previous + i] } }
                case 3:
                    for i in 0..<rowBytes {
                        let left = i >= bpp ? Int(data[current + i - bpp]) : 0
                        let up = hasPrevious ? Int(data[previous + i]) : 0
                        data[current + i] &+= UInt8((left + up) / 2)
                    }
                case 4:
                    for i in 0..<rowBytes {
                        let a = i >= bpp ? Int(data[current + i - bpp]) : 0
                        let b = hasPrevious ? Int(data[previous + i]) : 0
                        let c = i >= bpp && hasPrevious ? Int(data[previous + i - bpp]) : 0
                        let p = a + b - c
                        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
                        let predictor = pa <= pb && pa <= pc ? a : (pb <= pc ? b : c)
                        data[current + i] &+= UInt8(predictor)
                    }
                default:
                    return (filterAt, row)
                }
            }
            return nil
        }
    }

    /// Converts one unfiltered pass to 8-bit grey or RGB and places its pixels in the image;
    /// returns the first palette index past the palette, if any.
    private static func expand(_ raw: [UInt8], start: Int, pass: PassGeometry, header: Header, palette: [UInt8],
                               into pixels: inout [UInt8]) -> (offset: Int, x: Int, y: Int, index: Int)? {
        let depth = header.bitDepth, spp = header.colorType.samplesPerPixel
        let channels = header.colorType.decodedChannels, width = header.width
        let entries = palette.count / 3
        let mask = (1 << min(depth, 8)) - 1
        let greyScale = depth < 8 ? 255 / mask : 1
        return raw.withUnsafeBufferPointer { data -> (offset: Int, x: Int, y: Int, index: Int)? in
            pixels.withUnsafeMutableBufferPointer { out -> (offset: Int, x: Int, y: Int, index: Int)? in
                for row in 0..<pass.height {
                    let line = start + row * (pass.rowBytes + 1) + 1
                    let y = pass.y0 + row * pass.dy
                    for column in 0..<pass.width {
                        let x = pass.x0 + column * pass.dx
                        let target = (y * width + x) * channels
                        switch depth {
                        case 8, 16:
                            let step = depth / 8, first = line + column * spp * step
                            if header.colorType == .palette {
                                let index = Int(data[first])
                                guard index < entries else { return (first, x, y, index) }
                                for c in 0..<3 { out[target + c] = palette[3 * index + c] }
                            } else {
                                // High byte first: sample s of this pixel starts at first + s·step.
                                for c in 0..<channels { out[target + c] = data[first + c * step] }
                            }
                        default:
                            let bit = column * depth
                            let byteAt = line + bit / 8
                            let value = Int(data[byteAt] >> UInt8(8 - depth - bit % 8)) & mask
                            if header.colorType == .palette {
                                guard value < entries else { return (byteAt, x, y, value) }
                                for c in 0..<3 { out[target + c] = palette[3 * value + c] }
                            } else {
                                out[target] = UInt8(value * greyScale)
                            }
                        }
                    }
                }
                return nil
            }
        }
    }
}

/// zlib's `inflate`, under a name that the decoder's own `inflate` does not shadow.
@inline(__always)
private func zlibInflate(_ stream: UnsafeMutablePointer<z_stream>, _ flush: Int32) -> Int32 { CZlib.inflate(stream, flush) }
