/// One CIFAR-10 binary batch (`data_batch_1.bin` … `data_batch_5.bin`, `test_batch.bin`),
/// plain or gzip-compressed.
///
/// The file is a run of 3,073-byte records: a label byte 0–9, then a 32×32 colour image
/// channel-planar (1,024 red bytes, 1,024 green, 1,024 blue, each plane row by row from the
/// top). A published batch has 10,000 records (30,730,000 bytes); any positive whole number is
/// accepted, so that subsets and test fixtures read the same way. A partial record or a label
/// above 9 throws an `ImageDataError` at its byte.
public struct CIFAR10Batch: Sendable, Equatable {
    public static let side = 32
    public static let channels = 3
    public static let classCount = 10
    public static let imageSize = channels * side * side
    public static let recordSize = 1 + imageSize

    /// The records as stored: label byte, then `imageSize` pixel bytes, for each image.
    public let records: [UInt8]
    /// The label of each image, 0...9.
    public let labels: [Int]

    /// Number of images.
    public var count: Int { labels.count }

    /// The pixel bytes of image `index`: red plane, green plane, blue plane.
    public func pixels(of index: Int) -> ArraySlice<UInt8> {
        let start = index * Self.recordSize + 1
        return records[start..<(start + Self.imageSize)]
    }

    /// Reads and validates the batch file at `path`.
    public static func read(from path: String) throws(ImageDataError) -> CIFAR10Batch {
        let stream = try ContentStream(path: path)
        let records = try stream.read(upTo: Int.max)
        return try CIFAR10Batch(records: records, file: path, decompressed: stream.isGzip)
    }

    /// A batch from a file's bytes; `file` and `decompressed` place errors.
    public init(records: [UInt8], file: String = "<memory>", decompressed: Bool = false) throws(ImageDataError) {
        let (whole, partial) = records.count.quotientAndRemainder(dividingBy: Self.recordSize)
        guard partial == 0, whole > 0 else {
            throw ImageDataError(file: file, decompressed: decompressed, problem: .truncatedData(
                start: whole * Self.recordSize, needed: Self.recordSize, available: partial,
                what: "record \(whole) (a label byte and \(Self.imageSize) pixel bytes)"))
        }
        var labels: [Int] = []
        labels.reserveCapacity(whole)
        for record in 0..<whole {
            let offset = record * Self.recordSize
            let label = Int(records[offset])
            guard label < Self.classCount else {
                throw ImageDataError(file: file, decompressed: decompressed, problem: .labelOutOfRange(
                    offset: offset, record: record, label: label, valid: 0...(Self.classCount - 1)))
            }
            labels.append(label)
        }
        self.records = records
        self.labels = labels
    }
}
