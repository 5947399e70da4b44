import Foundation
import Testing
import Datasets
import Tensor

/// An 8-bit greyscale PNG of `rows` (top to bottom).
private func greyPNG(_ rows: [[Int]]) -> [UInt8] {
    TestPNG.encode(width: rows[0].count, height: rows.count, bitDepth: 8, colorType: 0, samples: rows.flatMap { $0 })
}

/// An 8-bit RGB PNG of `width` × `height` pixels given as (r, g, b) row by row.
private func rgbPNG(width: Int, height: Int, _ pixels: [(Int, Int, Int)]) -> [UInt8] {
    TestPNG.encode(width: width, height: height, bitDepth: 8, colorType: 2, samples: pixels.flatMap { [$0.0, $0.1, $0.2] })
}

/// Byte-scale values as the −1...1 values a loaded set holds.
private func scaled(_ values: [Double]) -> [Double] { values.map { $0 / 127.5 - 1 } }

private func expectClose(_ actual: [Double], _ expected: [Double], tolerance: Double = 1e-5, sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) where abs(a - e) > tolerance {
        Issue.record("got \(actual), expected \(expected)", sourceLocation: sourceLocation)
        return
    }
}

/// The one image of a folder holding only `png`, loaded at `size` and `channels`.
private func loadOne(_ png: [UInt8], size: Int, channels: Int = 1) throws -> LabeledImages {
    let scratch = PNGScratchDirectory("one")
    scratch.write(png, as: "image.png")
    return try LabeledImages.folder(path: scratch.path, size: size, channels: channels)
}

@Suite struct ImageFolderTests {
    // MARK: Crop and resize, by hand

    @Test func wideImagesAreCroppedToTheirCentreSquare() throws {
        // 4 × 2: the centre square is columns 1 and 2.
        let wide = greyPNG([[0, 40, 80, 120], [10, 50, 90, 130]])
        expectClose(try loadOne(wide, size: 2).images.doubles, scaled([40, 80, 50, 90]))
        // Shrunk to one pixel: the mean of the square.
        let one = try loadOne(wide, size: 1)
        #expect(one.images.shape == [1, 1, 1, 1])
        expectClose(one.images.doubles, scaled([65]))
        // 5 × 2: an odd excess of 3 puts the square at column ⌊3/2⌋ = 1.
        expectClose(try loadOne(greyPNG([[0, 40, 80, 120, 160], [10, 50, 90, 130, 170]]), size: 2).images.doubles, scaled([40, 80, 50, 90]))
        // 2 × 4 (tall): rows 1 and 2.
        expectClose(try loadOne(greyPNG([[0, 1], [2, 3], [4, 5], [6, 7]]), size: 2).images.doubles, scaled([2, 3, 4, 5]))
    }

    @Test func shrinkingAveragesTheCoveredArea() throws {
        // 3 → 2: output 0 covers source [0, 1.5): weights 2/3, 1/3; output 1 covers [1.5, 3): 1/3, 2/3.
        // The image is 90 y + 30 x, so the result is 90 Y + 30 X with X, Y ∈ {1/3, 5/3}.
        let image = greyPNG([[0, 30, 60], [90, 120, 150], [180, 210, 240]])
        expectClose(try loadOne(image, size: 2).images.doubles, scaled([40, 80, 160, 200]))
        // 4 → 2: plain 2 × 2 block means.
        let blocks = greyPNG([[0, 2, 100, 104], [4, 6, 108, 112], [200, 200, 50, 50], [100, 100, 50, 50]])
        expectClose(try loadOne(blocks, size: 2).images.doubles, scaled([3, 106, 150, 50]))
    }

    @Test func enlargingIsBilinearBetweenPixelCentres() throws {
        // 2 → 4: output i samples (i + ½)/2 − ½ = −¼, ¼, ¾, 1¼, clamped: weights (1, 0), (¾, ¼), (¼, ¾), (0, 1).
        let image = greyPNG([[0, 100], [200, 40]])
        let expected: [Double] = [
            0, 25, 75, 100,
            50, 58.75, 76.25, 85,
            150, 126.25, 78.75, 55,
            200, 160, 80, 40,
        ]
        expectClose(try loadOne(image, size: 4).images.doubles, scaled(expected))
        // One pixel enlarged is constant.
        expectClose(try loadOne(greyPNG([[77]]), size: 3).images.doubles, scaled([Double](repeating: 77, count: 9)))
    }

