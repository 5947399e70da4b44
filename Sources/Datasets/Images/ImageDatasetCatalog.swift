import Foundation

/// The image data sets Equilibrium knows by name, and where it looks for them. Nothing is
/// downloaded: the files come from a Debian package (Fashion-MNIST) or from a directory the
/// user supplies (MNIST, EMNIST-style IDX sets, CIFAR-10's binary version).
public struct KnownImageDataset: Sendable, Equatable {
    public let name: String
    /// One line on what it is.
    public let summary: String
    /// The training files, in loading order (an IDX pair, or CIFAR-10's five batches); each
    /// may also be found with or without a `.gz` suffix.
    public let trainFiles: [String]
    public let testFiles: [String]
    /// Directories searched (after any given by the user), most specific first.
    public let defaultDirectories: [String]
    /// How to get the files when they are missing.
    public let installHint: String

    /// Every file the set needs.
    public var allFiles: [String] { trainFiles + testFiles }
}

/// A data set's files as found on disk.
public struct LocatedImageDataset: Sendable, Equatable {
    public let dataset: KnownImageDataset
    public let directory: String
    /// Full paths, in the order of `trainFiles` and `testFiles`.
    public let trainPaths: [String]
    public let testPaths: [String]
}

public enum ImageDatasetCatalog {
    /// Debian's `dataset-fashion-mnist` installs here (checked against the bookworm package).
    public static let debianFashionMNIST = "/usr/share/datasets/fashion-mnist"
    /// Extra search directories, separated by ':' (like PATH).
    public static let environmentVariable = "EQUILIBRIUM_DATA"

    public static let fashionMNIST = KnownImageDataset(
        name: "fashion-mnist", summary: "Fashion-MNIST: 60,000 + 10,000 grey 28×28 images, 10 classes (IDX)",
        trainFiles: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
        testFiles: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
        defaultDirectories: [debianFashionMNIST],
        installHint: "sudo apt-get install -y dataset-fashion-mnist   (installs \(debianFashionMNIST))")
    public static let mnist = KnownImageDataset(
        name: "mnist", summary: "MNIST: 60,000 + 10,000 grey 28×28 digits, 10 classes (IDX; not bundled)",
        trainFiles: ["train-images-idx3-ubyte", "train-labels-idx1-ubyte"],
        testFiles: ["t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"],
        defaultDirectories: [],
        installHint: "put the four IDX files (plain or .gz) in a directory and pass it with --dir or \(environmentVariable)")
    public static let cifar10 = KnownImageDataset(
        name: "cifar-10", summary: "CIFAR-10: 50,000 + 10,000 colour 32×32 images, 10 classes (binary version; not bundled)",
        trainFiles: (1...5).map { "data_batch_\($0).bin" }, testFiles: ["test_batch.bin"],
        defaultDirectories: [],
        installHint: "unpack cifar-10-binary.tar.gz and pass its cifar-10-batches-bin directory with --dir or \(environmentVariable)")

    public static let all = [fashionMNIST, mnist, cifar10]

    /// The directories searched for `dataset`: `extra` first, then those in the environment
    /// variable, then the set's defaults; a directory is also tried with the set's name appended.
    public static func searchDirectories(for dataset: KnownImageDataset, extra: [String] = [],
                                         environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        let fromEnvironment = (environment[environmentVariable] ?? "").split(separator: ":").map(String.init).filter { !$0.isEmpty }
        var result: [String] = []
        for base in extra + fromEnvironment {
            result += [base, (base as NSString).appendingPathComponent(dataset.name)]
        }
        return result + dataset.defaultDirectories
    }

    /// The first searched directory holding every file of `dataset` (each plain or `.gz`),
    /// or nil. Only existence is checked; the readers validate the contents.
    public static func locate(_ dataset: KnownImageDataset, extra: [String] = [],
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> LocatedImageDataset? {
        let files = FileManager.default
        for directory in searchDirectories(for: dataset, extra: extra, environment: environment) {
            func find(_ name: String) -> String? {
                [name, name + ".gz"].map { (directory as NSString).appendingPathComponent($0) }.first { files.fileExists(atPath: $0) }
            }
            let train = dataset.trainFiles.compactMap(find), test = dataset.testFiles.compactMap(find)
            if train.count == dataset.trainFiles.count && test.count == dataset.testFiles.count {
                return LocatedImageDataset(dataset: dataset, directory: directory, trainPaths: train, testPaths: test)
            }
        }
        return nil
    }

    /// Reads and validates a located set: (train, test) images and labels.
    public static func load(_ located: LocatedImageDataset) throws(ImageDataError) -> (train: LabeledImages, test: LabeledImages) {
        if located.dataset.name == cifar10.name {
            return (try LabeledImages.cifar10(batches: located.trainPaths), try LabeledImages.cifar10(batches: located.testPaths))
        }
        return (try LabeledImages.idx(images: located.trainPaths[0], labels: located.trainPaths[1], validLabels: 0...9),
                try LabeledImages.idx(images: located.testPaths[0], labels: located.testPaths[1], validLabels: 0...9))
    }
}
