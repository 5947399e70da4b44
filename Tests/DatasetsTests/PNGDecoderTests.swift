import Foundation
import Testing
import Datasets

/// A colour type with a bit depth, as a test argument.
struct PNGFormat: Sendable, CustomTestStringConvertible {
    let colorType: UInt8
    let bitDepth: Int
    var testDescription: String { "colour type \(colorType), \(bitDepth)-bit" }

    static let all: [PNGFormat] = [
        (0, 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16), (3, 1), (3, 2), (3, 4), (3, 8), (4, 8), (4, 16), (6, 8), (6, 16),
    ].map { PNGFormat(colorType: $0.0, bitDepth: $0.1) }
}

/// What the decoder should make of `samples` (row-major, as stored): 8-bit grey or RGB,
/// 16-bit samples cut to their high byte, low-depth grey scaled to 0...255, palette indices
/// looked up, alpha dropped.
private func expectedPixels(colorType: UInt8, bitDepth: Int, samples: [Int], palette: [UInt8]) -> [UInt8] {
    let spp = TestPNG.samplesPerPixel(colorType)
    let eight = { (sample: Int) -> UInt8 in
        bitDepth == 16 ? UInt8(sample >> 8) : bitDepth == 8 ? UInt8(sample) : UInt8(sample * 255 / ((1 << bitDepth) - 1))
    }
    var out: [UInt8] = []
    for pixel in 0..<(samples.count / spp) {
        let s = Array(samples[(pixel * spp)..<((pixel + 1) * spp)])
        switch colorType {
        case 0, 4: out.append(eight(s[0]))
        case 3: out += palette[(3 * s[0])..<(3 * s[0] + 3)]
        default: out += s[0..<3].map(eight)
        }
    }
    return out
}

/// A palette of `count` distinct colours.
private func palette(_ count: Int) -> [UInt8] {
    (0..<count).flatMap { (i: Int) -> [UInt8] in [UInt8(i), UInt8(255 - i), UInt8((i * 37) % 256)] }
}

/// A valid 4×3 8-bit greyscale file, filters 0, 1, 2 on its rows: the base of the corruption tests.
/// Its IHDR chunk starts at byte 8 (data 16...28, CRC 29...32) and its IDAT at byte 33.
private let greySamples = [0, 10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110]
private let greyFile = TestPNG.encode(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples)
private let greyIHDR = TestPNG.ihdr(width: 4, height: 3, bitDepth: 8, colorType: 0)

private func decode(_ bytes: [UInt8]) -> ImageDataError? {
    caughtImageError { () throws(ImageDataError) in try PNGDecoder.decode(bytes) }
}

@Suite struct PNGDecoderTests {
    // MARK: Valid files

    @Test(arguments: PNGFormat.all, [false, true])
    func everyColourTypeAndBitDepthDecodes(format: PNGFormat, interlaced: Bool) throws {
        let (width, height) = (13, 7)
        let spp = TestPNG.samplesPerPixel(format.colorType)
        let samples = TestPNG.samples(count: width * height * spp, depth: format.bitDepth, seed: UInt64(format.bitDepth * 10) + UInt64(format.colorType))
        let colours = format.colorType == 3 ? palette(1 << format.bitDepth) : []
        let file = TestPNG.encode(width: width, height: height, bitDepth: format.bitDepth, colorType: format.colorType, samples: samples,
                                  palette: format.colorType == 3 ? colours : nil, interlaced: interlaced, pieces: 3)
        let image = try PNGDecoder.decode(file)
        #expect(image.width == width && image.height == height && image.bitDepth == format.bitDepth && image.interlaced == interlaced)
        #expect(image.colorType.rawValue == format.colorType)
        #expect(image.channels == ([0, 4].contains(format.colorType) ? 1 : 3))
        #expect(image.pixels == expectedPixels(colorType: format.colorType, bitDepth: format.bitDepth, samples: samples, palette: colours))
    }

