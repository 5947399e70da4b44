import CZlib
import Foundation
import Testing
import Datasets
import Tensor

// MARK: - Helpers: files the tests write themselves

/// A fresh directory under the system's temporary directory, removed when the value dies.
private final class ScratchDirectory {
    let path: String

    init(_ label: String) {
        path = NSTemporaryDirectory() + "/equilibrium-images-\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` in the directory and returns the file's path.
    func write(_ bytes: [UInt8], as name: String) -> String {
        let file = path + "/" + name
        try! Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }
}

/// `bytes` as a gzip member (deflate with windowBits 31: gzip header and CRC-32/length trailer).
private func gzip(_ bytes: [UInt8]) -> [UInt8] {
    let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
    stream.initialize(to: z_stream())
    defer { deflateEnd(stream); stream.deinitialize(count: 1); stream.deallocate() }
    let initCode = deflateInit2_(stream, Z_BEST_COMPRESSION, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY,
                                 zlibVersion(), Int32(MemoryLayout<z_stream>.size))
    precondition(initCode == Z_OK, "deflateInit2 failed with \(initCode)")
    var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, uLong(bytes.count))))
    let code = bytes.withUnsafeBufferPointer { input in
        output.withUnsafeMutableBufferPointer { out in
            stream.pointee.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
            stream.pointee.avail_in = uInt(input.count)
            stream.pointee.next_out = out.baseAddress
            stream.pointee.avail_out = uInt(out.count)
            return deflate(stream, Z_FINISH)
        }
    }
    precondition(code == Z_STREAM_END, "deflate failed with \(code)")
    return Array(output[..<Int(stream.pointee.total_out)])
}

/// An IDX array of `type` and `shape` holding `values` (each exactly representable).
private func idxArray(_ type: IDXElementType, shape: [Int], values: [Double]) -> IDXArray {
    var bytes: [UInt8] = []
    for value in values {
        let bits: UInt64
        switch type {
        case .uint8: bits = UInt64(UInt8(value))
        case .int8: bits = UInt64(UInt8(bitPattern: Int8(value)))
        case .int16: bits = UInt64(UInt16(bitPattern: Int16(value)))
        case .int32: bits = UInt64(UInt32(bitPattern: Int32(value)))
        case .float32: bits = UInt64(Float(value).bitPattern)
        case .float64: bits = value.bitPattern
        }
        for k in (0..<type.byteSize).reversed() { bytes.append(UInt8((bits >> (8 * UInt64(k))) & 0xFF)) }
    }
    return IDXArray(elementType: type, shape: shape, bytes: bytes)
}

/// Values that each IDX type holds exactly, with negatives and fractions where it can.
private func sampleValues(_ type: IDXElementType, count: Int) -> [Double] {
    (0..<count).map { i in
        switch type {
        case .uint8: Double((i * 37) % 256)
        case .int8: Double((i * 37) % 256 - 128)
        case .int16: Double(i * 1_009 - 30_000)
        case .int32: Double(i * 100_003 - 2_000_000_000)
        case .float32: Double(Float(i) * 0.25 - 3)
        case .float64: Double(i) * 0.1 - 1e300 * Double(i % 2)
        }
    }
}

/// Four 3×2 unsigned-byte images [4, 3, 2], pixel value 10·image + position.
private let smallImages = IDXArray(elementType: .uint8, shape: [4, 3, 2], bytes: (0..<24).map { UInt8(10 * ($0 / 6) + $0 % 6) })
private let smallLabels = IDXArray(elementType: .uint8, shape: [4], bytes: [7, 0, 9, 3])

/// A CIFAR-10 record: the label, then a pixel pattern that differs per record and per channel.
private func cifarRecord(label: UInt8, seed: Int) -> [UInt8] {
    [label] + (0..<CIFAR10Batch.imageSize).map { UInt8((seed * 31 + $0 * 7 + $0 / 1024 * 50) % 256) }
}

// MARK: - Tests

@Suite struct ImageReaderTests {
    // MARK: IDX round trips

    @Test(arguments: IDXElementType.allCases)
    func idxRoundTripsEveryElementTypePlainAndGzip(type: IDXElementType) throws {
        let scratch = ScratchDirectory("types")
        let values = sampleValues(type, count: 2 * 3 * 5)
        let array = idxArray(type, shape: [2, 3, 5], values: values)
        let plain = scratch.write(array.encoded(), as: "data.idx")
        let compressed = scratch.write(gzip(array.encoded()), as: "data.idx.gz")
        for path in [plain, compressed] {
            let read = try IDXReader.read(from: path)
            #expect(read == array)
            #expect(read.elementType == type && read.shape == [2, 3, 5] && read.count == 30)
            #expect(read.doubles() == values)
        }
    }

