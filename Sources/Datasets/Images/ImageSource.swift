import Foundation

/// An image data set at a path the user gave, its layout recognised from what is there.
///
/// Tried in this order:
/// 1. a directory holding MNIST's training pair `train-images-idx3-ubyte` and
///    `train-labels-idx1-ubyte` (each plain or `.gz`), with the test pair `t10k-…` when present:
///    MNIST, Fashion-MNIST, KMNIST and every other set that uses MNIST's names;
/// 2. a directory holding CIFAR-10 binary batches `data_batch_<n>.bin` (plain or `.gz`, in
///    the order of n), with `test_batch.bin` when present;
/// 3. a directory of `*.png` images, flat or one subdirectory per class (`ImageFolder`);
/// 4. a single IDX image file (whatever its name: recognised by its magic 00 00 08 03,
///    unsigned bytes [N, rows, columns], plain or gzip), labelled by the file beside it whose
///    name has `labels-idx1-ubyte` for its `images-idx3-ubyte` (or `labels.idx1-ubyte` for
///    `images.idx3-ubyte`), plain or `.gz`; every label is 0 when there is no such file.
///
/// Detection looks at names (and a single file's first four bytes) only; `load` reads and
/// validates the contents. A half-present pair (images without labels, or the reverse) is an
/// error rather than a fallback to another layout.
public struct ImageSource: Sendable, Equatable, CustomStringConvertible {
    public enum Layout: Sendable, Equatable {
        case idxSet(trainImages: String, trainLabels: String, testImages: String?, testLabels: String?)
        case cifar10(trainBatches: [String], testBatch: String?)
        case idxFile(images: String, labels: String?)
        case pngFolder(ImageFolder)
    }

    /// The path as given.
    public let path: String
    public let layout: Layout

    /// The layouts tried, in order, as the error for an unrecognised path lists them.
    public static let lookedFor = [
        "a directory with train-images-idx3-ubyte and train-labels-idx1-ubyte, plain or .gz (an MNIST-style IDX set; t10k-… files add a test split)",
        "a directory with CIFAR-10 batches data_batch_1.bin, data_batch_2.bin, …, plain or .gz (test_batch.bin adds a test split)",
        "a directory of *.png images, flat or in one subdirectory per class",
        "a single IDX image file (magic 00 00 08 03: unsigned bytes [N, rows, columns]), plain or gzip",
    ]

    /// Recognises the data set at `path`.
    public static func detect(_ path: String) throws(ImageDataError) -> ImageSource {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageDataError(file: path, problem: .io(operation: "stat", reason: "No such file or directory"))
        }
        if !isDirectory.boolValue { return try detectFile(path) }

        let (files, directories) = try ImageFolder.listing(path)
        let names = Set(files)
        func find(_ name: String) -> String? {
            [name, name + ".gz"].first(where: names.contains).map { join(path, $0) }
        }
        func pair(_ images: String, _ labels: String) throws(ImageDataError) -> (String, String)? {
            switch (find(images), find(labels)) {
            case let (image?, label?): return (image, label)
            case (nil, nil): return nil
            case (_?, nil):
                throw ImageDataError(file: path, problem: .folderLayout(reason: "\(images) is here but \(labels) (plain or .gz) is not"))
            case (nil, _?):
                throw ImageDataError(file: path, problem: .folderLayout(reason: "\(labels) is here but \(images) (plain or .gz) is not"))
            }
        }
        let idx = ImageDatasetCatalog.mnist
        if let train = try pair(idx.trainFiles[0], idx.trainFiles[1]) {
            let test = try pair(idx.testFiles[0], idx.testFiles[1])
            return ImageSource(path: path, layout: .idxSet(trainImages: train.0, trainLabels: train.1,
                                                           testImages: test?.0, testLabels: test?.1))
        }

        let batches = files.compactMap { name -> (number: Int, name: String)? in
            let stem = name.hasSuffix(".gz") ? String(name.dropLast(3)) : name
            guard stem.hasPrefix("data_batch_"), stem.hasSuffix(".bin"),
                  let number = Int(stem.dropFirst("data_batch_".count).dropLast(".bin".count)) else { return nil }
            return (number, name)
        }.sorted { ($0.number, $0.name) < ($1.number, $1.name) }
        if !batches.isEmpty {
            return ImageSource(path: path, layout: .cifar10(trainBatches: batches.map { join(path, $0.name) },
                                                            testBatch: find("test_batch.bin")))
        }

        let hasPNG: (String) -> Bool = { $0.lowercased().hasSuffix(".png") }
        var pngsBelow = false
        for directory in directories where !pngsBelow {
            pngsBelow = (try? ImageFolder.listing(join(path, directory)).files.contains(where: hasPNG)) ?? false
        }
        if files.contains(where: hasPNG) || pngsBelow {
            return ImageSource(path: path, layout: .pngFolder(try ImageFolder.scan(path)))
        }

