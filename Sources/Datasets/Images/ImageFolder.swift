import Foundation
import Tensor

/// A directory of PNG images, as a labelled set.
///
/// Layout:
/// - **class subdirectories**: when the directory holds any (non-hidden) subdirectory, each
///   subdirectory is a class, labelled 0, 1, ... in the sorted order of their names, and holds
///   that class's `*.png` files. Deeper directories are not searched. A class subdirectory
///   without PNGs, or PNGs lying beside the class subdirectories, is an error (the layout
///   would otherwise drop or mislabel images silently).
/// - **flat**: otherwise the directory's own `*.png` files, all labelled 0.
///
/// Files are taken in sorted name order (plain string order: `10.png` before `2.png`), so a
/// directory always loads the same way. `.png` matches in any case; hidden entries (names
/// starting with ".") and other files are ignored.
public struct ImageFolder: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public let path: String
        public let label: Int
    }

    public let directory: String
    /// The class subdirectories' names in label order; empty for a flat folder.
    public let classNames: [String]
    /// Every image file with its label, in loading order (class by class, then by name).
    public let entries: [Entry]

    /// Finds the images of the directory at `path` (nothing is decoded yet).
    public static func scan(_ path: String) throws(ImageDataError) -> ImageFolder {
        let (files, directories) = try listing(path)
        if directories.isEmpty {
            let images = files.filter(isPNG)
            guard !images.isEmpty else {
                throw ImageDataError(file: path, problem: .noImageFiles(expected: "*.png files in the directory, or class subdirectories holding them"))
            }
            return ImageFolder(directory: path, classNames: [], entries: images.map { Entry(path: join(path, $0), label: 0) })
        }
        let loose = files.filter(isPNG)
        guard loose.isEmpty else {
            throw ImageDataError(file: path, problem: .folderLayout(reason:
                "\(loose.count) *.png file\(loose.count == 1 ? "" : "s") (first: \(loose[0])) lie beside class subdirectories "
                + "(\(directories.joined(separator: ", "))); move them into a class subdirectory, or the subdirectories out"))
        }
        var entries: [Entry] = []
        for (label, name) in directories.enumerated() {
            let classPath = join(path, name)
            let images = try listing(classPath).files.filter(isPNG)
            guard !images.isEmpty else {
                throw ImageDataError(file: classPath, problem: .noImageFiles(
                    expected: "*.png files in class subdirectory \"\(name)\" (label \(label) of \(directories.count))"))
            }
            entries += images.map { Entry(path: join(classPath, $0), label: label) }
        }
        return ImageFolder(directory: path, classNames: directories, entries: entries)
    }

    /// Decodes every image, centre-crops it to a square, resizes it to `size` × `size` and
    /// converts it to `channels` (1: luma; 3: RGB), as [N, channels, size, size] in −1...1.
    /// See `PNGImage.squareResized(side:channels:)` for the resampling.
    public func load(size: Int, channels: Int) throws(ImageDataError) -> LabeledImages {
        precondition(size > 0, "ImageFolder.load: size must be positive, got \(size)")
        precondition(channels == 1 || channels == 3, "ImageFolder.load: channels must be 1 or 3, got \(channels)")
        let plane = channels * size * size
        var images = Tensor.zeros([entries.count, channels, size, size])
        for (index, entry) in entries.enumerated() {
            let values = try PNGDecoder.read(from: entry.path).squareResized(side: size, channels: channels)
            images.withUnsafeMutableBufferPointer(as: Float.self) { target in
                for i in 0..<plane { target[index * plane + i] = values[i] / 127.5 - 1 }
            }
        }
        return LabeledImages(images: images, labels: entries.map(\.label))
    }

    private static func isPNG(_ name: String) -> Bool { name.lowercased().hasSuffix(".png") }

    private static func join(_ directory: String, _ name: String) -> String {
        (directory as NSString).appendingPathComponent(name)
    }

    /// The non-hidden plain files and subdirectories of `path`, each sorted by name.
    static func listing(_ path: String) throws(ImageDataError) -> (files: [String], directories: [String]) {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ImageDataError(file: path, problem: .io(operation: "list directory", reason: "No such file or directory"))
        }
        guard isDirectory.boolValue else {
            throw ImageDataError(file: path, problem: .io(operation: "list directory", reason: "Not a directory"))
        }
        let names: [String]
        do {
            names = try manager.contentsOfDirectory(atPath: path)
        } catch {
            throw ImageDataError(file: path, problem: .io(operation: "list directory", reason: "\(error.localizedDescription)"))
        }
        var files: [String] = [], directories: [String] = []
        for name in names.sorted() where !name.hasPrefix(".") {
            var entryIsDirectory: ObjCBool = false
            guard manager.fileExists(atPath: join(path, name), isDirectory: &entryIsDirectory) else { continue }  // a dangling link
            if entryIsDirectory.boolValue { directories.append(name) } else { files.append(name) }
        }
        return (files, directories)
    }
}

