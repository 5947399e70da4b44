import Foundation
import Testing
import Datasets

@Suite struct ImageDatasetCatalogTests {
    private func temporaryDirectory() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("catalog-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test func searchOrderIsUserThenEnvironmentThenDefaults() {
        let dirs = ImageDatasetCatalog.searchDirectories(for: ImageDatasetCatalog.fashionMNIST, extra: ["/a"],
                                                         environment: [ImageDatasetCatalog.environmentVariable: "/b::/c"])
        #expect(dirs == ["/a", "/a/fashion-mnist", "/b", "/b/fashion-mnist", "/c", "/c/fashion-mnist", "/usr/share/datasets/fashion-mnist"])
        #expect(ImageDatasetCatalog.searchDirectories(for: ImageDatasetCatalog.mnist, environment: [:]).isEmpty)
    }

    @Test func locatesPlainOrGzipFilesAndNeedsAllOfThem() throws {
        let root = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let set = ImageDatasetCatalog.mnist
        let directory = (root as NSString).appendingPathComponent("mnist")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (i, name) in set.allFiles.enumerated() {
            let file = (directory as NSString).appendingPathComponent(i.isMultiple(of: 2) ? name + ".gz" : name)
            _ = FileManager.default.createFile(atPath: file, contents: Data([0]))
        }
        let found = try #require(ImageDatasetCatalog.locate(set, extra: [root], environment: [:]))
        #expect(found.directory == directory)
        #expect(found.trainPaths == [directory + "/train-images-idx3-ubyte.gz", directory + "/train-labels-idx1-ubyte"])
        #expect(found.testPaths == [directory + "/t10k-images-idx3-ubyte.gz", directory + "/t10k-labels-idx1-ubyte"])
        try FileManager.default.removeItem(atPath: found.testPaths[1])
        #expect(ImageDatasetCatalog.locate(set, extra: [root], environment: [:]) == nil)
    }

    @Test func loadsALocatedCIFARSetAndReportsCorruption() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // One record per batch: label = batch index, every pixel byte 255.
        for (k, name) in ImageDatasetCatalog.cifar10.allFiles.enumerated() {
            let record = [UInt8(k % 10)] + [UInt8](repeating: 255, count: 3072)
            _ = FileManager.default.createFile(atPath: (directory as NSString).appendingPathComponent(name), contents: Data(record))
        }
        let found = try #require(ImageDatasetCatalog.locate(ImageDatasetCatalog.cifar10, extra: [directory], environment: [:]))
        let (train, test) = try ImageDatasetCatalog.load(found)
        #expect(train.labels == [0, 1, 2, 3, 4] && test.labels == [5])
        #expect(train.images.shape == [5, 3, 32, 32] && train.images.doubles.allSatisfy { $0 == 1 })
        // A partial record in the test batch is an error naming that file.
        _ = FileManager.default.createFile(atPath: found.testPaths[0], contents: Data([1, 2, 3]))
        #expect { try ImageDatasetCatalog.load(found) } throws: { "\($0)".contains("test_batch.bin") }
    }
}
