import Datasets
import Foundation

/// Image data named in a config (`data.images`):
/// - a known set ("fashion-mnist", "mnist", "cifar-10", found by `ImageDatasetCatalog`);
/// - "stacked-<known set>" ("stacked-mnist", "stacked-fashion-mnist"): Stacked MNIST
///   (`benchmarks.md` §5), three random images of the pooled train and test splits as the RGB
///   channels of each sample, drawn per batch; its 1,000 modes are the label triples;
/// - a path: an IDX directory or file, a CIFAR-10 batch directory, or a folder of PNGs
///   (`ImageSource`), PNGs resized to `image_size` with `image_channels`.
/// Each is read and validated once per process, then shared by every run that names it.
public struct ResolvedImageData: Sendable {
    /// What the GAN learns from.
    public let distribution: any Distribution
    /// The training split as labelled images (nil for stacked data, which is drawn lazily).
    public let train: LabeledImages?
    /// The held-out split, when the source has one (the reference of FCD and precision/recall).
    public let test: LabeledImages?
    /// For stacked data: the single-channel set whose labels make the triples.
    public let stackedFrom: String?
    /// For protocol lines: "fashion-mnist (train 60000)".
    public let description: String
}

public enum ImageData {
    private static let cache = ImageDataCache()

    public static let stackedPrefix = "stacked-"

    /// Locates and reads `source`; the error says what was searched and how to get the files.
    /// `pngSize` and `pngChannels` apply to PNG folders only.
    public static func resolve(_ source: String, pngSize: Int = 32, pngChannels: Int = 3) throws(GANConfigError) -> ResolvedImageData {
        let cacheKey = "\(source)|\(pngSize)|\(pngChannels)"
        if let cached = cache.value(for: cacheKey) { return cached }
        let resolved: ResolvedImageData
        if source.lowercased().hasPrefix(stackedPrefix) {
            resolved = try stacked(String(source.dropFirst(stackedPrefix.count)))
        } else if isKnown(source) {
            resolved = try load(source)
        } else {
            resolved = try loadPath(source, pngSize: pngSize, pngChannels: pngChannels)
        }
        cache.store(resolved, for: cacheKey)
        return resolved
    }

    /// Whether `source` can be found, without reading it (config validation).
    public static func check(_ source: String) throws(GANConfigError) {
        let base = source.lowercased().hasPrefix(stackedPrefix) ? String(source.dropFirst(stackedPrefix.count)) : source
        if isKnown(base) {
            _ = try locate(base)
        } else {
            do { _ = try ImageSource.detect(base) } catch { throw .invalid("data.images", "\(error)") }
        }
    }

    static func isKnown(_ name: String) -> Bool { catalogEntry(name) != nil }

    static func catalogEntry(_ name: String) -> KnownImageDataset? {
        ImageDatasetCatalog.all.first { $0.name == name.lowercased() }
    }

    static func stacked(_ base: String) throws(GANConfigError) -> ResolvedImageData {
        let resolved = try resolve(base)
        guard let train = resolved.train else { throw .invalid("data.images", "cannot stack '\(base)', which is itself drawn lazily") }
        do {
            let pool = try StackedImagePool(pooling: [train] + (resolved.test.map { [$0] } ?? []))
            return ResolvedImageData(distribution: pool, train: nil, test: nil, stackedFrom: base,
                                     description: "stacked \(base) (pool \(pool.poolCount))")
        } catch {
            throw .invalid("data.images", "stacked \(base): \(error)")
        }
    }

    static func loadPath(_ path: String, pngSize: Int, pngChannels: Int) throws(GANConfigError) -> ResolvedImageData {
        do {
            let loaded = try ImageSource.detect(path).load(pngSize: pngSize, pngChannels: pngChannels)
            return ResolvedImageData(distribution: ImageDistribution(loaded.train, name: loaded.description), train: loaded.train,
                                     test: loaded.test, stackedFrom: nil, description: loaded.description)
        } catch {
            throw .invalid("data.images", "\(error)")
        }
    }

    static func known(_ name: String) throws(GANConfigError) -> KnownImageDataset {
        guard let known = catalogEntry(name) else {
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
            let description = "\(located.dataset.name) (train \(train.count))"
            return ResolvedImageData(distribution: ImageDistribution(train, name: description), train: train, test: test,
                                     stackedFrom: nil, description: description)
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
