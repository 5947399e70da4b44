import Foundation
import NN
import Tensor

/// Everything needed to resume a run exactly, saved as a directory of two files:
///
/// - `tensors.safetensors`: every tensor, named "<section>.<name>", e.g. "g.layers.0.weight"
///   (module parameters and state), "opt_g.exp_avg.layers.0.weight" (optimiser state),
///   "ema_g.shadow.layers.0.weight". Readable by PyTorch/JAX users with `safetensors`.
/// - `checkpoint.json`: format name and version, step, random key, the run configuration (any
///   JSON), the sections and their kinds, and the tensor file's size and FNV-1a hash.
///
/// Both files are written atomically, tensors first; the manifest's hash ties the pair, so a
/// crash between the two writes, or files copied from different checkpoints, is detected on
/// reading rather than silently resumed. Values round-trip bit for bit.
public struct Checkpoint: Sendable {
    public static let formatName = "equilibrium-checkpoint"
    public static let formatVersion = 1
    public static let manifestFileName = "checkpoint.json"
    public static let tensorsFileName = "tensors.safetensors"

    /// What a section holds, so restoring checks it gets what it expects.
    public enum SectionKind: String, Codable, Sendable {
        case module, optimizer, tensors
    }

    /// Training step at which the checkpoint was taken.
    public var step: Int
    /// The run's random key at that step.
    public var key: RandomKey
    /// The run configuration.
    public var config: JSONValue
    /// Section prefix → kind.
    public private(set) var sections: [String: SectionKind] = [:]
    /// All tensors by full name ("<section>.<name>").
    public private(set) var tensors: [String: Tensor] = [:]

    public init(step: Int, key: RandomKey, config: JSONValue = .object([:])) {
        precondition(step >= 0, "Checkpoint: step must be non-negative, got \(step)")
        self.step = step
        self.key = key
        self.config = config
    }

    /// A checkpoint whose configuration is any `Encodable` value.
    public init(step: Int, key: RandomKey, config: some Encodable) throws {
        self.init(step: step, key: key, config: try JSONValue(encoding: config))
    }

    /// The configuration decoded as `type`.
    public func config<C: Decodable>(as type: C.Type) throws -> C {
        try config.decode(C.self)
    }

    // MARK: Storing

    /// Stores a module's parameters and state under `prefix` (replacing an earlier section).
    public mutating func store(module: some Module, prefix: String) {
        let parameters = module.parameters, state = module.state
        let shared = Set(parameters.keys).intersection(state.keys)
        precondition(shared.isEmpty, "Checkpoint.store(module:): names used for both a parameter and state: \(shared.sorted())")
        store(parameters.merging(state) { a, _ in a }, prefix: prefix, kind: .module)
    }

    /// Stores an optimiser's state (learning rate and buffers) under `prefix`.
    public mutating func store(optimizer: some Optimizer, prefix: String) {
        store(optimizer.state, prefix: prefix, kind: .optimizer)
    }

    /// Stores any named tensors (an EMA's state, a population) under `prefix`.
    public mutating func store(tensors values: [String: Tensor], prefix: String) {
        store(values, prefix: prefix, kind: .tensors)
    }

    private mutating func store(_ values: [String: Tensor], prefix: String, kind: SectionKind) {
        precondition(Self.isValidPrefix(prefix), "Checkpoint: section prefix \"\(prefix)\" must be non-empty and contain no '.'")
        if sections[prefix] != nil {
            tensors = tensors.filter { !$0.key.hasPrefix(prefix + ".") }
        }
        sections[prefix] = kind
        for (name, tensor) in values { tensors[prefix + "." + name] = tensor.detached() }
    }

    static func isValidPrefix(_ prefix: String) -> Bool { !prefix.isEmpty && !prefix.contains(".") }

    // MARK: Restoring

