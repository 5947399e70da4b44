import CZlib
import Foundation

/// Writes 8-bit RGB PNG files: signature, IHDR, one zlib-compressed IDAT, IEND.
///
/// Scanlines use filter 0 (none): plots are flat colour areas that deflate well unfiltered,
/// so adaptive filtering would add code for little gain.
public enum PNGEncoder {
    public enum Error: Swift.Error, CustomStringConvertible {
        case compressionFailed(code: Int32)
        public var description: String {
            switch self { case .compressionFailed(let code): "zlib compress2 failed with code \(code)" }
        }
    }

    /// The PNG file bytes for `canvas`.
    public static func encode(_ canvas: Canvas, compressionLevel: Int32 = 9) throws -> [UInt8] {
        var raw = [UInt8]()
        raw.reserveCapacity((canvas.width * 3 + 1) * canvas.height)
        let stride = canvas.width * 3
        canvas.pixels.withUnsafeBufferPointer { pixels in
            for y in 0..<canvas.height {
                raw.append(0)  // filter type: none
                raw.append(contentsOf: pixels[(y * stride)..<((y + 1) * stride)])
            }
        }
        var compressedLength = compressBound(uLong(raw.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let code = compress2(&compressed, &compressedLength, raw, uLong(raw.count), compressionLevel)
        guard code == Z_OK else { throw Error.compressionFailed(code: code) }
        compressed.removeSubrange(Int(compressedLength)...)

        var header = [UInt8]()
        header.appendBigEndian(UInt32(canvas.width))
        header.appendBigEndian(UInt32(canvas.height))
        header += [8, 2, 0, 0, 0]  // bit depth 8, colour type RGB, deflate, adaptive filters, no interlace

        var file: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]
        file += chunk("IHDR", header)
        file += chunk("IDAT", compressed)
        file += chunk("IEND", [])
        return file
    }

    /// Encodes and writes atomically to `path`.
    public static func write(_ canvas: Canvas, to path: String) throws {
        try Data(encode(canvas)).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// length, type, data, CRC-32 of type + data.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        var out = [UInt8]()
        out.appendBigEndian(UInt32(data.count))
        let typeAndData = Array(type.utf8) + data
        out += typeAndData
        out.appendBigEndian(crc(typeAndData))
        return out
    }

    /// CRC-32 (ISO-HDLC), as PNG requires, from zlib.
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        UInt32(crc32(0, bytes, uInt(bytes.count)))
    }
}

extension Array where Element == UInt8 {
    mutating func appendBigEndian(_ value: UInt32) {
        append(UInt8(value >> 24)); append(UInt8((value >> 16) & 0xFF))
        append(UInt8((value >> 8) & 0xFF)); append(UInt8(value & 0xFF))
    }
}
