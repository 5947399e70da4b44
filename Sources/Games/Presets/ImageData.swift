import Datasets
import Foundation

/// Image data named in a config (`data.images`): a known set ("fashion-mnist", "mnist",
/// "cifar-10", found by `ImageDatasetCatalog`). Each set is read and validated once per
/// process, then shared by every run that names it.
public struct ResolvedImageData: Sendable {
    public let train: LabeledImages
    /// The held-out split, when the source has one (the reference of FCD and precision/recall).
    public let test: LabeledImages?
    /// For protocol lines: "fashion-mnist (train 60,000, /usr/share/datasets/fashion-mnist)".
    public let description: String
}

public enum ImageData {
    private static let cache = ImageDataCache()

    /// Locates and reads `source`; the error says what was searched and how to get the files.
    public static func resolve(_ source: String) throws(GANConfigError) -> ResolvedImageData {
        if let cached = cache.value(for: source) { return cached }
        let resolved = try load(source)
        cache.store(resolved, for: source)
        return resolved
    }

    /// Whether `source` can be found, without reading it (config validation).
    public static func check(_ source: String) throws(GANConfigError) {
        if cache.value(for: source) != nil { return }
        _ = try locate(source)
    }

    static func known(_ name: String) throws(GANConfigError) -> KnownImageDataset {
        guard let known = ImageDatasetCatalog.all.first(where: { $0.name == name.lowercased() }) else {
            throw .invalid("data.images", "unknown image data set '\(name)'; use \(ImageDatasetCatalog.all.map(\.name).joined(separator: ", "))")
        }
        return known
    }

    static func locate(_ source: String) throws(GANConfigError) -> LocatedImageDataset {
        let dataset = try known(source)
        guard let located = ImageDatasetCatalog.locate(dataset) else {
            let searched = ImageDatasetCatalog.searchDirectories(for: dataset)
            throw .invalid("data.images", "\(dataset.name) not found (searched \(searched.isEmpty ? "nothing" : searched.joined(separator: ", "))). \(dataset.installHint)")
        }
        return located
    }

    static func load(_ source: String) throws(GANConfigError) -> ResolvedImageData {
        let located = try locate(source)
        do {
            let (train, test) = try ImageDatasetCatalog.load(located)
            return ResolvedImageData(train: train, test: test,
                                     description: "\(located.dataset.name) (train \(train.count))")
        } catch {
            throw .invalid("data.images", "\(error)")
        }
    }
}

/// The process-wide cache behind `ImageData.resolve` (a lock around a dictionary).
private final class ImageDataCache: @unchecked Sendable {
    private let lock = NSLock()
    private var values: [String: ResolvedImageData] = [:]

    func value(for key: String) -> ResolvedImageData? {
        lock.lock()
        defer { lock.unlock() }
        return values[key]
    }

    func store(_ value: ResolvedImageData, for key: String) {
        lock.lock()
        defer { lock.unlock() }
        values[key] = value
    }
}
