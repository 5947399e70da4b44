#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file read front to back with POSIX calls, so the readers pull it in chunks of
/// their choosing instead of loading it whole (as `Data(contentsOf:)` would) and copying it.
final class RawFile {
    let path: String
    /// Size on disk when opened.
    let size: Int
    private let descriptor: Int32

    init(path: String) throws(ImageDataError) {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw RawFile.failure(path, "open", errno) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw RawFile.failure(path, "fstat", code)
        }
        self.path = path
        self.size = Int(info.st_size)
        self.descriptor = descriptor
    }

    deinit { close(descriptor) }

    /// Reads up to `buffer.count` bytes at the current position: 0 only at the end of the file.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ImageDataError) -> Int {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let n = RawFile.systemRead(descriptor, base, buffer.count)
            if n >= 0 { return n }
            if errno != EINTR { throw RawFile.failure(path, "read", errno) }
        }
    }

    /// Up to `count` bytes from the start of the file, without moving the read position.
    func peekStart(_ count: Int) throws(ImageDataError) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = bytes.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + got, count - got, off_t(got))
            }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                throw RawFile.failure(path, "read", errno)
            }
            got += n
        }
        return Array(bytes[..<got])
    }

    private static func failure(_ path: String, _ operation: String, _ code: Int32) -> ImageDataError {
        ImageDataError(file: path, problem: .io(operation: operation, reason: "\(String(cString: strerror(code))) (errno \(code))"))
    }

    private static func systemRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.read(fd, buffer, count)
        #elseif canImport(Glibc)
        return Glibc.read(fd, buffer, count)
        #else
        return Musl.read(fd, buffer, count)
        #endif
    }
}
