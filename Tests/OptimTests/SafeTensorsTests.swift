import Foundation
import Testing
import Tensor

@Suite struct SafeTensorsTests {
    /// A file from a header string and data bytes; `length` overrides the header length field.
    func file(_ header: String, data: [UInt8] = [], length: UInt64? = nil) -> [UInt8] {
        let h = Array(header.utf8)
        var bytes: [UInt8] = []
        withUnsafeBytes(of: (length ?? UInt64(h.count)).littleEndian) { bytes.append(contentsOf: $0) }
        return bytes + h + data
    }

    func problem(_ bytes: [UInt8]) -> SafeTensorsError.Problem? {
        do {
            _ = try SafeTensors.decode(bytes, file: "test.safetensors")
            return nil
        } catch {
            #expect(error.file == "test.safetensors")
            return error.problem
        }
    }

    var sample: SafeTensors.Contents {
        SafeTensors.Contents(tensors: [
            "w": Tensor((0..<12).map { Float($0) * 0.25 - 1 }, shape: [3, 4]),
            "b": Tensor([Double.pi, -0.0, .infinity, 1e-300], shape: [4]),
            "scalar": Tensor(scalar: 2.5, dtype: .float64),
            "scalar32": Tensor(scalar: -7, dtype: .float32),
            "empty": Tensor.zeros([0, 3]),
            "ünï \"quoted\"\n": Tensor([Float(1)]),
        ], metadata: ["step": "42", "note": "a \"b\" \\ c"])
    }

    @Test func roundTripIsBitExact() throws {
        let bytes = try SafeTensors.encode(sample)
        let decoded = try SafeTensors.decode(bytes)
        #expect(decoded.metadata == sample.metadata)
        #expect(Set(decoded.tensors.keys) == Set(sample.tensors.keys))
        for (name, tensor) in sample.tensors {
            #expect(bitIdentical(decoded.tensors[name]!, tensor), "\(name)")
        }
        #expect(decoded.tensors["scalar"]!.shape == [])
        #expect(decoded.tensors["empty"]!.shape == [0, 3])
    }