        let entries = files + directories.map { $0 + "/" }
        let found = entries.isEmpty ? "an empty directory"
            : "a directory of \(entries.count) entr\(entries.count == 1 ? "y" : "ies") (\(entries.prefix(5).joined(separator: ", "))\(entries.count > 5 ? ", …" : ""))"
        throw ImageDataError(file: path, problem: .unrecognisedSource(lookedFor: lookedFor, found: found))
    }

    private static func detectFile(_ path: String) throws(ImageDataError) -> ImageSource {
        let stream = try ContentStream(path: path)
        let start = try stream.read(upTo: 4)
        guard start == [0x00, 0x00, 0x08, 0x03] else {
            let found = "a file starting with \(ImageDataError.hex(start))\(stream.isGzip ? " (after gzip decompression)" : "")"
            throw ImageDataError(file: path, problem: .unrecognisedSource(lookedFor: lookedFor, found: found))
        }
        // The directory part as the user spelled it, so the label path reads like the image path.
        let name = path.split(separator: "/").last.map(String.init) ?? path
        let directory = String(path.dropLast(name.count))
        var labels: String?
        for (images, labelPart) in [("images-idx3-ubyte", "labels-idx1-ubyte"), ("images.idx3-ubyte", "labels.idx1-ubyte")]
            where labels == nil && name.contains(images) {
            let stem = name.replacingOccurrences(of: images, with: labelPart)
            let base = stem.hasSuffix(".gz") ? String(stem.dropLast(3)) : stem
            labels = [base, base + ".gz"].map { directory + $0 }.first { FileManager.default.fileExists(atPath: $0) }
        }
        return ImageSource(path: path, layout: .idxFile(images: path, labels: labels))
    }

    private static func join(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    private static func names(_ paths: [String]) -> String {
        paths.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ")
    }

    /// What was found, without reading it.
    public var description: String {
        switch layout {
        case let .idxSet(trainImages, trainLabels, testImages, testLabels):
            let test = testImages.map { "test (\(Self.names([$0, testLabels!])))" } ?? "no test split"
            return "MNIST-style IDX set in \(path): train (\(Self.names([trainImages, trainLabels]))), \(test)"
        case let .cifar10(trainBatches, testBatch):
            let test = testBatch.map { "test (\(Self.names([$0])))" } ?? "no test split"
            return "CIFAR-10 batches in \(path): train (\(Self.names(trainBatches))), \(test)"
        case let .idxFile(images, labels):
            return "IDX image file \(images), " + (labels.map { "labels from \($0)" } ?? "no label file beside it (every label 0)")
        case let .pngFolder(folder):
            let layout = folder.classNames.isEmpty ? "flat, every label 0"
                : "\(folder.classNames.count) class subdirectories (\(folder.classNames.prefix(10).joined(separator: ", "))\(folder.classNames.count > 10 ? ", …" : ""))"
            return "PNG folder \(path): \(folder.entries.count) image\(folder.entries.count == 1 ? "" : "s"), \(layout)"
        }
    }

    /// Reads and validates the set: the training split, and the test split when the layout
    /// has one. PNG folders are centre-cropped and resized to `pngSize` × `pngSize` with
    /// `pngChannels` (1 or 3) channels (`ImageFolder.load`); the other layouts keep the size
    /// and channels their files store. Labels are not range-checked (any byte is a label).
    public func load(pngSize: Int = 32, pngChannels: Int = 3) throws(ImageDataError) -> LoadedImageSource {
        let train: LabeledImages, test: LabeledImages?
        switch layout {
        case let .idxSet(trainImages, trainLabels, testImages, testLabels):
            train = try LabeledImages.idx(images: trainImages, labels: trainLabels)
            if let testImages, let testLabels { test = try LabeledImages.idx(images: testImages, labels: testLabels) } else { test = nil }
        case let .cifar10(trainBatches, testBatch):
            train = try LabeledImages.cifar10(batches: trainBatches)
            if let testBatch { test = try LabeledImages.cifar10(batches: [testBatch]) } else { test = nil }
        case let .idxFile(images, labels):
            if let labels { train = try LabeledImages.idx(images: images, labels: labels) } else { train = try LabeledImages.idx(images: images) }
            test = nil
        case let .pngFolder(folder):
            train = try folder.load(size: pngSize, channels: pngChannels)
            test = nil
        }
        return LoadedImageSource(source: self, train: train, test: test,
                                 resampled: { if case .pngFolder = layout { true } else { false } }())
    }
}

/// A recognised data set, read: its splits and a one-line account of them.
public struct LoadedImageSource: Sendable {
    public let source: ImageSource
    public let train: LabeledImages
    /// The test split, when the layout has one.
    public let test: LabeledImages?
    /// Whether the images were cropped and resized (PNG folders).
    public let resampled: Bool

    /// What was found and read: layout, path, and each split's count and image shape.
    public var description: String {
        func split(_ name: String, _ set: LabeledImages) -> String {
            "\(name) \(set.count) × \(Array(set.images.shape.dropFirst()))"
        }
        let splits = [split("train", train)] + (test.map { [split("test", $0)] } ?? [])
        return "\(source): " + splits.joined(separator: ", ")
            + (resampled ? " (centre-cropped; area-averaged down or bilinear up)" : "")
    }
}