    @Test func channelsAreLumaOrRepeatedGrey() throws {
        let colour = rgbPNG(width: 1, height: 1, [(100, 200, 50)])
        expectClose(try loadOne(colour, size: 1, channels: 1).images.doubles, scaled([153]))  // 29.9 + 117.4 + 5.7
        let rgb = try loadOne(colour, size: 2, channels: 3)
        #expect(rgb.images.shape == [1, 3, 2, 2])
        expectClose(rgb.images.doubles, scaled([100, 100, 100, 100, 200, 200, 200, 200, 50, 50, 50, 50]))
        let grey = try loadOne(greyPNG([[0, 255], [255, 0]]), size: 2, channels: 3)
        expectClose(grey.images.doubles, [-1, 1, 1, -1, -1, 1, 1, -1, -1, 1, 1, -1])
    }

    @Test func resizingIsSeparableWithConvexWeights() throws {
        // A 7 × 5 RGB image to 3 (shrink, after cropping to 5 × 5) and to 11 (enlarge): every
        // output lies within the source's range, and a constant image stays constant.
        let pixels = (0..<35).map { ($0 * 7 % 256, 255 - $0 * 5, ($0 * 31) % 200) }
        for size in [3, 11] {
            let values = try loadOne(rgbPNG(width: 7, height: 5, pixels), size: size, channels: 3).images.doubles
            #expect(values.count == 3 * size * size && values.allSatisfy { $0 >= -1 && $0 <= 1 })
        }
        let flat = rgbPNG(width: 6, height: 4, [(Int, Int, Int)](repeating: (12, 34, 56), count: 24))
        for size in [1, 3, 4, 9] {
            let values = try loadOne(flat, size: size, channels: 3).images.doubles
            expectClose(values, scaled([12, 34, 56].flatMap { [Double](repeating: $0, count: size * size) }), tolerance: 1e-4)
        }
    }

    // MARK: Layouts

    @Test func flatFolderIsSortedByNameWithLabelZero() throws {
        let scratch = PNGScratchDirectory("flat")
        for (name, value) in [("b.png", 20), ("a.png", 10), ("c.PNG", 30), ("notes.txt", 0), (".hidden.png", 99)] {
            scratch.write(name.hasSuffix("txt") ? [1, 2, 3] : greyPNG([[value]]), as: name)
        }
        let folder = try ImageFolder.scan(scratch.path)
        #expect(folder.classNames.isEmpty && folder.entries.map { ($0.path as NSString).lastPathComponent } == ["a.png", "b.png", "c.PNG"])
        let set = try folder.load(size: 1, channels: 1)
        #expect(set.labels == [0, 0, 0] && set.images.shape == [3, 1, 1, 1])
        expectClose(set.images.doubles, scaled([10, 20, 30]))
    }

    @Test func subdirectoriesAreClassesInSortedOrder() throws {
        let scratch = PNGScratchDirectory("classes")
        scratch.write(greyPNG([[1]]), as: "zebra/2.png")
        scratch.write(greyPNG([[2]]), as: "zebra/10.png")  // "10.png" < "2.png"
        scratch.write(greyPNG([[3, 3], [3, 3]]), as: "ant/x.png")
        scratch.write(greyPNG([[4]]), as: "moth/only.png")
        scratch.write([0], as: "moth/readme.txt")
        scratch.write(greyPNG([[9]]), as: ".cache/skip.png")
        let folder = try ImageFolder.scan(scratch.path)
        #expect(folder.classNames == ["ant", "moth", "zebra"])
        #expect(folder.entries.map(\.label) == [0, 1, 2, 2])
        #expect(folder.entries.map { ($0.path as NSString).lastPathComponent } == ["x.png", "only.png", "10.png", "2.png"])
        let set = try LabeledImages.folder(path: scratch.path, size: 1, channels: 1)
        #expect(set.labels == [0, 1, 2, 2])
        expectClose(set.images.doubles, scaled([3, 4, 2, 1]))
    }

