import CZlib
import Foundation
import Testing
import Datasets

// A small PNG encoder written for the tests, independent of the decoder: it packs samples,
// applies the row filters forwards, deflates with zlib's `compress2`, and frames chunks with
// zlib's `crc32`. The decoder's tests check that it undoes all of that.

/// A fresh directory under the system's temporary directory, removed when the value dies.
final class PNGScratchDirectory {
    let path: String

    init(_ label: String) {
        path = NSTemporaryDirectory() + "/equilibrium-png-\(label)-\(UUID().uuidString)"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    /// Writes `bytes` to `name` (a path relative to the directory, whose folders are created)
    /// and returns the file's path.
    @discardableResult
    func write(_ bytes: [UInt8], as name: String) -> String {
        let file = path + "/" + name
        try! FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try! Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    /// Creates the folder `name` and returns its path.
    @discardableResult
    func folder(_ name: String) -> String {
        let folder = path + "/" + name
        try! FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        return folder
    }
}

/// The error `body` throws, or nil (recorded as an issue) when it returns.
func caughtImageError<T>(_ body: () throws(ImageDataError) -> T, sourceLocation: SourceLocation = #_sourceLocation) -> ImageDataError? {
    do {
        _ = try body()
        Issue.record("expected an ImageDataError, but reading succeeded", sourceLocation: sourceLocation)
        return nil
    } catch {
        return error
    }
}

enum TestPNG {
    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8((value >> 16) & 0xFF), UInt8((value >> 8) & 0xFF), UInt8(value & 0xFF)]
    }

    static func crc(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// Length, type, data, CRC of type and data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let body = Array(type.utf8) + data
        return bigEndian(UInt32(data.count)) + body + bigEndian(crc(body))
    }

    /// A zlib stream (2-byte header, deflate data, Adler-32) of `bytes`.
    static func zlib(_ bytes: [UInt8], level: Int32 = Z_BEST_COMPRESSION) -> [UInt8] {
        var length = compressBound(uLong(bytes.count))
        var output = [UInt8](repeating: 0, count: Int(length))
        let code = output.withUnsafeMutableBufferPointer { out in
            bytes.withUnsafeBufferPointer { input in compress2(out.baseAddress, &length, input.baseAddress, uLong(input.count), level) }
        }
        precondition(code == Z_OK, "compress2 failed with \(code)")
        return Array(output[..<Int(length)])
    }

    static let signature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Signature, then the chunks in order.
    static func file(_ chunks: [(String, [UInt8])]) -> [UInt8] {
        signature + chunks.flatMap { chunk($0.0, $0.1) }
    }

    static func samplesPerPixel(_ colorType: UInt8) -> Int {
        switch colorType {
        case 0, 3: 1
        case 4: 2
        case 2: 3
        default: 4
        }
    }

    static func ihdr(width: Int, height: Int, bitDepth: Int, colorType: UInt8, interlaced: Bool = false) -> [UInt8] {
        bigEndian(UInt32(width)) + bigEndian(UInt32(height)) + [UInt8(bitDepth), colorType, 0, 0, interlaced ? 1 : 0]
    }

    /// The Paeth predictor as the PNG specification writes it.
    static func paeth(_ a: Int, _ b: Int, _ c: Int) -> Int {
        let p = a + b - c
        let pa = abs(p - a), pb = abs(p - b), pc = abs(p - c)
        if pa <= pb && pa <= pc { return a }
        if pb <= pc { return b }
        return c
    }

    /// One row of raw bytes, filtered with `type` against the previous raw row (nil for the
    /// first row of a pass), `bpp` bytes per whole pixel (at least 1). Returns filter byte + data.
    static func filter(_ row: [UInt8], previous: [UInt8]?, type: UInt8, bpp: Int) -> [UInt8] {
        var out: [UInt8] = [type]
        for i in row.indices {
            let x = Int(row[i])
            let a = i >= bpp ? Int(row[i - bpp]) : 0
            let b = previous.map { Int($0[i]) } ?? 0
            let c = i >= bpp ? previous.map { Int($0[i - bpp]) } ?? 0 : 0
            let predictor: Int
            switch type {
            case 0: predictor = 0
            case 1: predictor = a
            case 2: predictor = b
            case 3: predictor = (a + b) / 2
            case 4: predictor = paeth(a, b, c)
            default: predictor = 0  // an invalid filter byte: data left raw
            }
            out.append(UInt8(truncatingIfNeeded: x - predictor))
        }
        return out
    }

