import Foundation
import Testing
import NN
import Tensor
import Optim

@Suite struct CheckpointTests {
    struct RunConfig: Codable, Equatable {
        var name: String
        var seed: UInt64
        var learningRates: [String: Double]
        var steps: Int
    }

    /// A toy quadratic game piece: loss = Σ a·(w − c)² + (b − 1)², with a noisy gradient so
    /// the random key matters for exact resume.
    final class Quadratic {
        let module = TinyModule(parameters: ["w": Tensor([Float(0.5), -1.5, 2]), "b": Tensor([Float(0)])],
                                state: ["calls": Tensor([Float(0)])])
        var adam = Adam(learningRate: 0.05, beta1: 0.5, beta2: 0.9)
        var ema: ExponentialMovingAverage
        var key = RandomKey(seed: 7)
        var step = 0

        init() { ema = ExponentialMovingAverage(decay: 0.9, module: module, warmup: true) }

        func train(steps: Int) throws {
            for _ in 0..<steps {
                let parameters = module.parameters
                let w = parameters["w"]!, b = parameters["b"]!
                let noise = Tensor.normal([3], mean: 0, std: 0.1, key: key.split())
                let a = Tensor([Float(1), 2, 3])
                let loss = (a * (w - Tensor([Float(1), 2, 3]) + noise).squared()).sum() + (b - 1).squared().sum()
                let grads = gradients(of: loss, wrt: [w, b])
                try adam.update(module, gradients: ["w": grads[0], "b": grads[1]])
                try module.setState(["calls": module.state["calls"]! + 1])
                ema.update(from: module)
                step += 1
            }
        }

        func checkpoint(config: RunConfig) throws -> Checkpoint {
            var c = try Checkpoint(step: step, key: key, config: config)
            c.store(module: module, prefix: "g")
            c.store(optimizer: adam, prefix: "opt_g")
            c.store(tensors: ema.state, prefix: "ema_g")
            return c
        }

        func restore(_ c: Checkpoint) throws {
            try c.restore(module: module, prefix: "g")
            try c.restore(optimizer: &adam, prefix: "opt_g", parameters: module.parameters)
            try c.restore(average: &ema, prefix: "ema_g")
            key = c.key
            step = c.step
        }
    }

    let config = RunConfig(name: "quadratic", seed: UInt64.max - 1, learningRates: ["g": 0.05, "d": 1e-4], steps: 20)