    @Test func layoutFollowsReferenceImplementation() throws {
        let bytes = try SafeTensors.encode(SafeTensors.Contents(tensors: [
            "a": Tensor([Float(1), 2, 3]), "b": Tensor([4.0]), "c": Tensor([Float(5)]),
        ]))
        let length = bytes[0..<8].enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) }
        #expect(length % 8 == 0)
        let header = String(decoding: bytes[8..<(8 + Int(length))], as: UTF8.self)
        // F64 first (alignment), then names in order; padding with spaces.
        #expect(header.hasPrefix(#"{"b":{"dtype":"F64","shape":[1],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[3],"data_offsets":[8,20]},"c":{"dtype":"F32","shape":[1],"data_offsets":[20,24]}}"#))
        #expect(header.hasSuffix(" ") || header.hasSuffix("}"))
        #expect(bytes.count == 8 + Int(length) + 24)
    }

    @Test func fileRoundTripThroughAtomicWrite() throws {
        let directory = temporaryDirectory("safetensors")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/model.safetensors"
        try SafeTensors.write(sample, to: path)
        try SafeTensors.write(sample, to: path)        // replaces
        let read = try SafeTensors.read(from: path)
        #expect(bitIdentical(read.tensors["w"]!, sample.tensors["w"]!))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["model.safetensors"])
        #expect(throws: SafeTensorsError.self) { try SafeTensors.read(from: directory + "/missing.safetensors") }
    }

    @Test func reservedNameCannotBeWritten() {
        #expect(throws: SafeTensorsError.self) {
            try SafeTensors.encode(SafeTensors.Contents(tensors: ["__metadata__": Tensor([Float(1)])]))
        }
    }

    // MARK: Malformed files: each throws the right problem, none crashes.

    let w = #"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#

    @Test func truncatedFile() throws {
        let valid = try SafeTensors.encode(sample)
        #expect(problem(Array(valid.dropLast(3))) == .truncated(needed: valid.count, available: valid.count - 3))
        #expect(problem([1, 0, 0]) == .truncated(needed: 8, available: 3))
        #expect(problem(file(w, data: [0, 0, 0, 0])) == .truncated(needed: 8 + w.utf8.count + 8, available: 8 + w.utf8.count + 4))
    }

    @Test func badHeaderLength() {
        #expect(problem(file(w, data: Array(repeating: 0, count: 8), length: 1_000_000_000_000))
                == .headerLengthOutOfRange(length: 1_000_000_000_000, fileSize: 8 + w.utf8.count + 8))
        #expect(problem(file("", length: 0)) == .headerLengthOutOfRange(length: 0, fileSize: 8))
        #expect(problem(file(w, length: UInt64.max)) == .headerLengthOutOfRange(length: UInt64.max, fileSize: 8 + w.utf8.count))
    }

    @Test func badJSON() {
        guard case .invalidJSON(let offset, _) = problem(file(#"{"w":{"dtype" "F32"}}"#)) else { Issue.record("expected invalidJSON"); return }
        #expect(offset == 8 + 14)
        guard case .invalidJSON = problem(file(#"{"w":1,"w":2}"#)) else { Issue.record("duplicate keys"); return }
        guard case .invalidJSON = problem(file(String(repeating: "[", count: 100_000))) else { Issue.record("deep nesting"); return }
        guard case .invalidJSON = problem(file("{\"\u{FF}\":1}".replacingOccurrences(of: "\u{FF}", with: "\\uD800"))) else { Issue.record("surrogate"); return }
        guard case .invalidJSON = problem(file(#"{"w":01}"#)) else { Issue.record("leading zero"); return }
        guard case .invalidHeader = problem(file("[1,2]")) else { Issue.record("not an object"); return }
        guard case .invalidHeader = problem(file(#"{"__metadata__":{"a":1}}"#)) else { Issue.record("metadata value"); return }
    }

    @Test func wrongDType() {
        let header = #"{"w":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}"#
        #expect(problem(file(header, data: Array(repeating: 0, count: 8))) == .unknownDType(tensor: "w", dtype: "F33"))
        let half = #"{"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}}"#
        #expect(problem(file(half, data: Array(repeating: 0, count: 4))) == .unsupportedDType(tensor: "w", dtype: "F16"))
        guard case .invalidHeader = problem(file(#"{"w":{"dtype":32,"shape":[2],"data_offsets":[0,8]}}"#)) else { Issue.record("dtype type"); return }
    }

    @Test func offsetsOutOfRange() {
        // 'b' starts past a gap and ends beyond the 16-byte data section.
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}}"#
        #expect(problem(file(header, data: Array(repeating: 0, count: 16))) == .offsetsOutOfRange(tensor: "b", offsets: [16, 24], dataSize: 16))
        let reversed = #"{"a":{"dtype":"F32","shape":[0],"data_offsets":[8,0]}}"#
        #expect(problem(file(reversed, data: Array(repeating: 0, count: 8))) == .offsetsOutOfRange(tensor: "a", offsets: [8, 0], dataSize: 8))
        let huge = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[18446744073709551607,18446744073709551615]}}"#
        #expect(problem(file(huge)) == .offsetsOutOfRange(tensor: "a", offsets: [18446744073709551607, 18446744073709551615], dataSize: 0))
        guard case .invalidHeader = problem(file(#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,18446744073709551616]}}"#)) else {
            Issue.record("offset beyond UInt64"); return
        }
    }

    @Test func offsetsNotMatchingShape() {
        let header = #"{"w":{"dtype":"F32","shape":[3,4],"data_offsets":[0,40]}}"#
        #expect(problem(file(header, data: Array(repeating: 0, count: 40)))
                == .sizeMismatch(tensor: "w", offsets: [0, 40], shape: [3, 4], dtype: "F32", needed: 48))
        let overflow = #"{"w":{"dtype":"F64","shape":[4294967296,4294967296],"data_offsets":[0,8]}}"#
        #expect(problem(file(overflow, data: Array(repeating: 0, count: 8))) == .invalidShape(tensor: "w", shape: [4294967296, 4294967296]))
        let hugeEmpty = #"{"w":{"dtype":"F32","shape":[0,18446744073709551615],"data_offsets":[0,0]}}"#
        #expect(problem(file(hugeEmpty)) == .invalidShape(tensor: "w", shape: [0, 18446744073709551615]))
        guard case .invalidHeader = problem(file(#"{"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}"#)) else { Issue.record("negative dim"); return }
    }

    @Test func overlapsGapsAndTrailingBytes() {
        let overlap = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#
        #expect(problem(file(overlap, data: Array(repeating: 0, count: 8))) == .overlappingOffsets(tensor: "b", other: "a"))
        let gap = #"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}}"#
        #expect(problem(file(gap, data: Array(repeating: 0, count: 12))) == .uncoveredBytes(offset: 4, length: 4))
        #expect(problem(file(w, data: Array(repeating: 0, count: 12))) == .uncoveredBytes(offset: 8, length: 4))
        guard case .invalidHeader = problem(file(#"{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8],"extra":1}}"#, data: Array(repeating: 0, count: 8))) else {
            Issue.record("unknown field"); return
        }
        guard case .invalidHeader = problem(file(#"{"w":{"dtype":"F32","shape":[2]}}"#)) else { Issue.record("missing offsets"); return }
    }

    @Test func randomCorruptionNeverCrashes() throws {
        let valid = try SafeTensors.encode(sample)
        var stream = RandomStream(key: RandomKey(seed: 2024))
        var failures = 0
        for _ in 0..<3000 {
            var bytes = valid
            switch stream.nextInt(below: 3) {
            case 0: bytes = Array(bytes.prefix(stream.nextInt(below: bytes.count)))
            case 1:
                for _ in 0...stream.nextInt(below: 4) {
                    bytes[stream.nextInt(below: bytes.count)] = UInt8(stream.nextInt(below: 256))
                }
            default:
                let i = stream.nextInt(below: min(bytes.count, 200))
                bytes[i] = [UInt8(ascii: "{"), UInt8(ascii: "]"), UInt8(ascii: "\""), UInt8(ascii: "9"), 0][stream.nextInt(below: 5)]
            }
            if problem(bytes) != nil { failures += 1 }
        }
        #expect(failures > 1000)
    }
}