    /// The tensors of a section, names without the prefix.
    public func tensors(prefix: String, kind: SectionKind = .tensors) throws(CheckpointError) -> [String: Tensor] {
        guard let found = sections[prefix] else { throw .missingSection(prefix: prefix) }
        guard found == kind else { throw .wrongSectionKind(prefix: prefix, expected: kind, found: found) }
        var values: [String: Tensor] = [:]
        for (name, tensor) in tensors where name.hasPrefix(prefix + ".") {
            values[String(name.dropFirst(prefix.count + 1))] = tensor
        }
        return values
    }

    /// Loads a module section into `module`. Every parameter and state entry of the module
    /// must be present with its shape and dtype, and nothing else; nothing is changed unless
    /// everything matches.
    public func restore(module: some Module, prefix: String) throws(CheckpointError) {
        let values = try tensors(prefix: prefix, kind: .module)
        let current = [module.parameters, module.state]
        var split: [[String: Tensor]] = [[:], [:]]
        for (name, tensor) in values {
            guard let part = current.firstIndex(where: { $0[name] != nil }) else { throw .unexpectedTensor(prefix + "." + name) }
            let expected = current[part][name]!
            guard tensor.shape == expected.shape else { throw .shapeMismatch(name: prefix + "." + name, expected: expected.shape, got: tensor.shape) }
            guard tensor.dtype == expected.dtype else { throw .dtypeMismatch(name: prefix + "." + name, expected: expected.dtype, got: tensor.dtype) }
            split[part][name] = tensor
        }
        for part in current {
            for name in part.keys.sorted() where values[name] == nil { throw .missingTensor(prefix + "." + name) }
        }
        do {
            try module.setParameters(split[0])
            try module.setState(split[1])
        } catch {
            throw .restoreFailed(prefix: prefix, reason: String(describing: error))
        }
    }

    /// Loads an optimiser section into `optimizer`; with `parameters`, also checks every
    /// buffer against the parameter it belongs to.
    public func restore(optimizer: inout some Optimizer, prefix: String,
                        parameters: [String: Tensor]? = nil) throws(CheckpointError) {
        let values = try tensors(prefix: prefix, kind: .optimizer)
        var candidate = optimizer
        do {
            try candidate.loadState(values)
            if let parameters { try candidate.validateState(for: parameters) }
        } catch let error as OptimizerStateError {
            throw .optimizerState(prefix: prefix, error)
        } catch {
            throw .restoreFailed(prefix: prefix, reason: String(describing: error))
        }
        optimizer = candidate
    }

    /// Loads a tensors section into an exponential moving average.
    public func restore(average: inout ExponentialMovingAverage, prefix: String) throws(CheckpointError) {
        let values = try tensors(prefix: prefix)
        do {
            try average.loadState(values)
        } catch {
            throw .optimizerState(prefix: prefix, error)
        }
    }

    // MARK: Files

    private struct Manifest: Codable {
        var format: String
        var formatVersion: Int
        var step: Int
        var key: RandomKey
        var config: JSONValue
        var sections: [String: SectionKind]
        var tensorsFile: String
        var tensorsBytes: Int
        var tensorsFNV1a64: String

        enum CodingKeys: String, CodingKey {
            case format, step, key, config, sections
            case formatVersion = "format_version"
            case tensorsFile = "tensors_file"
            case tensorsBytes = "tensors_bytes"
            case tensorsFNV1a64 = "tensors_fnv1a64"
        }
    }

    /// The metadata written into the safetensors header, checked against the manifest.
    private var tensorMetadata: [String: String] {
        ["format": Self.formatName, "format_version": String(Self.formatVersion), "step": String(step)]
    }

