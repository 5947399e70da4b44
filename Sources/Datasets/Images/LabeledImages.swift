import Tensor

/// Images with one class label each, ready for a GAN or a classifier: a Float32 tensor
/// [N, C, H, W] with pixels mapped from 0...255 to −1...1 (the range of a tanh generator's
/// output, so real and generated images are compared on the same scale), and the labels.
public struct LabeledImages: Sendable {
    /// [N, C, H, W], Float32, values in −1...1.
    public let images: Tensor
    public let labels: [Int]

    public init(images: Tensor, labels: [Int]) {
        precondition(images.rank == 4 && images.shape[0] == labels.count,
                     "LabeledImages: images of shape \(images.shape) do not match \(labels.count) labels")
        self.images = images
        self.labels = labels
    }

    public var count: Int { labels.count }

    /// A stored byte 0...255 as a pixel value −1...1 (0 → −1, 255 → 1, both exact).
    @inline(__always)
    public static func pixelValue(_ byte: UInt8) -> Float { Float(byte) / 127.5 - 1 }

    /// An MNIST-family set: an image IDX of unsigned bytes [N, rows, columns] and a label IDX
    /// of unsigned bytes [N] (MNIST, Fashion-MNIST, EMNIST; plain or gzip), as [N, 1, H, W].
    ///
    /// - Parameters:
    ///   - validLabels: when given, every label must lie in it (MNIST: 0...9; EMNIST letters:
    ///     1...26); otherwise any byte is a label, as the EMNIST splits differ.
    ///   - transposed: EMNIST stores each image transposed (column by column); true turns
    ///     them upright, so a [N, r, c] file gives [N, 1, c, r] images.
    public static func idx(images imagePath: String, labels labelPath: String,
                           validLabels: ClosedRange<Int>? = nil, transposed: Bool = false) throws(ImageDataError) -> LabeledImages {
        let (labelArray, labelsCompressed) = try IDXReader.readNotingCompression(from: labelPath)
        try expectUnsignedBytes(labelArray, rank: 1, dimensionNames: "[labels]", file: labelPath, decompressed: labelsCompressed)
        let (imageArray, imagesCompressed) = try IDXReader.readNotingCompression(from: imagePath)
        try expectUnsignedBytes(imageArray, rank: 3, dimensionNames: "[images, rows, columns]", file: imagePath, decompressed: imagesCompressed)
        let n = imageArray.shape[0]
        guard labelArray.shape[0] == n else {
            throw ImageDataError(file: imagePath, problem: .countMismatch(images: n, labels: labelArray.shape[0], labelFile: labelPath))
        }
        var labels: [Int] = []
        labels.reserveCapacity(n)
        for (index, byte) in labelArray.bytes.enumerated() {
            let label = Int(byte)
            if let validLabels, !validLabels.contains(label) {
                throw ImageDataError(file: labelPath, decompressed: labelsCompressed, problem: .labelOutOfRange(
                    offset: labelArray.headerLength + index, record: index, label: label, valid: validLabels))
            }
            labels.append(label)
        }
        return LabeledImages(images: imageTensor(imageArray, transposed: transposed), labels: labels)
    }

    /// An image IDX of unsigned bytes [N, rows, columns] without a label file, as
    /// [N, 1, H, W] with every label 0 (plain or gzip; `transposed` as in
    /// `idx(images:labels:validLabels:transposed:)`).
    public static func idx(images imagePath: String, transposed: Bool = false) throws(ImageDataError) -> LabeledImages {
        let (imageArray, imagesCompressed) = try IDXReader.readNotingCompression(from: imagePath)
        try expectUnsignedBytes(imageArray, rank: 3, dimensionNames: "[images, rows, columns]", file: imagePath, decompressed: imagesCompressed)
        return LabeledImages(images: imageTensor(imageArray, transposed: transposed), labels: [Int](repeating: 0, count: imageArray.shape[0]))
    }

    /// A checked [N, rows, columns] unsigned-byte IDX array as [N, 1, H, W] pixel values.
    private static func imageTensor(_ imageArray: IDXArray, transposed: Bool) -> Tensor {
        let n = imageArray.shape[0]
        let rows = imageArray.shape[1], columns = imageArray.shape[2]
        let (height, width) = transposed ? (columns, rows) : (rows, columns)
        let plane = rows * columns
        var images = Tensor.zeros([n, 1, height, width])
        imageArray.bytes.withUnsafeBufferPointer { source in
            images.withUnsafeMutableBufferPointer(as: Float.self) { target in
                for image in 0..<n {
                    let base = image * plane
                    if transposed {
                        // upright[y][x] = stored[x][y], the stored image being rows × columns.
                        for y in 0..<height {
                            for x in 0..<width { target[base + y * width + x] = pixelValue(source[base + x * columns + y]) }
                        }
                    } else {
                        for i in base..<(base + plane) { target[i] = pixelValue(source[i]) }
                    }
                }
            }
        }
        return images
    }

    /// CIFAR-10 batch files (plain or gzip), concatenated in the order given, as
    /// [N, 3, 32, 32] (the files' channel-planar layout is already NCHW).
    public static func cifar10(batches paths: [String]) throws(ImageDataError) -> LabeledImages {
        precondition(!paths.isEmpty, "LabeledImages.cifar10: no batch files given")
        var batches: [CIFAR10Batch] = []
        for path in paths { batches.append(try CIFAR10Batch.read(from: path)) }
        return cifar10(batches)
    }

    /// Already-read CIFAR-10 batches, concatenated, as [N, 3, 32, 32].
    public static func cifar10(_ batches: [CIFAR10Batch]) -> LabeledImages {
        let n = batches.reduce(0) { $0 + $1.count }
        let size = CIFAR10Batch.imageSize
        var images = Tensor.zeros([n, CIFAR10Batch.channels, CIFAR10Batch.side, CIFAR10Batch.side])
        images.withUnsafeMutableBufferPointer(as: Float.self) { target in
            var image = 0
            for batch in batches {
                batch.records.withUnsafeBufferPointer { records in
                    for record in 0..<batch.count {
                        let source = record * CIFAR10Batch.recordSize + 1, destination = image * size
                        for i in 0..<size { target[destination + i] = pixelValue(records[source + i]) }
                        image += 1
                    }
                }
            }
        }
        return LabeledImages(images: images, labels: batches.flatMap(\.labels))
    }

    /// Throws unless `array` holds unsigned bytes in `rank` dimensions, naming the header
    /// byte (type code or dimension count) that says otherwise.
    private static func expectUnsignedBytes(_ array: IDXArray, rank: Int, dimensionNames: String, file: String,
                                            decompressed: Bool) throws(ImageDataError) {
        guard array.elementType == .uint8 else {
            throw ImageDataError(file: file, decompressed: decompressed, problem: .unexpectedLayout(
                offset: 2, expected: "elements of type \(IDXElementType.uint8)", found: "\(array.elementType)"))
        }
        guard array.shape.count == rank else {
            throw ImageDataError(file: file, decompressed: decompressed, problem: .unexpectedLayout(
                offset: 3, expected: "\(rank) dimension\(rank == 1 ? "" : "s") \(dimensionNames)",
                found: "\(array.shape.count): \(array.shape)"))
        }
    }
}
