import CZlib
import Testing
@testable import Plot

@Suite struct PNGEncoderTests {
    /// Splits a PNG into (type, data) chunks, checking every CRC on the way.
    func chunks(_ png: [UInt8]) -> [(String, [UInt8])] {
        var out: [(String, [UInt8])] = []
        var i = 8
        func u32(_ at: Int) -> Int { png[at..<at + 4].reduce(0) { $0 << 8 | Int($1) } }
        while i < png.count {
            let length = u32(i)
            let type = String(decoding: png[i + 4..<i + 8], as: UTF8.self)
            let data = Array(png[i + 8..<i + 8 + length])
            #expect(UInt32(u32(i + 8 + length)) == PNGEncoder.crc(Array(png[i + 4..<i + 8 + length])))
            out.append((type, data))
            i += 12 + length
        }
        return out
    }

    @Test func structureAndPixelsRoundTrip() throws {
        var canvas = Canvas(width: 3, height: 2, background: RGB(10, 20, 30))
        canvas.set(x: 2, y: 1, RGB(255, 0, 128))
        let png = try PNGEncoder.encode(canvas)
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A])
        let parts = chunks(png)
        #expect(parts.map(\.0) == ["IHDR", "IDAT", "IEND"])
        #expect(parts[0].1 == [0, 0, 0, 3, 0, 0, 0, 2, 8, 2, 0, 0, 0])
        // IEND's CRC is the well-known constant AE 42 60 82.
        #expect(Array(png.suffix(4)) == [0xAE, 0x42, 0x60, 0x82])
        var rawLength = uLong(2 * (1 + 9))
        var raw = [UInt8](repeating: 0, count: Int(rawLength))
        let idat = parts[1].1
        #expect(uncompress(&raw, &rawLength, idat, uLong(idat.count)) == Z_OK)
        #expect(raw == [0, 10, 20, 30, 10, 20, 30, 10, 20, 30, 0, 10, 20, 30, 10, 20, 30, 255, 0, 128])
    }

    @Test func crcMatchesTheStandardCheckValue() {
        // CRC-32 of "123456789" is 0xCBF43926.
        #expect(PNGEncoder.crc(Array("123456789".utf8)) == 0xCBF4_3926)
    }
}