    @Test func imagesOfDifferentSizesLoadToOneSize() throws {
        let scratch = PNGScratchDirectory("sizes")
        scratch.write(rgbPNG(width: 3, height: 2, [(0, 0, 0), (10, 20, 30), (0, 0, 0), (0, 0, 0), (10, 20, 30), (0, 0, 0)]), as: "a.png")
        scratch.write(TestPNG.encode(width: 8, height: 8, bitDepth: 16, colorType: 4, samples: [Int](repeating: 0x4000, count: 128)), as: "b.png")
        let set = try LabeledImages.folder(path: scratch.path, size: 4, channels: 3)
        #expect(set.images.shape == [2, 3, 4, 4])
        // a.png crops to columns 0–1 (⌊(3 − 2)/2⌋ = 0): a left column of black and a right one of colour.
        #expect(set.images[0, 0, 2, 0] == Double(LabeledImages.pixelValue(0)))
        #expect(abs(set.images[0, 1, 2, 3] - Double(20 / 127.5 - 1)) < 1e-6)
        // b.png: grey 0x40 from 16-bit 0x4000 with alpha 0x4000 ignored.
        #expect(set.images[1, 2, 3, 3] == Double(LabeledImages.pixelValue(0x40)))
    }

    // MARK: Errors

    @Test func emptyOrImagelessFoldersAreRejected() {
        let scratch = PNGScratchDirectory("empty")
        let empty = caughtImageError { () throws(ImageDataError) in try LabeledImages.folder(path: scratch.path, size: 4, channels: 1) }
        guard case .noImageFiles? = empty?.problem else { Issue.record("expected noImageFiles, got \(String(describing: empty))"); return }
        #expect(empty?.file == scratch.path && empty?.description.contains("no images: expected *.png files") == true)
        scratch.write([1], as: "a.jpg")
        let imageless = caughtImageError { () throws(ImageDataError) in try ImageFolder.scan(scratch.path) }
        guard case .noImageFiles? = imageless?.problem else { Issue.record("expected noImageFiles"); return }
    }

    @Test func classWithoutImagesOrLooseFilesBesideClassesAreRejected() {
        let scratch = PNGScratchDirectory("layout")
        scratch.write(greyPNG([[1]]), as: "a/1.png")
        let emptyClass = scratch.folder("b")
        let error = caughtImageError { () throws(ImageDataError) in try ImageFolder.scan(scratch.path) }
        #expect(error?.file == emptyClass)
        #expect(error?.description.contains("class subdirectory \"b\" (label 1 of 2)") == true)
        scratch.write(greyPNG([[1]]), as: "b/1.png")
        scratch.write(greyPNG([[1]]), as: "stray.png")
        let loose = caughtImageError { () throws(ImageDataError) in try ImageFolder.scan(scratch.path) }
        guard case let .folderLayout(reason)? = loose?.problem else { Issue.record("expected folderLayout, got \(String(describing: loose))"); return }
        #expect(reason.contains("stray.png") && reason.contains("a, b"))
    }

    @Test func unreadableOrDamagedFilesAreNamed() {
        let scratch = PNGScratchDirectory("damaged")
        scratch.write(greyPNG([[1]]), as: "a.png")
        var bad = greyPNG([[2]])
        bad[30] ^= 0x10
        let badPath = scratch.write(bad, as: "b.png")
        let error = caughtImageError { () throws(ImageDataError) in try LabeledImages.folder(path: scratch.path, size: 2, channels: 1) }
        #expect(error?.file == badPath && error?.problem == .badChunkCRC(offset: 29, chunk: "IHDR", stored: TestPNG.crc(Array(bad[12..<29])) ^ 0x0010_0000,
                                                                         computed: TestPNG.crc(Array(bad[12..<29]))))
        scratch.write([0x89, 0x50], as: "c.png")
        try? FileManager.default.removeItem(atPath: badPath)
        let short = caughtImageError { () throws(ImageDataError) in try LabeledImages.folder(path: scratch.path, size: 2, channels: 1) }
        #expect(short?.file == scratch.path + "/c.png" && short?.problem == .truncatedHeader(needed: 8, available: 2))

        let missing = caughtImageError { () throws(ImageDataError) in try ImageFolder.scan(scratch.path + "/nowhere") }
        #expect(missing?.problem == .io(operation: "list directory", reason: "No such file or directory"))
        let file = caughtImageError { () throws(ImageDataError) in try ImageFolder.scan(scratch.path + "/a.png") }
        #expect(file?.problem == .io(operation: "list directory", reason: "Not a directory"))
    }
}
