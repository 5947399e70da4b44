/// A file's contents read front to back, inflated on the way when the file is gzip-compressed.
///
/// Compression is recognised by the gzip magic bytes 1F 8B, not by the name: MNIST mirrors
/// serve both `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz`, and files get
/// renamed or decompressed in place. No IDX or CIFAR file starts with 1F 8B (IDX starts with
/// 00 00; a CIFAR record starts with a label 0–9), so the check cannot misfire on valid data.
final class ContentStream {
    let path: String
    /// Whether the file is gzip-compressed (offsets then count decompressed bytes).
    let isGzip: Bool
    /// Content bytes delivered so far: the offset of the next one.
    private(set) var position = 0

    private let file: RawFile
    private let inflater: GzipInflater?

    init(path: String) throws(ImageDataError) {
        let file = try RawFile(path: path)
        let isGzip = try file.peekStart(2) == [0x1F, 0x8B]
        self.path = path
        self.file = file
        self.isGzip = isGzip
        self.inflater = isGzip ? try GzipInflater(file: file) : nil
    }

    /// An upper bound on the content bytes left, when one is known without reading them:
    /// the rest of the file for a plain file, nil for a compressed one.
    var remainingBound: Int? { isGzip ? nil : max(file.size - position, 0) }

    /// An error about this file, its offsets in the right space.
    func failure(_ problem: ImageDataError.Problem) -> ImageDataError {
        ImageDataError(file: path, decompressed: isGzip, problem: problem)
    }

    /// Fills `buffer`; returns fewer bytes than it holds only at the end of the contents.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageDataError) -> Int {
        var filled = 0
        while filled < buffer.count {
            let rest = UnsafeMutableRawBufferPointer(rebasing: buffer[filled...])
            let n: Int
            if let inflater { n = try inflater.read(into: rest) } else { n = try file.read(into: rest) }
            if n == 0 { break }
            filled += n
        }
        position += filled
        return filled
    }

    /// The next `count` bytes, or all that are left when the contents end sooner.
    ///
    /// Memory grows with what is actually read, not with `count`: a damaged header may claim
    /// gigabytes that a small file cannot hold. A plain file's size caps the allocation up
    /// front; a compressed file's buffer starts at most at `initialCapacity` and grows.
    func read(upTo count: Int, initialCapacity: Int = 1 << 26) throws(ImageDataError) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(min(count, remainingBound ?? initialCapacity))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: min(count, 1 << 20), alignment: 16)
        defer { scratch.deallocate() }
        while bytes.count < count {
            let want = min(count - bytes.count, scratch.count)
            let n = try read(into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<want]))
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: scratch[..<n]))
            if n < want { break }
        }
        return bytes
    }

    /// Reads the rest of the contents without keeping it; returns how many bytes there were.
    func skipToEnd() throws(ImageDataError) -> Int {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { scratch.deallocate() }
        var skipped = 0
        while true {
            let n = try read(into: scratch)
            skipped += n
            if n < scratch.count { return skipped }
        }
    }
}