    @Test func resumeIsBitIdentical() throws {
        let n = 10
        let straight = Quadratic()
        try straight.train(steps: 2 * n)

        let first = Quadratic()
        try first.train(steps: n)
        let directory = temporaryDirectory("resume")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try first.checkpoint(config: config).write(to: directory)

        let resumed = Quadratic()
        let loaded = try Checkpoint.read(from: directory)
        #expect(try loaded.config(as: RunConfig.self) == config)
        #expect(loaded.step == n)
        try resumed.restore(loaded)
        try resumed.train(steps: n)

        for (name, value) in straight.module.parameters {
            #expect(bitIdentical(value, resumed.module.parameters[name]!), "parameter \(name)")
        }
        #expect(bitIdentical(straight.module.state["calls"]!, resumed.module.state["calls"]!))
        for (name, value) in straight.adam.state { #expect(bitIdentical(value, resumed.adam.state[name]!), "optimizer \(name)") }
        for (name, value) in straight.ema.shadow { #expect(bitIdentical(value, resumed.ema.shadow[name]!), "ema \(name)") }
        #expect(straight.key == resumed.key)
        // Training actually moved the parameters towards the minimum.
        #expect(abs(straight.module.parameters["b"]!.item - 1) < abs(0 - 1))
    }

    @Test func roundTripKeepsEverything() throws {
        let q = Quadratic()
        try q.train(steps: 3)
        let original = try q.checkpoint(config: config)
        let directory = temporaryDirectory("roundtrip")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try original.write(to: directory)
        try original.write(to: directory)    // overwriting is atomic and leaves two files
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).sorted() == ["checkpoint.json", "tensors.safetensors"])
        let loaded = try Checkpoint.read(from: directory)
        #expect(loaded.sections == ["g": .module, "opt_g": .optimizer, "ema_g": .tensors])
        #expect(Set(loaded.tensors.keys) == Set(original.tensors.keys))
        for (name, value) in original.tensors { #expect(bitIdentical(value, loaded.tensors[name]!), "\(name)") }
        #expect(loaded.tensors["g.w"] != nil && loaded.tensors["opt_g.exp_avg.w"] != nil && loaded.tensors["ema_g.shadow.w"] != nil)
        #expect(loaded.config == original.config)
        #expect(loaded.key == original.key)
    }

    @Test func restoreChecksModelAndSections() throws {
        let q = Quadratic()
        try q.train(steps: 1)
        var c = try q.checkpoint(config: config)
        c.store(module: TinyModule(parameters: ["w": Tensor([Float(1), 2])]), prefix: "d")
        #expect(throws: CheckpointError.shapeMismatch(name: "d.w", expected: [3], got: [2])) { try c.restore(module: q.module, prefix: "d") }
        #expect(throws: CheckpointError.missingSection(prefix: "x")) { try c.restore(module: q.module, prefix: "x") }
        #expect(throws: CheckpointError.wrongSectionKind(prefix: "opt_g", expected: .module, found: .optimizer)) {
            try c.restore(module: q.module, prefix: "opt_g")
        }
        let bigger = TinyModule(parameters: ["w": Tensor([Float(0), 0, 0]), "b": Tensor([Float(0)]), "extra": Tensor([Float(0)])],
                                state: ["calls": Tensor([Float(0)])])
        #expect(throws: CheckpointError.missingTensor("g.extra")) { try c.restore(module: bigger, prefix: "g") }
        let smaller = TinyModule(parameters: ["w": Tensor([Float(0), 0, 0])], state: ["calls": Tensor([Float(0)])])
        #expect(throws: CheckpointError.unexpectedTensor("g.b")) { try c.restore(module: smaller, prefix: "g") }
        var sgd = SGD(learningRate: 0.1)
        #expect(throws: CheckpointError.optimizerState(prefix: "opt_g", .unknownKey("exp_avg.b", optimizer: "SGD", expected: ["lr"]))) {
            try c.restore(optimizer: &sgd, prefix: "opt_g")
        }
        #expect(sgd.learningRate == 0.1)
    }

    @Test func damagedCheckpointsAreRejected() throws {
        let q = Quadratic()
        try q.train(steps: 2)
        let directory = temporaryDirectory("damaged")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try q.checkpoint(config: config).write(to: directory)
        let tensorsPath = directory + "/tensors.safetensors", manifestPath = directory + "/checkpoint.json"
        let tensors = try Data(contentsOf: URL(fileURLWithPath: tensorsPath))
        let manifest = try String(contentsOfFile: manifestPath, encoding: .utf8)

        // Tensor file from elsewhere (same size, one byte changed): hash mismatch.
        var changed = [UInt8](tensors)
        changed[changed.count - 1] ^= 0x01
        try AtomicFile.write(changed, to: tensorsPath)
        guard case .tensorsFileMismatch = try readError(directory) else { Issue.record("expected tensorsFileMismatch"); return }
        try AtomicFile.write(Array(tensors), to: tensorsPath)
        _ = try Checkpoint.read(from: directory)

        try AtomicFile.write(Array(manifest.replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 2").utf8), to: manifestPath)
        #expect(try readError(directory) == .unsupportedFormat(path: manifestPath, format: Checkpoint.formatName, version: 2))
        try AtomicFile.write(Array("{\"format\": 3}".utf8), to: manifestPath)
        guard case .invalidManifest = try readError(directory) else { Issue.record("expected invalidManifest"); return }
        try AtomicFile.write(Array(manifest.replacingOccurrences(of: "\"tensors.safetensors\"", with: "\"..\\/x\"").utf8), to: manifestPath)
        guard case .invalidManifest = try readError(directory) else { Issue.record("expected invalidManifest for path"); return }
        try FileManager.default.removeItem(atPath: manifestPath)
        guard case .io = try readError(directory) else { Issue.record("expected io"); return }
    }

    func readError(_ directory: String) throws -> CheckpointError? {
        do {
            _ = try Checkpoint.read(from: directory)
            return nil
        } catch {
            return error
        }
    }

    @Test func configKeepsLargeIntegersAndDoublesExactly() throws {
        let value = try JSONValue(encoding: config)
        let data = try JSONEncoder().encode(value)
        let back = try JSONDecoder().decode(JSONValue.self, from: data)
        #expect(back == value)
        #expect(try back.decode(RunConfig.self) == config)
    }
}