    /// Writes the checkpoint into `directory` (created if needed), replacing an earlier one.
    public func write(to directory: String) throws(CheckpointError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw .io(path: directory, operation: "create directory", reason: error.localizedDescription)
        }
        let tensorsPath = directory + "/" + Self.tensorsFileName
        let manifestPath = directory + "/" + Self.manifestFileName
        let bytes: [UInt8]
        do {
            bytes = try SafeTensors.encode(SafeTensors.Contents(tensors: tensors, metadata: tensorMetadata), file: tensorsPath)
        } catch {
            throw .tensors(error)
        }
        let manifest = Manifest(format: Self.formatName, formatVersion: Self.formatVersion, step: step, key: key,
                                config: config, sections: sections, tensorsFile: Self.tensorsFileName,
                                tensorsBytes: bytes.count, tensorsFNV1a64: Self.fnv1a64(bytes))
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let manifestBytes: [UInt8]
        do {
            manifestBytes = [UInt8](try encoder.encode(manifest)) + [0x0A]
        } catch {
            throw .invalidManifest(path: manifestPath, reason: "cannot encode: \(error)")
        }
        do {
            try AtomicFile.write(bytes, to: tensorsPath)
            try AtomicFile.write(manifestBytes, to: manifestPath)
        } catch {
            throw .io(path: error.path, operation: error.operation, reason: error.description)
        }
    }

    /// Reads and checks a checkpoint directory written by `write(to:)`.
    public static func read(from directory: String) throws(CheckpointError) -> Checkpoint {
        let manifestPath = directory + "/" + manifestFileName
        let manifestData: Data
        do {
            manifestData = try Data(contentsOf: URL(fileURLWithPath: manifestPath))
        } catch {
            throw .io(path: manifestPath, operation: "read", reason: error.localizedDescription)
        }
        let manifest: Manifest
        do {
            manifest = try JSONDecoder().decode(Manifest.self, from: manifestData)
        } catch {
            throw .invalidManifest(path: manifestPath, reason: String(describing: error))
        }
        guard manifest.format == formatName, manifest.formatVersion == formatVersion else {
            throw .unsupportedFormat(path: manifestPath, format: manifest.format, version: manifest.formatVersion)
        }
        guard manifest.step >= 0 else { throw .invalidManifest(path: manifestPath, reason: "negative step \(manifest.step)") }
        guard !manifest.tensorsFile.isEmpty, !manifest.tensorsFile.contains("/"), manifest.tensorsFile != "..", manifest.tensorsFile != "." else {
            throw .invalidManifest(path: manifestPath, reason: "tensors_file \"\(manifest.tensorsFile)\" is not a file name in the checkpoint directory")
        }
        for prefix in manifest.sections.keys where !isValidPrefix(prefix) { throw .invalidPrefix(prefix) }

        let tensorsPath = directory + "/" + manifest.tensorsFile
        let bytes: [UInt8]
        do {
            bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: tensorsPath)))
        } catch {
            throw .io(path: tensorsPath, operation: "read", reason: error.localizedDescription)
        }
        guard bytes.count == manifest.tensorsBytes else {
            throw .tensorsFileMismatch(path: tensorsPath, reason: "\(bytes.count) bytes, manifest says \(manifest.tensorsBytes)")
        }
        let hash = fnv1a64(bytes)
        guard hash == manifest.tensorsFNV1a64 else {
            throw .tensorsFileMismatch(path: tensorsPath, reason: "FNV-1a hash \(hash), manifest says \(manifest.tensorsFNV1a64)")
        }
        let contents: SafeTensors.Contents
        do {
            contents = try SafeTensors.decode(bytes, file: tensorsPath)
        } catch {
            throw .tensors(error)
        }
        var checkpoint = Checkpoint(step: manifest.step, key: manifest.key, config: manifest.config)
        guard contents.metadata == checkpoint.tensorMetadata else {
            throw .tensorsFileMismatch(path: tensorsPath, reason: "metadata \(contents.metadata.sorted { $0.key < $1.key }), expected \(checkpoint.tensorMetadata.sorted { $0.key < $1.key })")
        }
        for name in contents.tensors.keys.sorted() {
            guard let dot = name.firstIndex(of: "."), manifest.sections[String(name[..<dot])] != nil else {
                throw .unsectionedTensor(name)
            }
        }
        checkpoint.sections = manifest.sections
        checkpoint.tensors = contents.tensors
        return checkpoint
    }

    /// 64-bit FNV-1a of the bytes as 16 hex digits: cheap, and enough to tell files apart
    /// (this guards against mix-ups and torn writes, not against tampering).
    static func fnv1a64(_ bytes: [UInt8]) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let hex = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }
}