    @Test(arguments: [UInt8(0), 1, 2, 3, 4])
    func eachFilterTypeOnItsOwnRoundTrips(filter: UInt8) throws {
        // Whole-pixel strides of 1 (grey, 2-bit), 3 (RGB), 8 (16-bit RGBA): Sub, Average and
        // Paeth look that far left.
        for (colorType, depth) in [(UInt8(0), 2), (2, 8), (6, 16), (4, 8)] {
            let (width, height) = (9, 6)
            let samples = TestPNG.samples(count: width * height * TestPNG.samplesPerPixel(colorType), depth: depth, seed: UInt64(filter) + 7)
            let file = TestPNG.encode(width: width, height: height, bitDepth: depth, colorType: colorType, samples: samples, filterOf: { _ in filter })
            let image = try PNGDecoder.decode(file)
            #expect(image.pixels == expectedPixels(colorType: colorType, bitDepth: depth, samples: samples, palette: []),
                    "filter \(filter), colour type \(colorType), \(depth)-bit")
        }
    }

    @Test func paethPredictorOnAHandWorkedRow() throws {
        // Row 0 raw [10, 20]; row 1 raw [15, 30] with Paeth (bpp 1):
        //   x0: a 0, b 10, c 0 → p 10, |p−a| 10, |p−b| 0, |p−c| 10 → b = 10, stored 5;
        //   x1: a 15, b 20, c 10 → p 25, |p−a| 10, |p−b| 5, |p−c| 15 → b = 20, stored 10.
        let stream: [UInt8] = [0, 10, 20, 4, 5, 10]
        let file = TestPNG.file([("IHDR", TestPNG.ihdr(width: 2, height: 2, bitDepth: 8, colorType: 0)),
                                 ("IDAT", TestPNG.zlib(stream)), ("IEND", [])])
        #expect(try PNGDecoder.decode(file).pixels == [10, 20, 15, 30])
        // Average, by hand: row 1 [3, 4] with filter 3 → x0: ⌊(0 + 10)/2⌋ + 3 = 8; x1: ⌊(8 + 20)/2⌋ + 4 = 18.
        let average = TestPNG.file([("IHDR", TestPNG.ihdr(width: 2, height: 2, bitDepth: 8, colorType: 0)),
                                    ("IDAT", TestPNG.zlib([0, 10, 20, 3, 3, 4])), ("IEND", [])])
        #expect(try PNGDecoder.decode(average).pixels == [10, 20, 8, 18])
    }

    @Test func sixteenBitSamplesKeepTheirHighByteAndLowDepthsScale() throws {
        let sixteen = TestPNG.file([("IHDR", TestPNG.ihdr(width: 2, height: 2, bitDepth: 16, colorType: 0)),
                                    ("IDAT", TestPNG.zlib([0, 0x12, 0x34, 0xFF, 0x00, 0, 0x00, 0xFF, 0x80, 0x01])), ("IEND", [])])
        #expect(try PNGDecoder.decode(sixteen).pixels == [0x12, 0xFF, 0x00, 0x80])
        // 1-bit 1010 0000 (5 pixels: the last three bits are padding) and 2-bit 00 01 10 11.
        let oneBit = TestPNG.file([("IHDR", TestPNG.ihdr(width: 5, height: 1, bitDepth: 1, colorType: 0)),
                                   ("IDAT", TestPNG.zlib([0, 0b1010_0111])), ("IEND", [])])
        #expect(try PNGDecoder.decode(oneBit).pixels == [255, 0, 255, 0, 0])
        let twoBit = TestPNG.file([("IHDR", TestPNG.ihdr(width: 4, height: 1, bitDepth: 2, colorType: 0)),
                                   ("IDAT", TestPNG.zlib([0, 0b0001_1011])), ("IEND", [])])
        #expect(try PNGDecoder.decode(twoBit).pixels == [0, 85, 170, 255])
    }

    @Test func alphaIsIgnoredNotComposited() throws {
        let rgba = TestPNG.encode(width: 2, height: 1, bitDepth: 8, colorType: 6, samples: [10, 20, 30, 0, 40, 50, 60, 255])
        let image = try PNGDecoder.decode(rgba)
        #expect(image.channels == 3 && image.pixels == [10, 20, 30, 40, 50, 60])
        #expect(image[x: 1, y: 0, channel: 2] == 60)
        let greyAlpha = TestPNG.encode(width: 2, height: 1, bitDepth: 16, colorType: 4, samples: [0xC800, 0, 0x0100, 0xFFFF])
        #expect(try PNGDecoder.decode(greyAlpha).pixels == [200, 1])
    }

    @Test(arguments: [(1, 1), (2, 2), (5, 3), (8, 8), (9, 17)])
    func interlacedAndPlainFilesDecodeToTheSameImage(width: Int, height: Int) throws {
        let samples = TestPNG.samples(count: width * height * 3, depth: 8, seed: UInt64(width * height))
        let plain = try PNGDecoder.decode(TestPNG.encode(width: width, height: height, bitDepth: 8, colorType: 2, samples: samples))
        let interlaced = try PNGDecoder.decode(TestPNG.encode(width: width, height: height, bitDepth: 8, colorType: 2, samples: samples, interlaced: true))
        #expect(interlaced.pixels == plain.pixels && interlaced.interlaced && !plain.interlaced)
        #expect(plain.pixels == samples.map { UInt8($0) })
    }

    @Test func ancillaryChunksAndSplitOrEmptyIDATsAreHandled() throws {
        let reference = try PNGDecoder.decode(greyFile)
        #expect(reference.pixels == greySamples.map { UInt8($0) } && reference.channels == 1)
        let withExtras = TestPNG.encode(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples, pieces: 4,
                                        extra: [("gAMA", [0, 0, 0xB1, 0x8F]), ("tEXt", Array("Comment\u{0}hello".utf8)), ("abCD", [1, 2, 3])])
        #expect(try PNGDecoder.decode(withExtras) == reference)
        let stream = TestPNG.zlib(TestPNG.scanlines(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples))
        let emptyIDATs = TestPNG.file([("IHDR", greyIHDR), ("IDAT", []), ("IDAT", stream), ("IDAT", []), ("IEND", [])])
        #expect(try PNGDecoder.decode(emptyIDATs) == reference)
        // tRNS (alpha for palette or grey) is skipped like any ancillary chunk.
        let paletted = TestPNG.encode(width: 2, height: 1, bitDepth: 8, colorType: 3, samples: [1, 0], palette: palette(2),
                                      extra: [("tRNS", [0, 255])])
        #expect(try PNGDecoder.decode(paletted).pixels == [1, 254, 37, 0, 255, 0])
    }

    @Test func readsFilesAndNamesThemInErrors() throws {
        let scratch = PNGScratchDirectory("read")
        let path = scratch.write(greyFile, as: "ok.png")
        #expect(try PNGDecoder.read(from: path) == PNGDecoder.decode(greyFile))
        var damaged = greyFile
        damaged[20] ^= 1
        let bad = scratch.write(damaged, as: "bad.png")
        let error = caughtImageError { () throws(ImageDataError) in try PNGDecoder.read(from: bad) }
        #expect(error?.file == bad && error?.description.hasPrefix(bad + ": at byte 29: CRC of chunk IHDR") == true)
        let missing = caughtImageError { () throws(ImageDataError) in try PNGDecoder.read(from: scratch.path + "/none.png") }
        guard case .io("open", _)? = missing?.problem else { Issue.record("expected an open error, got \(String(describing: missing))"); return }
    }

    // MARK: Corruption

    @Test func wrongOrShortSignatureIsRejected() {
        var file = greyFile
        file[3] = 0x46
        let error = decode(file)
        #expect(error?.problem == .badSignature(offset: 3, found: Array(file[..<8])) && error?.offset == 3)
        #expect(error?.description == "<memory>: at byte 3: expected the PNG signature 89 50 4E 47 0D 0A 1A 0A, found 89 50 4E 46 0D 0A 1A 0A")
        #expect(decode([0x1F, 0x8B, 8, 0])?.problem == .badSignature(offset: 0, found: [0x1F, 0x8B, 8, 0]))
        #expect(decode(Array(greyFile[..<5]))?.problem == .truncatedHeader(needed: 8, available: 5))
        #expect(decode([])?.problem == .truncatedHeader(needed: 8, available: 0))
    }

    @Test func flippedCRCBytesAreReportedAtTheCRC() throws {
        var file = greyFile
        file[29] ^= 0xFF  // first byte of IHDR's CRC
        let computed = TestPNG.crc(Array(greyFile[12..<29]))
        let stored = computed ^ 0xFF00_0000
        let error = decode(file)
        #expect(error?.problem == .badChunkCRC(offset: 29, chunk: "IHDR", stored: stored, computed: computed) && error?.offset == 29)

        let idat = try #require(TestPNG.chunks(of: greyFile).first { $0.type == "IDAT" })
        var data = greyFile
        data[idat.start + 9] ^= 0x01  // a byte of the compressed data: the IDAT CRC no longer matches
        guard case let .badChunkCRC(offset, chunk, _, _)? = decode(data)?.problem else { Issue.record("expected badChunkCRC"); return }
        #expect(offset == idat.start + 8 + idat.length && chunk == "IDAT")
        let text = decode(data)?.description ?? ""
        #expect(text.contains("at byte \(offset): CRC of chunk IDAT is "))
    }

    @Test func truncatedChunksAreReportedWhereTheFileEnds() throws {
        let idat = try #require(TestPNG.chunks(of: greyFile).first { $0.type == "IDAT" })
        let inData = decode(Array(greyFile[..<(idat.start + 10)]))
        #expect(inData?.problem == .truncatedChunk(start: idat.start, chunk: "IDAT", needed: 12 + idat.length, available: 10))
        #expect(inData?.offset == idat.start + 10)
        let inLength = decode(Array(greyFile[..<(idat.start + 5)]))
        #expect(inLength?.problem == .truncatedChunk(start: idat.start, chunk: "?", needed: 12, available: 5))
        let inCRC = decode(Array(greyFile[..<(idat.start + 8 + idat.length + 2)]))
        #expect(inCRC?.problem == .truncatedChunk(start: idat.start, chunk: "IDAT", needed: 12 + idat.length, available: 10 + idat.length))
    }

    @Test func missingRequiredChunksAreNamed() throws {
        let noEnd = Array(greyFile.dropLast(12))
        #expect(decode(noEnd)?.problem == .missingChunk(offset: noEnd.count, chunk: "IEND"))
        #expect(decode(noEnd)?.description.contains("expected an IEND chunk here") == true)
        let noData = TestPNG.file([("IHDR", greyIHDR), ("IEND", [])])
        #expect(decode(noData)?.problem == .missingChunk(offset: 33, chunk: "IDAT"))
        let stream = TestPNG.zlib(TestPNG.scanlines(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples))
        let headerLater = TestPNG.file([("tEXt", [65]), ("IHDR", greyIHDR), ("IDAT", stream), ("IEND", [])])
        #expect(decode(headerLater)?.problem == .missingChunk(offset: 8, chunk: "IHDR"))
        #expect(decode(TestPNG.signature)?.problem == .missingChunk(offset: 8, chunk: "IHDR"))
        let noPalette = TestPNG.file([("IHDR", TestPNG.ihdr(width: 4, height: 3, bitDepth: 8, colorType: 3)), ("IDAT", stream), ("IEND", [])])
        #expect(decode(noPalette)?.problem == .missingChunk(offset: 33, chunk: "PLTE"))
    }

    @Test func badFilterByteNamesItsRowAndInflatedOffset() {
        let stream = TestPNG.scanlines(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples, filterOf: { $0 == 2 ? 7 : 0 })
        let file = TestPNG.file([("IHDR", greyIHDR), ("IDAT", TestPNG.zlib(stream)), ("IEND", [])])
        let error = decode(file)
        #expect(error?.problem == .badFilterType(offset: 10, row: 2, filter: 7) && error?.offset == 10)
        #expect(error?.description == "<memory>: at byte 10 of the inflated image data: filter type of row 2 is 7, expected 0...4")

        // Interlaced 8×8 grey: passes 1–3 take 2 + 2 + 3 bytes; pass 4 (columns 2 and 6, rows
        // 0 and 4) has 3-byte rows, so its second row's filter byte is at 10 and is image row 4.
        let samples = TestPNG.samples(count: 64, depth: 8, seed: 3)
        let interlaced = TestPNG.scanlines(width: 8, height: 8, bitDepth: 8, colorType: 0, samples: samples, interlaced: true,
                                           filterOf: { $0 == 4 ? 9 : 1 })
        let adam7 = TestPNG.file([("IHDR", TestPNG.ihdr(width: 8, height: 8, bitDepth: 8, colorType: 0, interlaced: true)),
                                  ("IDAT", TestPNG.zlib(interlaced)), ("IEND", [])])
        #expect(decode(adam7)?.problem == .badFilterType(offset: 10, row: 4, filter: 9))
    }

    @Test func inflatedSizeMustMatchTheHeader() {
        let stream = TestPNG.zlib(TestPNG.scanlines(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples))
        let tooShort = TestPNG.file([("IHDR", TestPNG.ihdr(width: 4, height: 4, bitDepth: 8, colorType: 0)), ("IDAT", stream), ("IEND", [])])
        let short = decode(tooShort)
        #expect(short?.problem == .imageDataSize(offset: 33, expected: 20, found: 15) && short?.offset == 33)
        #expect(short?.description.contains("inflate to 15 bytes, but the header calls for 20") == true)
        let tooLong = TestPNG.file([("IHDR", TestPNG.ihdr(width: 4, height: 2, bitDepth: 8, colorType: 0)), ("IDAT", stream), ("IEND", [])])
        #expect(decode(tooLong)?.problem == .imageDataSize(offset: 33, expected: 10, found: 15))
        // 16-bit RGB rows are 6 bytes a pixel: the same 15 bytes are far too few.
        let deeper = TestPNG.file([("IHDR", TestPNG.ihdr(width: 4, height: 3, bitDepth: 16, colorType: 2)), ("IDAT", stream), ("IEND", [])])
        #expect(decode(deeper)?.problem == .imageDataSize(offset: 33, expected: 75, found: 15))
    }

    @Test func damagedZlibStreamsAreReportedAtTheirFileOffset() throws {
        let raw = TestPNG.scanlines(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples)
        let stream = TestPNG.zlib(raw)
        var badHeader = stream
        badHeader[1] ^= 0x01  // FCHECK no longer makes the header a multiple of 31
        guard case let .corruptImageData(offset, reason)? = decode(TestPNG.file([("IHDR", greyIHDR), ("IDAT", badHeader), ("IEND", [])]))?.problem else {
            Issue.record("expected corruptImageData"); return
        }
        #expect(offset <= 43 && offset >= 41 && reason.contains("incorrect header check"))

        let half = Array(stream[..<(stream.count / 2)])
        let cut = decode(TestPNG.file([("IHDR", greyIHDR), ("IDAT", half), ("IEND", [])]))
        guard case let .corruptImageData(cutOffset, cutReason)? = cut?.problem else { Issue.record("expected corruptImageData"); return }
        #expect(cutOffset == 41 + half.count && cutReason.contains("end inside the zlib stream"))

        // The stream split over two IDATs, its Adler-32 damaged: placed in the second chunk.
        var badCheck = stream
        badCheck[badCheck.count - 1] ^= 0xFF
        let split = stream.count / 2
        let twoChunks = TestPNG.file([("IHDR", greyIHDR), ("IDAT", Array(badCheck[..<split])), ("IDAT", Array(badCheck[split...])), ("IEND", [])])
        let second = try #require(TestPNG.chunks(of: twoChunks).filter { $0.type == "IDAT" }.last)
        guard case let .corruptImageData(checkOffset, checkReason)? = decode(twoChunks)?.problem else { Issue.record("expected corruptImageData"); return }
        #expect(checkOffset > second.start + 8 && checkOffset <= second.start + 8 + second.length && checkReason.contains("incorrect data check"))

        let padded = decode(TestPNG.file([("IHDR", greyIHDR), ("IDAT", stream + [0, 0, 0]), ("IEND", [])]))
        #expect(padded?.problem == .corruptImageData(offset: 41 + stream.count, reason: "3 byte(s) of IDAT data follow the end of the zlib stream"))
    }

    @Test func invalidHeaderFieldsAreNamedAtTheirByte() {
        func withHeader(_ ihdr: [UInt8]) -> ImageDataError? {
            decode(TestPNG.file([("IHDR", ihdr), ("IDAT", TestPNG.zlib([0, 0])), ("IEND", [])]))
        }
        guard case .badHeaderField(24, "bit depth", 4, _)? = withHeader(TestPNG.ihdr(width: 1, height: 1, bitDepth: 4, colorType: 2))?.problem,
              case .badHeaderField(24, "bit depth", 16, _)? = withHeader(TestPNG.ihdr(width: 1, height: 1, bitDepth: 16, colorType: 3))?.problem,
              case .badHeaderField(25, "colour type", 5, _)? = withHeader(TestPNG.ihdr(width: 1, height: 1, bitDepth: 8, colorType: 5))?.problem,
              case .badHeaderField(16, "width", 0, _)? = withHeader(TestPNG.ihdr(width: 0, height: 1, bitDepth: 8, colorType: 0))?.problem,
              case .badHeaderField(20, "height", 0x8000_0000, _)? = withHeader(TestPNG.ihdr(width: 1, height: 0x8000_0000, bitDepth: 8, colorType: 0))?.problem
        else { Issue.record("an IHDR field was not reported at its byte"); return }
        var ihdr = TestPNG.ihdr(width: 1, height: 1, bitDepth: 8, colorType: 0)
        for (index, field) in [(10, "compression method"), (11, "filter method"), (12, "interlace method")] {
            var bad = ihdr
            bad[index] = 2
            guard case .badHeaderField(16 + index, field, 2, _)? = withHeader(bad)?.problem else { Issue.record("\(field) not reported"); return }
        }
        ihdr.removeLast()
        #expect(withHeader(ihdr)?.problem == .badChunk(offset: 8, chunk: "IHDR", reason: "length is 12, expected 13"))
    }

    @Test func paletteProblemsAreReported() {
        // Index 5 at pixel (2, 1) of a 3×2 image with two palette entries: row 1 starts at
        // inflated byte 4, its filter byte there, so the index is byte 4 + 1 + 2.
        let file = TestPNG.encode(width: 3, height: 2, bitDepth: 8, colorType: 3, samples: [0, 1, 0, 1, 0, 5], palette: palette(2),
                                  filterOf: { _ in 0 })
        let error = decode(file)
        #expect(error?.problem == .paletteIndexOutOfRange(offset: 7, row: 1, column: 2, index: 5, paletteSize: 2))
        #expect(error?.description.contains("palette index 5, but PLTE holds 2 entries") == true)
        let badLength = TestPNG.encode(width: 1, height: 1, bitDepth: 8, colorType: 3, samples: [0], palette: [1, 2, 3, 4])
        guard case .badChunk(33, "PLTE", _)? = decode(badLength)?.problem else { Issue.record("expected a PLTE length error"); return }
        // A 1-bit image may have at most 2 palette entries.
        let tooMany = TestPNG.encode(width: 1, height: 1, bitDepth: 1, colorType: 3, samples: [0], palette: palette(3))
        guard case .badChunk(33, "PLTE", _)? = decode(tooMany)?.problem else { Issue.record("expected a PLTE size error"); return }
    }

    @Test func chunkLayoutRulesAreEnforced() throws {
        let stream = TestPNG.zlib(TestPNG.scanlines(width: 4, height: 3, bitDepth: 8, colorType: 0, samples: greySamples))
        let critical = TestPNG.file([("IHDR", greyIHDR), ("ABCD", [1]), ("IDAT", stream), ("IEND", [])])
        #expect(decode(critical)?.problem == .unknownCriticalChunk(offset: 33, chunk: "ABCD"))
        let separated = TestPNG.file([("IHDR", greyIHDR), ("IDAT", Array(stream[..<5])), ("tEXt", [65]), ("IDAT", Array(stream[5...])), ("IEND", [])])
        let secondIDAT = try #require(TestPNG.chunks(of: separated).filter { $0.type == "IDAT" }.last)
        #expect(decode(separated)?.problem == .badChunk(offset: secondIDAT.start, chunk: "IDAT", reason: "IDAT chunks must be consecutive"))
        #expect(decode(greyFile + [1, 2, 3])?.problem == .trailingBytes(offset: greyFile.count, count: 3))
        var digitType = greyFile
        digitType[39] = 0x31  // IDAT → ID1T (the IDAT type lies at 37...40)
        #expect(decode(digitType)?.problem == .badChunk(offset: 37, chunk: "49 44 31 54", reason: "a chunk type must be four ASCII letters"))
        var huge = greyFile
        huge[33] = 0x80
        guard case .badChunk(33, "IDAT", let reason)? = decode(huge)?.problem else { Issue.record("expected a length error"); return }
        #expect(reason.contains("exceeds"))
        let twoHeaders = TestPNG.file([("IHDR", greyIHDR), ("IHDR", greyIHDR), ("IDAT", stream), ("IEND", [])])
        #expect(decode(twoHeaders)?.problem == .badChunk(offset: 33, chunk: "IHDR", reason: "a second IHDR"))
    }

    @Test func everyPrefixThrowsAndNoDamageTraps() {
        let file = TestPNG.encode(width: 5, height: 4, bitDepth: 8, colorType: 3, samples: TestPNG.samples(count: 20, depth: 2, seed: 1),
                                  palette: palette(4), interlaced: true)
        for length in 0..<file.count { _ = decode(Array(file[..<length])) }
        var decoded = 0
        for index in file.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = file
                damaged[index] ^= mask
                if (try? PNGDecoder.decode(damaged)) != nil { decoded += 1 }
            }
        }
        // Chunk CRCs cover everything after the signature but the lengths and CRCs themselves,
        // and damaging those is caught as well: nothing damaged decodes.
        #expect(decoded == 0)
    }
}
