import Foundation
import Testing
import Datasets

/// `count` 2 × 3 unsigned-byte images as an IDX file, pixel values 10 · image + position.
private func idxImages(_ count: Int) -> [UInt8] {
    IDXArray(elementType: .uint8, shape: [count, 2, 3], bytes: (0..<(count * 6)).map { UInt8(10 * ($0 / 6) + $0 % 6) }).encoded()
}

private func idxLabels(_ labels: [UInt8]) -> [UInt8] {
    IDXArray(elementType: .uint8, shape: [labels.count], bytes: labels).encoded()
}

/// A CIFAR-10 record: the label, then 3,072 pixel bytes all `value`.
private func cifarRecord(_ label: UInt8, _ value: UInt8) -> [UInt8] {
    [label] + [UInt8](repeating: value, count: 3_072)
}

private func detect(_ path: String) -> ImageDataError? {
    caughtImageError { () throws(ImageDataError) in try ImageSource.detect(path) }
}

@Suite struct ImageSourceTests {
    @Test func mnistStyleDirectoryWithAndWithoutTestSplit() throws {
        let scratch = PNGScratchDirectory("idxset")
        let trainImages = scratch.write(idxImages(3), as: "train-images-idx3-ubyte.gz")  // plain bytes: gzip is known by its magic
        let trainLabels = scratch.write(idxLabels([4, 0, 9]), as: "train-labels-idx1-ubyte")
        scratch.write([1, 2, 3], as: "README")
        let trainOnly = try ImageSource.detect(scratch.path)
        #expect(trainOnly.layout == .idxSet(trainImages: trainImages, trainLabels: trainLabels, testImages: nil, testLabels: nil))
        #expect(trainOnly.description.contains("MNIST-style IDX set") && trainOnly.description.contains("no test split"))
        let testImages = scratch.write(idxImages(2), as: "t10k-images-idx3-ubyte")
        let testLabels = scratch.write(idxLabels([1, 2]), as: "t10k-labels-idx1-ubyte")
        let both = try ImageSource.detect(scratch.path)
        #expect(both.layout == .idxSet(trainImages: trainImages, trainLabels: trainLabels, testImages: testImages, testLabels: testLabels))
        let loaded = try both.load()
        #expect(loaded.train.labels == [4, 0, 9] && loaded.train.images.shape == [3, 1, 2, 3])
        #expect(loaded.test?.labels == [1, 2])
        #expect(loaded.description.hasSuffix("train 3 × [1, 2, 3], test 2 × [1, 2, 3]"))
    }

    @Test func halfAPairIsAnErrorNotAFallback() {
        let scratch = PNGScratchDirectory("half")
        scratch.write(idxImages(3), as: "train-images-idx3-ubyte")
        scratch.write(TestPNG.encode(width: 1, height: 1, bitDepth: 8, colorType: 0, samples: [1]), as: "a.png")
        let error = detect(scratch.path)
        #expect(error?.problem == .folderLayout(reason: "train-images-idx3-ubyte is here but train-labels-idx1-ubyte (plain or .gz) is not"))
    }

    @Test func cifarDirectoryOrdersBatchesByNumber() throws {
        let scratch = PNGScratchDirectory("cifar")
        for n in [2, 10, 1] { scratch.write(cifarRecord(UInt8(n % 10), UInt8(n)), as: "data_batch_\(n).bin") }
        let source = try ImageSource.detect(scratch.path)
        #expect(source.layout == .cifar10(trainBatches: [1, 2, 10].map { scratch.path + "/data_batch_\($0).bin" }, testBatch: nil))
        let test = scratch.write(cifarRecord(7, 255), as: "test_batch.bin.gz")
        let withTest = try ImageSource.detect(scratch.path)
        #expect(withTest.layout == .cifar10(trainBatches: [1, 2, 10].map { scratch.path + "/data_batch_\($0).bin" }, testBatch: test))
        let loaded = try withTest.load()
        #expect(loaded.train.labels == [1, 2, 0] && loaded.train.images.shape == [3, 3, 32, 32] && loaded.test?.labels == [7])
    }

    @Test func pngFolderIsLoadedAtTheAskedSize() throws {
        let scratch = PNGScratchDirectory("pngs")
        scratch.write(TestPNG.encode(width: 2, height: 2, bitDepth: 8, colorType: 0, samples: [0, 0, 0, 0]), as: "cats/a.png")
        scratch.write(TestPNG.encode(width: 2, height: 2, bitDepth: 8, colorType: 0, samples: [255, 255, 255, 255]), as: "dogs/b.png")
        let source = try ImageSource.detect(scratch.path)
        guard case let .pngFolder(folder) = source.layout else { Issue.record("expected a PNG folder, got \(source.layout)"); return }
        #expect(folder.classNames == ["cats", "dogs"])
        #expect(source.description.contains("2 images, 2 class subdirectories (cats, dogs)"))
        let loaded = try source.load(pngSize: 3, pngChannels: 1)
        #expect(loaded.train.images.shape == [2, 1, 3, 3] && loaded.train.labels == [0, 1] && loaded.test == nil)
        #expect(loaded.train.images.doubles == [Double](repeating: -1, count: 9) + [Double](repeating: 1, count: 9))
        #expect(loaded.description.contains("centre-cropped"))
    }

    @Test func singleIDXFileFindsItsLabelsBesideIt() throws {
        let scratch = PNGScratchDirectory("single")
        let images = scratch.write(idxImages(2), as: "emnist-letters-train-images-idx3-ubyte")
        let unlabelled = try ImageSource.detect(images)
        #expect(unlabelled.layout == .idxFile(images: images, labels: nil))
        #expect(try unlabelled.load().train.labels == [0, 0])
        let labels = scratch.write(idxLabels([26, 3]), as: "emnist-letters-train-labels-idx1-ubyte.gz")
        let labelled = try ImageSource.detect(images)
        #expect(labelled.layout == .idxFile(images: images, labels: labels))
        let loaded = try labelled.load()
        #expect(loaded.train.labels == [26, 3] && loaded.test == nil && loaded.train.images.shape == [2, 1, 2, 3])
        // A file named otherwise is still recognised by its magic.
        let renamed = scratch.write(idxImages(1), as: "digits.bin")
        #expect(try ImageSource.detect(renamed).layout == .idxFile(images: renamed, labels: nil))
    }

    @Test func unknownContentListsWhatWasLookedFor() {
        let scratch = PNGScratchDirectory("unknown")
        let empty = detect(scratch.path)
        #expect(empty?.problem == .unrecognisedSource(lookedFor: ImageSource.lookedFor, found: "an empty directory"))
        scratch.write([1], as: "a.jpg")
        scratch.folder("sub")
        let text = detect(scratch.path)?.description ?? ""
        #expect(text.contains("found a directory of 2 entries (a.jpg, sub/)"))
        for looked in ["train-images-idx3-ubyte", "data_batch_1.bin", "*.png", "single IDX image file"] { #expect(text.contains(looked)) }
        let labelsOnly = scratch.write(idxLabels([1, 2]), as: "train-labels-idx1-ubyte")
        #expect(detect(labelsOnly)?.problem == .unrecognisedSource(lookedFor: ImageSource.lookedFor, found: "a file starting with 00 00 08 01"))
        let missing = detect(scratch.path + "/nothing")
        #expect(missing?.problem == .io(operation: "stat", reason: "No such file or directory"))
    }
}