    @Test func gzipIsRecognisedByItsMagicNotByTheName() throws {
        let scratch = ScratchDirectory("magic")
        let compressedWithoutSuffix = scratch.write(gzip(smallImages.encoded()), as: "train-images-idx3-ubyte")
        let plainWithSuffix = scratch.write(smallImages.encoded(), as: "train-images-idx3-ubyte.gz")
        #expect(try IDXReader.read(from: compressedWithoutSuffix) == smallImages)
        #expect(try IDXReader.read(from: plainWithSuffix) == smallImages)
    }

    @Test func concatenatedGzipMembersReadAsOneStream() throws {
        let scratch = ScratchDirectory("members")
        let file = smallImages.encoded()
        let path = scratch.write(gzip(Array(file[..<10])) + gzip(Array(file[10...])), as: "split.gz")
        #expect(try IDXReader.read(from: path) == smallImages)
    }

    @Test func largeGzipFileStreamsThroughManyChunks() throws {
        // 200 × 64 × 64 bytes of poorly compressible data: well past the 64 KiB input window.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        let bytes = (0..<(200 * 64 * 64)).map { _ -> UInt8 in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return UInt8(state >> 56)
        }
        let array = IDXArray(elementType: .uint8, shape: [200, 64, 64], bytes: bytes)
        let scratch = ScratchDirectory("large")
        let compressed = gzip(array.encoded())
        #expect(compressed.count > 1 << 17)
        #expect(try IDXReader.read(from: scratch.write(compressed, as: "large.gz")) == array)
    }

    // MARK: IDX corruption

    @Test func badMagicNamesTheFirstNonZeroByte() {
        let scratch = ScratchDirectory("badmagic")
        var file = smallImages.encoded()
        file[0] = 0x12
        let first = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(file, as: "a")) }
        #expect(first?.problem == .badMagic(offset: 0, found: [0x12, 0x00, 0x08, 0x03]))
        file[0] = 0; file[1] = 0x01
        let path = scratch.write(file, as: "b")
        let second = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: path) }
        #expect(second?.problem == .badMagic(offset: 1, found: [0x00, 0x01, 0x08, 0x03]))
        #expect(second?.offset == 1)
        let text = second?.description ?? ""
        #expect(text.hasPrefix(path + ": at byte 1:") && text.contains("expected IDX magic 00 00") && text.contains("found 00 01 08 03"))
    }

    @Test func unsupportedTypeCodeIsReportedAtByteTwo() {
        let scratch = ScratchDirectory("type")
        var file = smallImages.encoded()
        file[2] = 0x0A
        let path = scratch.write(file, as: "images")
        let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: path) }
        #expect(error?.problem == .unsupportedTypeCode(offset: 2, code: 0x0A))
        #expect(error?.description.contains("found 0A") == true)
    }

    @Test(arguments: [0, IDXReader.maxDimensions + 1, 255])
    func dimensionCountOutOfRangeIsReportedAtByteThree(count: Int) {
        let scratch = ScratchDirectory("dims")
        let file: [UInt8] = [0, 0, 0x08, UInt8(count)] + [UInt8](repeating: 1, count: 4 * count + 1)
        let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(file, as: "x")) }
        #expect(error?.problem == .dimensionCount(offset: 3, count: count, limit: IDXReader.maxDimensions))
    }

    @Test func truncatedHeaderSaysHowMuchItNeeds() {
        let scratch = ScratchDirectory("header")
        let file = smallImages.encoded()
        let inMagic = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(Array(file[..<3]), as: "a")) }
        #expect(inMagic?.problem == .truncatedHeader(needed: 4, available: 3))
        let empty = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write([], as: "b")) }
        #expect(empty?.problem == .truncatedHeader(needed: 4, available: 0))
        let inSizes = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(Array(file[..<10]), as: "c")) }
        #expect(inSizes?.problem == .truncatedHeader(needed: 16, available: 10))
        #expect(inSizes?.offset == 10)
        let compressed = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(gzip(Array(file[..<10])), as: "d.gz")) }
        #expect(compressed?.problem == .truncatedHeader(needed: 16, available: 10) && compressed?.decompressed == true)
        #expect(compressed?.description.contains("at byte 10 of the decompressed data") == true)
    }

    @Test func dimensionsWhoseProductOverflowsAreRejected() {
        let scratch = ScratchDirectory("overflow")
        let file: [UInt8] = [0, 0, 0x0E, 4] + (0..<4).flatMap { _ in TestPNG.bigEndian(.max) } + [1, 2, 3]
        let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(file, as: "x")) }
        // 8 bytes × (2^32 − 1) fits; the second size, at byte 8, overflows.
        #expect(error?.problem == .sizeOverflow(offset: 8, dimensions: [UInt64](repeating: UInt64(UInt32.max), count: 4), elementSize: 8))
    }

    @Test func truncatedDataIsReportedWhereTheContentsEnd() {
        let scratch = ScratchDirectory("data")
        let file = smallImages.encoded()  // 16 header bytes + 24 data bytes
        let cut = Array(file.dropLast(5))
        for (name, bytes, decompressed) in [("plain", cut, false), ("gz", gzip(cut), true)] {
            let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(bytes, as: name)) }
            guard case let .truncatedData(start, needed, available, _)? = error?.problem else {
                Issue.record("expected truncatedData, got \(String(describing: error))"); continue
            }
            #expect(start == 16 && needed == 24 && available == 19)
            #expect(error?.offset == 35 && error?.decompressed == decompressed)
            #expect(error?.description.contains("[4, 3, 2]") == true)
        }
    }

    @Test func aHeaderClaimingTerabytesFailsWithoutAllocatingThem() {
        // 2^32 − 1 × 65,535 bytes ≈ 281 TB claimed by a 30-byte file, plain and compressed.
        let scratch = ScratchDirectory("claim")
        let file: [UInt8] = [0, 0, 0x08, 2] + TestPNG.bigEndian(.max) + TestPNG.bigEndian(65_535) + [UInt8](repeating: 7, count: 18)
        for (name, bytes) in [("plain", file), ("gz", gzip(file))] {
            let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(bytes, as: name)) }
            guard case let .truncatedData(start, needed, available, _)? = error?.problem else {
                Issue.record("expected truncatedData, got \(String(describing: error))"); continue
            }
            #expect(start == 12 && needed == Int(UInt32.max) * 65_535 && available == 18)
        }
    }

    @Test func trailingBytesAreCountedFromTheEndOfTheData() {
        let scratch = ScratchDirectory("trailing")
        let file = smallImages.encoded() + [0xAA, 0xBB, 0xCC]
        for (name, bytes, decompressed) in [("plain", file, false), ("gz", gzip(file), true)] {
            let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(bytes, as: name)) }
            #expect(error?.problem == .trailingBytes(offset: 40, count: 3) && error?.decompressed == decompressed)
        }
    }

    @Test func truncatedGzipIsReportedAtTheEndOfTheFile() {
        let scratch = ScratchDirectory("gzcut")
        let compressed = gzip(smallImages.encoded())
        for length in [2, 10, compressed.count / 2, compressed.count - 1] {
            let error = caughtImageError { () throws(ImageDataError) in
                try IDXReader.read(from: scratch.write(Array(compressed[..<length]), as: "cut\(length).gz"))
            }
            #expect(error?.problem == .truncatedGzip(offset: length))
            #expect(error?.description.contains("at compressed byte \(length)") == true)
        }
    }

    @Test func damagedGzipIsReportedWithZlibsReason() {
        let scratch = ScratchDirectory("gzbad")
        let compressed = gzip(smallImages.encoded())
        var badMethod = compressed
        badMethod[2] = 7  // compression method must be 8 (deflate)
        let header = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(badMethod, as: "method.gz")) }
        guard case let .corruptGzip(headerOffset, headerReason)? = header?.problem else {
            Issue.record("expected corruptGzip, got \(String(describing: header))"); return
        }
        #expect(headerOffset <= 10 && headerReason.contains("unknown compression method"))

        var badCRC = compressed
        badCRC[compressed.count - 8] ^= 0xFF  // first byte of the CRC-32 trailer
        let trailer = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.write(badCRC, as: "crc.gz")) }
        guard case let .corruptGzip(crcOffset, crcReason)? = trailer?.problem else {
            Issue.record("expected corruptGzip, got \(String(describing: trailer))"); return
        }
        #expect(crcOffset >= compressed.count - 8 && crcOffset <= compressed.count && crcReason.contains("incorrect data check"))
    }

    @Test func bytesAfterTheLastGzipMemberAreCorruption() {
        let scratch = ScratchDirectory("gztail")
        let compressed = gzip(smallImages.encoded())
        let error = caughtImageError { () throws(ImageDataError) in
            try IDXReader.read(from: scratch.write(compressed + [0x00, 0x00, 0x00], as: "padded.gz"))
        }
        guard case let .corruptGzip(offset, reason)? = error?.problem else {
            Issue.record("expected corruptGzip, got \(String(describing: error))"); return
        }
        #expect(offset == compressed.count && reason.contains("found 00"))
    }

    @Test func everyPrefixOfAValidFileThrowsAndNoneTraps() throws {
        let scratch = ScratchDirectory("prefixes")
        let plain = smallImages.encoded()
        let compressed = gzip(plain)
        for (name, file) in [("plain", plain), ("gz", compressed)] {
            for length in 0..<file.count {
                let path = scratch.write(Array(file[..<length]), as: "\(name)-\(length)")
                _ = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: path) }
            }
        }
        // Single-byte damage anywhere must either read or throw, never trap.
        for (name, file) in [("plain", plain), ("gz", compressed)] {
            for index in file.indices {
                var damaged = file
                damaged[index] ^= 0x5A
                let path = scratch.write(damaged, as: "\(name)-flip\(index)")
                _ = try? IDXReader.read(from: path)
            }
        }
    }

    @Test func missingFileIsAnIOError() {
        let scratch = ScratchDirectory("missing")
        let error = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.path + "/nothing-here") }
        guard case let .io(operation, reason)? = error?.problem else {
            Issue.record("expected an io error, got \(String(describing: error))"); return
        }
        #expect(operation == "open" && reason.contains("No such file"))
        let directory = caughtImageError { () throws(ImageDataError) in try IDXReader.read(from: scratch.path) }
        guard case .io? = directory?.problem else {
            Issue.record("expected an io error for a directory, got \(String(describing: directory))"); return
        }
    }

    // MARK: IDX images with labels

    @Test func idxImagesAndLabelsLoadAsScaledNCHW() throws {
        let scratch = ScratchDirectory("pair")
        let images = scratch.write(gzip(smallImages.encoded()), as: "images.gz")
        let labels = scratch.write(smallLabels.encoded(), as: "labels")
        let set = try LabeledImages.idx(images: images, labels: labels, validLabels: 0...9)
        #expect(set.labels == [7, 0, 9, 3] && set.count == 4)
        #expect(set.images.shape == [4, 1, 3, 2] && set.images.dtype == .float32)
        #expect(set.images.floats == smallImages.bytes.map { Float($0) / 127.5 - 1 })
        #expect(LabeledImages.pixelValue(0) == -1 && LabeledImages.pixelValue(255) == 1)

        let upright = try LabeledImages.idx(images: images, labels: labels, transposed: true)
        #expect(upright.images.shape == [4, 1, 2, 3])
        for image in 0..<4 {
            for y in 0..<2 {
                for x in 0..<3 {
                    // upright[y][x] is stored row x, column y of the 3 × 2 stored image.
                    let stored = smallImages.bytes[image * 6 + x * 2 + y]
                    #expect(upright.images[image, 0, y, x] == Double(LabeledImages.pixelValue(stored)))
                }
            }
        }
    }

    @Test func imageAndLabelCountsMustAgree() {
        let scratch = ScratchDirectory("count")
        let images = scratch.write(smallImages.encoded(), as: "images")
        let labels = scratch.write(IDXArray(elementType: .uint8, shape: [3], bytes: [1, 2, 3]).encoded(), as: "labels")
        let error = caughtImageError { () throws(ImageDataError) in try LabeledImages.idx(images: images, labels: labels) }
        #expect(error == ImageDataError(file: images, problem: .countMismatch(images: 4, labels: 3, labelFile: labels)))
        #expect(error?.description == "\(images): 4 images but 3 labels in \(labels)")
    }

    @Test func labelsOutsideTheValidRangeNameTheirByte() {
        let scratch = ScratchDirectory("range")
        let images = scratch.write(smallImages.encoded(), as: "images")
        let labels = scratch.write(IDXArray(elementType: .uint8, shape: [4], bytes: [1, 2, 12, 3]).encoded(), as: "labels")
        let error = caughtImageError { () throws(ImageDataError) in try LabeledImages.idx(images: images, labels: labels, validLabels: 0...9) }
        #expect(error == ImageDataError(file: labels, problem: .labelOutOfRange(offset: 10, record: 2, label: 12, valid: 0...9)))
    }

    @Test func imageAndLabelFilesMustHaveTheirLayouts() {
        let scratch = ScratchDirectory("layout")
        let images = scratch.write(smallImages.encoded(), as: "images")
        let labels = scratch.write(smallLabels.encoded(), as: "labels")
        let intLabels = scratch.write(idxArray(.int32, shape: [4], values: [1, 2, 3, 4]).encoded(), as: "int-labels")
        let flatImages = scratch.write(IDXArray(elementType: .uint8, shape: [4, 6], bytes: smallImages.bytes).encoded(), as: "flat")
        let wrongType = caughtImageError { () throws(ImageDataError) in try LabeledImages.idx(images: images, labels: intLabels) }
        guard case let .unexpectedLayout(typeOffset, _, typeFound)? = wrongType?.problem else {
            Issue.record("expected unexpectedLayout, got \(String(describing: wrongType))"); return
        }
        #expect(wrongType?.file == intLabels && typeOffset == 2 && typeFound.contains("int32"))
        let wrongRank = caughtImageError { () throws(ImageDataError) in try LabeledImages.idx(images: flatImages, labels: labels) }
        guard case let .unexpectedLayout(rankOffset, rankExpected, _)? = wrongRank?.problem else {
            Issue.record("expected unexpectedLayout, got \(String(describing: wrongRank))"); return
        }
        #expect(wrongRank?.file == flatImages && rankOffset == 3 && rankExpected.contains("3 dimensions"))
    }

    // MARK: CIFAR-10

    @Test func cifarBatchesRoundTripPlainAndGzip() throws {
        let scratch = ScratchDirectory("cifar")
        let labels: [UInt8] = [0, 9, 4]
        let records = labels.enumerated().flatMap { cifarRecord(label: $0.element, seed: $0.offset) }
        let plain = scratch.write(records, as: "data_batch_1.bin")
        let compressed = scratch.write(gzip(records), as: "data_batch_2.bin.gz")
        for path in [plain, compressed] {
            let batch = try CIFAR10Batch.read(from: path)
            #expect(batch.count == 3 && batch.labels == [0, 9, 4])
            #expect(Array(batch.pixels(of: 1)) == Array(cifarRecord(label: 9, seed: 1).dropFirst()))
        }

        let set = try LabeledImages.cifar10(batches: [plain, compressed])
        #expect(set.images.shape == [6, 3, 32, 32] && set.labels == [0, 9, 4, 0, 9, 4])
        // Channel-planar records are already NCHW: image 4 is record 1 of the second file.
        let record = cifarRecord(label: 9, seed: 1)
        for (channel, y, x) in [(0, 0, 0), (1, 5, 7), (2, 31, 31)] {
            let byte = record[1 + channel * 1024 + y * 32 + x]
            #expect(set.images[4, channel, y, x] == Double(LabeledImages.pixelValue(byte)))
        }
        #expect(set.images.floats.allSatisfy { $0 >= -1 && $0 <= 1 })
    }

    @Test func cifarPartialRecordIsRejectedAtItsStart() {
        let scratch = ScratchDirectory("cifarcut")
        let records = cifarRecord(label: 1, seed: 0) + cifarRecord(label: 2, seed: 1) + Array(cifarRecord(label: 3, seed: 2)[..<100])
        for (name, bytes, decompressed) in [("plain", records, false), ("gz", gzip(records), true)] {
            let error = caughtImageError { () throws(ImageDataError) in try CIFAR10Batch.read(from: scratch.write(bytes, as: name)) }
            guard case let .truncatedData(start, needed, available, what)? = error?.problem else {
                Issue.record("expected truncatedData, got \(String(describing: error))"); continue
            }
            #expect(start == 6_146 && needed == 3_073 && available == 100 && what.contains("record 2"))
            #expect(error?.offset == 6_246 && error?.decompressed == decompressed)
        }
        let empty = caughtImageError { () throws(ImageDataError) in try CIFAR10Batch.read(from: scratch.write([], as: "empty")) }
        guard case .truncatedData(0, 3_073, 0, _)? = empty?.problem else {
            Issue.record("expected truncatedData for an empty file, got \(String(describing: empty))"); return
        }
    }

    @Test func cifarLabelAboveNineIsRejectedAtItsByte() {
        let scratch = ScratchDirectory("cifarlabel")
        let records = cifarRecord(label: 3, seed: 0) + cifarRecord(label: 10, seed: 1)
        let path = scratch.write(records, as: "bad.bin")
        let error = caughtImageError { () throws(ImageDataError) in try CIFAR10Batch.read(from: path) }
        #expect(error == ImageDataError(file: path, problem: .labelOutOfRange(offset: 3_073, record: 1, label: 10, valid: 0...9)))
        #expect(error?.description == "\(path): at byte 3073: label of example 1 is 10, expected 0...9")
    }
}
