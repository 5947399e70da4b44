import CZlib

/// Inflates a gzip file chunk by chunk as its reader asks for bytes, so memory holds a 64 KiB
/// input window and whatever the reader keeps, never a second copy of the whole contents.
///
/// Concatenated gzip members (which `gzip` itself produces for `cat a.gz b.gz`) read as one
/// stream. Everything zlib rejects (a bad header, a damaged block, a CRC or length trailer
/// that does not match) and bytes after the last member that start no member are reported as
/// `corruptGzip` at the compressed offset where zlib stopped; a file that ends mid-stream is
/// `truncatedGzip`.
final class GzipInflater {
    private let file: RawFile
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    /// Compressed bytes read from the file so far.
    private var compressedRead = 0
    /// The current member's end-of-stream marker and trailer have been read and checked.
    private var memberEnded = false
    /// The last member ended at the end of the file.
    private var finished = false

    init(file: RawFile, inputChunk: Int = 1 << 16) throws(ImageDataError) {
        self.file = file
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        input = .allocate(byteCount: inputChunk, alignment: 16)
        // windowBits 15 + 16: a 32 KiB window and gzip (not zlib) framing, CRC-32 checked.
        let code = inflateInit2_(stream, 15 + 16, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw ImageDataError(file: file.path, problem: .io(operation: "inflateInit2", reason: "zlib error \(code)"))
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// The compressed offset of the next byte zlib has not consumed.
    private var compressedOffset: Int { compressedRead - Int(stream.pointee.avail_in) }

    /// Fills `buffer` with decompressed bytes; returns fewer than `buffer.count` only at the
    /// end of the last member.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageDataError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var produced = 0
        while produced < buffer.count && !finished {
            if stream.pointee.avail_in == 0 {
                let n = try file.read(into: input)
                if n == 0 {
                    if memberEnded { finished = true; break }
                    throw failure(.truncatedGzip(offset: compressedRead))
                }
                compressedRead += n
                stream.pointee.next_in = input.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(n)
            }
            if memberEnded {
                // Bytes after a member's trailer must start another member; a wrong second
                // magic byte or a bad header is then caught by inflate itself.
                let next = stream.pointee.next_in[0]
                guard next == 0x1F else {
                    throw failure(.corruptGzip(offset: compressedOffset, reason:
                        "expected the end of the file or another gzip member (1F 8B) after the trailer, found \(ImageDataError.hex([next]))"))
                }
                _ = inflateReset(stream)
                memberEnded = false
            }
            let room = min(buffer.count - produced, Int(UInt32.max))
            stream.pointee.next_out = (base + produced).assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let code = inflate(stream, Z_NO_FLUSH)
            produced += room - Int(stream.pointee.avail_out)
            switch code {
            case Z_OK:
                continue
            case Z_STREAM_END:
                memberEnded = true
            case Z_BUF_ERROR where stream.pointee.avail_in == 0:
                continue  // needs more input: the loop reads it
            case Z_NEED_DICT:
                throw failure(.corruptGzip(offset: compressedOffset, reason: "the stream asks for a preset dictionary, which gzip never uses"))
            case Z_MEM_ERROR:
                throw ImageDataError(file: file.path, problem: .io(operation: "inflate", reason: "zlib ran out of memory"))
            default:
                let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
                throw failure(.corruptGzip(offset: compressedOffset, reason: message))
            }
        }
        return produced
    }

    private func failure(_ problem: ImageDataError.Problem) -> ImageDataError {
        ImageDataError(file: file.path, decompressed: true, problem: problem)
    }
}
