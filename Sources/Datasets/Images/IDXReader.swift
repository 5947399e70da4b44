/// Reads IDX files (LeCun's format for MNIST; also Fashion-MNIST and EMNIST), plain or
/// gzip-compressed.
///
/// Layout: bytes 0–1 are zero, byte 2 is the element type (`IDXElementType`), byte 3 the
/// number of dimensions d; then d big-endian UInt32 sizes; then exactly the product of the
/// sizes times the element size in data bytes, and nothing after. Every departure from that
/// throws an `ImageDataError` naming the byte where the file stops matching it.
public enum IDXReader {
    /// The most dimensions a file may declare. The format allows 255, but no IDX data set
    /// has more than 4 and a large count in byte 3 is far likelier damage than data.
    public static let maxDimensions = 16

    /// Reads and validates the IDX file at `path` (gzip-compressed or not, whatever its name).
    public static func read(from path: String) throws(ImageDataError) -> IDXArray {
        try readNotingCompression(from: path).array
    }

    /// `read(from:)`, also saying whether the file was gzip-compressed, so that callers that
    /// find fault with the contents can place their offsets in the decompressed stream.
    static func readNotingCompression(from path: String) throws(ImageDataError) -> (array: IDXArray, decompressed: Bool) {
        let stream = try ContentStream(path: path)

        let magic = try stream.read(upTo: 4)
        for offset in 0..<min(2, magic.count) where magic[offset] != 0 {
            throw stream.failure(.badMagic(offset: offset, found: magic))
        }
        var elementType: IDXElementType?
        if magic.count > 2 {
            elementType = IDXElementType(rawValue: magic[2])
            if elementType == nil { throw stream.failure(.unsupportedTypeCode(offset: 2, code: magic[2])) }
        }
        guard magic.count == 4, let elementType else {
            throw stream.failure(.truncatedHeader(needed: 4, available: magic.count))
        }
        let dimensionCount = Int(magic[3])
        guard (1...maxDimensions).contains(dimensionCount) else {
            throw stream.failure(.dimensionCount(offset: 3, count: dimensionCount, limit: maxDimensions))
        }

        let headerLength = 4 + 4 * dimensionCount
        let sizeBytes = try stream.read(upTo: 4 * dimensionCount)
        guard sizeBytes.count == 4 * dimensionCount else {
            throw stream.failure(.truncatedHeader(needed: headerLength, available: 4 + sizeBytes.count))
        }
        let sizes: [UInt64] = (0..<dimensionCount).map { d in
            sizeBytes[(4 * d)..<(4 * d + 4)].reduce(0) { $0 << 8 | UInt64($1) }
        }
        var dataLength = elementType.byteSize
        for (index, size) in sizes.enumerated() {
            let (product, overflow) = dataLength.multipliedReportingOverflow(by: Int(truncatingIfNeeded: size))
            guard !overflow, Int(exactly: size) != nil else {
                throw stream.failure(.sizeOverflow(offset: 4 + 4 * index, dimensions: sizes, elementSize: elementType.byteSize))
            }
            dataLength = product
        }
        let shape = sizes.map { Int($0) }
        let what = "the data of shape \(shape), \(elementType),"

        // A plain file's size shows a short data section before anything is allocated.
        if let available = stream.remainingBound, available < dataLength {
            throw stream.failure(.truncatedData(start: headerLength, needed: dataLength, available: available, what: what))
        }
        let data = try stream.read(upTo: dataLength)
        guard data.count == dataLength else {
            throw stream.failure(.truncatedData(start: headerLength, needed: dataLength, available: data.count, what: what))
        }
        let trailing: Int
        if let bound = stream.remainingBound { trailing = bound } else { trailing = try stream.skipToEnd() }
        guard trailing == 0 else {
            throw stream.failure(.trailingBytes(offset: headerLength + dataLength, count: trailing))
        }
        return (IDXArray(elementType: elementType, shape: shape, bytes: data), stream.isGzip)
    }
}