extension LabeledImages {
    /// The PNG images of a directory (flat, label 0; or one subdirectory per class), each
    /// centre-cropped to a square and resized to `size` × `size`, with `channels` 1 (luma) or
    /// 3 (RGB): [N, channels, size, size] in −1...1. See `ImageFolder` for the layout rules.
    public static func folder(path: String, size: Int, channels: Int) throws(ImageDataError) -> LabeledImages {
        try ImageFolder.scan(path).load(size: size, channels: channels)
    }
}

extension PNGImage {
    /// The image centre-cropped to a square, resized to `side` × `side` and converted to
    /// `channels`, as channel-planar Floats on the byte scale 0...255 (not rounded).
    ///
    /// - Crop: the largest centred square, its left (top) edge at ⌊(width − s) / 2⌋
    ///   (⌊(height − s) / 2⌋) for s = min(width, height): an odd excess leaves the extra
    ///   column (row) on the right (bottom).
    /// - Shrinking (s > side): **area averaging**: each output pixel is the mean of the source
    ///   square it covers, partial source pixels weighted by the covered fraction (PIL's BOX
    ///   filter, OpenCV's INTER_AREA).
    /// - Enlarging (s < side): **bilinear** interpolation between pixel centres: output pixel i
    ///   samples source coordinate (i + ½) · s / side − ½, clamped to the edge pixels
    ///   (`align_corners = false`).
    /// - Channels: 1 from colour is luma 0.299 R + 0.587 G + 0.114 B (ITU-R BT.601, as PIL's
    ///   "L" but unrounded); 3 from grey repeats the grey value.
    ///
    /// Both axes use the same separable weights, so each output is a convex combination of
    /// source pixels: values stay within the source's range.
    public func squareResized(side: Int, channels outputChannels: Int) -> [Float] {
        precondition(side > 0, "squareResized: side must be positive, got \(side)")
        precondition(outputChannels == 1 || outputChannels == 3, "squareResized: channels must be 1 or 3, got \(outputChannels)")
        let s = min(width, height)
        let left = (width - s) / 2, top = (height - s) / 2
        let weights = PNGImage.resamplingWeights(from: s, to: side)

        // The cropped square of each output channel, as Floats.
        var source = [Float](repeating: 0, count: s * s)
        var result = [Float](repeating: 0, count: outputChannels * side * side)
        var rows = [Float](repeating: 0, count: s * side)  // after resampling along x
        for channel in 0..<outputChannels {
            for y in 0..<s {
                for x in 0..<s {
                    let p = ((top + y) * width + left + x) * channels
                    let value: Float
                    if channels == 1 {
                        value = Float(pixels[p])
                    } else if outputChannels == 3 {
                        value = Float(pixels[p + channel])
                    } else {
                        value = 0.299 * Float(pixels[p]) + 0.587 * Float(pixels[p + 1]) + 0.114 * Float(pixels[p + 2])
                    }
                    source[y * s + x] = value
                }
            }
            for y in 0..<s {
                for (i, taps) in weights.enumerated() {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * source[y * s + tap.index] }
                    rows[y * side + i] = sum
                }
            }
            let base = channel * side * side
            for (j, taps) in weights.enumerated() {
                for i in 0..<side {
                    var sum: Float = 0
                    for tap in taps { sum += tap.weight * rows[tap.index * side + i] }
                    result[base + j * side + i] = sum
                }
            }
        }
        return result
    }

    /// For each of `n` output pixels along one axis, the source pixels (of `s`) it draws on
    /// and their weights, which sum to 1: the identity when n = s, area averaging when n < s,
    /// bilinear when n > s (see `squareResized`).
    static func resamplingWeights(from s: Int, to n: Int) -> [[(index: Int, weight: Float)]] {
        if n == s { return (0..<n).map { [(index: $0, weight: 1)] } }
        if n < s {
            // In units of 1/n source pixels: output i covers [i·s, (i+1)·s), pixel k covers [k·n, (k+1)·n).
            return (0..<n).map { i in
                let lo = i * s, hi = (i + 1) * s
                return (lo / n...((hi - 1) / n)).map { k in
                    let overlap = min(hi, (k + 1) * n) - max(lo, k * n)
                    return (k, Float(Double(overlap) / Double(s)))
                }
            }
        }
        return (0..<n).map { i in
            let position = min(max((Double(i) + 0.5) * Double(s) / Double(n) - 0.5, 0), Double(s - 1))
            let k0 = Int(position.rounded(.down)), k1 = min(k0 + 1, s - 1)
            let t = position - Double(k0)
            if t == 0 || k1 == k0 { return [(index: k0, weight: 1)] }
            return [(index: k0, weight: Float(1 - t)), (index: k1, weight: Float(t))]
        }
    }
}
