import Foundation
import Testing
import Tensor

@Suite struct AtomicFileTests {
    @Test func writesAndReplacesWithoutLeavingTemporaries() throws {
        let directory = temporaryDirectory("atomic")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/data.bin"
        try AtomicFile.write([1, 2, 3], to: path)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == [1, 2, 3])
        try AtomicFile.write([9], to: path)
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == [9])
        try AtomicFile.write([], to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["data.bin"])
    }

    @Test func missingDirectoryIsATypedError() {
        do {
            try AtomicFile.write([1], to: "/nonexistent-equilibrium-dir/x.bin")
            Issue.record("expected an error")
        } catch {
            #expect(error.operation == "open")
            #expect(error.code == ENOENT)
        }
    }
}
