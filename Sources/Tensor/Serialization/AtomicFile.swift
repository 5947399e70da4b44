#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so that a reader sees either the old contents or the new, never a mix,
/// even if the process or the machine dies mid-write.
///
/// The bytes go to a temporary file in the target's directory (same file system, so the
/// rename is atomic), the file is fsynced (its data is on disk before it gets the name),
/// renamed over the target, and the directory is fsynced (the rename itself is on disk).
public enum AtomicFile {
    /// A failed step of an atomic write: the path, the system call, and errno's text.
    public struct WriteError: Error, Equatable, CustomStringConvertible {
        public let path: String
        public let operation: String
        public let code: Int32

        public var description: String {
            "\(path): \(operation) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }

    /// Replaces the file at `path` with `bytes` atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(WriteError) {
        let directory = directoryName(of: path)
        let base = path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
        // A random suffix (not a seeded key: temp names affect no result) plus O_EXCL keeps
        // concurrent writers of the same target from sharing a temporary file.
        var temporary = ""
        var fd: Int32 = -1
        for _ in 0..<16 {
            temporary = directory + "/." + base + ".tmp-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            if fd >= 0 || errno != EEXIST { break }
        }
        guard fd >= 0 else { throw WriteError(path: temporary, operation: "open", code: errno) }

        func abandon(_ operation: String, _ code: Int32) -> WriteError {
            close(fd)
            unlink(temporary)
            return WriteError(path: temporary, operation: operation, code: code)
        }

        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { raw in
                systemWrite(fd, raw.baseAddress! + written, raw.count - written)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw abandon("write", errno)
            }
            written += n
        }
        if fsync(fd) != 0 { throw abandon("fsync", errno) }
        if close(fd) != 0 {
            let code = errno
            unlink(temporary)
            throw WriteError(path: temporary, operation: "close", code: code)
        }
        if rename(temporary, path) != 0 {
            let code = errno
            unlink(temporary)
            throw WriteError(path: path, operation: "rename", code: code)
        }
        let dirFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard dirFD >= 0 else { throw WriteError(path: directory, operation: "open directory", code: errno) }
        defer { close(dirFD) }
        if fsync(dirFD) != 0 { throw WriteError(path: directory, operation: "fsync directory", code: errno) }
    }

    /// The C library's write(2); `write` alone would name `AtomicFile.write` here.
    private static func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
        #if canImport(Darwin)
        return Darwin.write(fd, buffer, count)
        #elseif canImport(Glibc)
        return Glibc.write(fd, buffer, count)
        #else
        return Musl.write(fd, buffer, count)
        #endif
    }

    /// The directory part of a path ("." for a bare file name).
    static func directoryName(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }
}