    /// Samples (each 0 ..< 2^depth) packed big-endian / most significant bits first.
    static func pack(_ samples: [Int], depth: Int) -> [UInt8] {
        switch depth {
        case 16: return samples.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case 8: return samples.map { UInt8($0) }
        default:
            var bytes = [UInt8](repeating: 0, count: (samples.count * depth + 7) / 8)
            for (k, sample) in samples.enumerated() {
                let bit = k * depth
                bytes[bit / 8] |= UInt8(sample << (8 - depth - bit % 8))
            }
            return bytes
        }
    }

    static let adam7: [(x0: Int, y0: Int, dx: Int, dy: Int)] = [
        (0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2),
    ]

    /// The filtered scanlines (the uncompressed IDAT stream) of an image whose samples are
    /// given row-major, `samplesPerPixel(colorType)` per pixel. `filterOf(k)` picks the filter
    /// of the k-th scanline written (counting across passes).
    static func scanlines(width: Int, height: Int, bitDepth: Int, colorType: UInt8, samples: [Int], interlaced: Bool = false,
                          filterOf: (Int) -> UInt8 = { UInt8($0 % 5) }) -> [UInt8] {
        let spp = samplesPerPixel(colorType)
        precondition(samples.count == width * height * spp)
        let bpp = max(1, spp * bitDepth / 8)
        var out: [UInt8] = []
        var k = 0
        for pass in interlaced ? adam7 : [(0, 0, 1, 1)] {
            let xs = Array(stride(from: pass.0, to: width, by: pass.2)), ys = Array(stride(from: pass.1, to: height, by: pass.3))
            if xs.isEmpty || ys.isEmpty { continue }
            var previous: [UInt8]?
            for y in ys {
                let row = pack(xs.flatMap { x in (0..<spp).map { samples[(y * width + x) * spp + $0] } }, depth: bitDepth)
                out += filter(row, previous: previous, type: filterOf(k), bpp: bpp)
                previous = row
                k += 1
            }
        }
        return out
    }

    /// A complete, valid PNG: IHDR, PLTE when given, `extra` ancillary chunks, the IDAT stream
    /// split into `pieces` chunks, IEND.
    static func encode(width: Int, height: Int, bitDepth: Int, colorType: UInt8, samples: [Int], palette: [UInt8]? = nil,
                       interlaced: Bool = false, pieces: Int = 1, extra: [(String, [UInt8])] = [],
                       filterOf: (Int) -> UInt8 = { UInt8($0 % 5) }) -> [UInt8] {
        let stream = zlib(scanlines(width: width, height: height, bitDepth: bitDepth, colorType: colorType, samples: samples,
                                    interlaced: interlaced, filterOf: filterOf))
        var chunks: [(String, [UInt8])] = [("IHDR", ihdr(width: width, height: height, bitDepth: bitDepth, colorType: colorType, interlaced: interlaced))]
        if let palette { chunks.append(("PLTE", palette)) }
        chunks += extra
        let size = (stream.count + pieces - 1) / pieces
        for start in stride(from: 0, to: stream.count, by: size) {
            chunks.append(("IDAT", Array(stream[start..<min(start + size, stream.count)])))
        }
        chunks.append(("IEND", []))
        return file(chunks)
    }

    /// Deterministic pseudo-random samples in 0 ..< 2^depth.
    static func samples(count: Int, depth: Int, seed: UInt64) -> [Int] {
        var state = seed &* 0x9E37_79B9_7F4A_7C15 &+ 1
        return (0..<count).map { _ in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(state >> 40) & ((1 << depth) - 1)
        }
    }

    /// The chunks of a well-formed file: type, start offset, data length.
    static func chunks(of bytes: [UInt8]) -> [(type: String, start: Int, length: Int)] {
        var result: [(type: String, start: Int, length: Int)] = []
        var position = 8
        while position + 8 <= bytes.count {
            let length = Int(bytes[position..<(position + 4)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) })
            result.append((String(decoding: bytes[(position + 4)..<(position + 8)], as: UTF8.self), position, length))
            position += 12 + length
        }
        return result
    }
}
