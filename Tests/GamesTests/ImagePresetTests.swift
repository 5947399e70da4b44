import Datasets
import Foundation
@testable import Games
import Tensor
import Testing

/// The image presets on small image files written by the test (an MNIST-style IDX directory
/// and a CIFAR-10 batch directory): each builds, its players fit its images, and one training
/// step runs; and the config errors that image data brings.
@Suite struct ImagePresetTests {
    static func idxBytes(magic: UInt8, dimensions: [Int], payload: [UInt8]) -> Data {
        var bytes: [UInt8] = [0, 0, 0x08, magic]
        for d in dimensions { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
        return Data(bytes + payload)
    }

    /// A directory with MNIST's four file names: n train and n / 2 test images of 28×28.
    static func mnistLike(_ n: Int) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eq-idx-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        for (prefix, count) in [("train", n), ("t10k", n / 2)] {
            let pixels = (0..<(count * 784)).map { UInt8(($0 * 37) % 256) }
            try idxBytes(magic: 3, dimensions: [count, 28, 28], payload: pixels)
                .write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
            try idxBytes(magic: 1, dimensions: [count], payload: (0..<count).map { UInt8($0 % 10) })
                .write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
        }
        return directory
    }

    /// A CIFAR-10 binary directory with one training batch of n records.
    static func cifarLike(_ n: Int) throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eq-cifar-\(UUID())").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var bytes: [UInt8] = []
        for i in 0..<n { bytes += [UInt8(i % 10)] + (0..<3072).map { UInt8(($0 + i) % 256) } }
        try Data(bytes).write(to: URL(fileURLWithPath: "\(directory)/data_batch_1.bin"))
        return directory
    }

    @Test(arguments: TrainingPresets.imagePresetNames)
    func buildsFitsAndSteps(_ name: String) throws {
        let directory = name == "dcgan-cifar10" ? try Self.cifarLike(80) : try Self.mnistLike(80)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var config = try TrainingPresets.named(name)
        let stacked = config.data.images!.hasPrefix(ImageData.stackedPrefix)
        config.data.images = (stacked ? ImageData.stackedPrefix : "") + directory
        config.batchSize = 8
        try config.validate()
        let setup = try config.makeSetup()
        let shape = name == "dcgan-cifar10" || stacked ? [3, 28 + (name == "dcgan-cifar10" ? 4 : 0), 28 + (name == "dcgan-cifar10" ? 4 : 0)] : [1, 28, 28]
        #expect(setup.data.sampleShape == shape)
        let z = setup.game.sampleLatent(3, key: RandomKey(seed: 1))
        #expect(setup.game.generator(z).shape == [3] + shape)
        #expect(setup.game.discriminator(setup.data.sample(3, key: RandomKey(seed: 2))).shape == [3, 1])
        let report = try setup.trainer.step(from: setup.data)
        #expect(report.discriminatorLoss.isFinite && report.generatorLoss.isFinite)
    }

    @Test func imagePresetsUseTheirPapersSettings() throws {
        let dragan = try TrainingPresets.named("dcgan-fashion-dragan")
        #expect(dragan.penalties == ["dragan"] && !dragan.discriminator.batchNorm && dragan.generator.batchNorm)
        let wgan = try TrainingPresets.named("dcgan-fashion-wgan-gp")
        #expect(wgan.objective == "wgan" && wgan.penalties == ["wgan-gp"] && wgan.schedule == "ratio:5:1")
        #expect(wgan.discriminator.optimizer == OptimizerSpec(name: "adam", lr: 1e-4, beta1: 0.5, beta2: 0.9))
        let notebook = try TrainingPresets.named("dragan-mnist-mlp")
        #expect(notebook.generator.widths == [128] && notebook.latent == "uniform" && notebook.batchSize == 128)
        #expect(notebook.paperSteps == 199_999 && notebook.penaltyWeight == 10)
    }

    @Test func imageConfigErrorsNameTheField() throws {
        var config = try TrainingPresets.named("dcgan-fashion")
        config.data.images = "/nonexistent/eq-images"
        #expect(throws: GANConfigError.self) { try config.validate() }
        config.data.images = "no-such-set"
        #expect(throws: GANConfigError.self) { try config.validate() }

        var synthetic = try TrainingPresets.named("pacgan-ring")
        synthetic.generator.architecture = "dcgan"
        #expect { try synthetic.validate() } throws: { "\($0)".contains("need image data") }
        synthetic = try TrainingPresets.named("pacgan-ring")
        synthetic.classifier = "classifiers/x"
        #expect { try synthetic.validate() } throws: { "\($0)".contains("classifier") }
        synthetic = try TrainingPresets.named("pacgan-ring")
        synthetic.generator.spectralNorm = true
        #expect { try synthetic.validate() } throws: { "\($0)".contains("spectral_norm") }
    }

    /// A config file (or an old config.json) without the fields added for images still decodes.
    @Test func configsWithoutImageFieldsStillDecode() throws {
        let config = try TrainingPresets.named("pacgan-ring")
        var object = try JSONSerialization.jsonObject(with: try GANConfig.jsonEncoder().encode(config)) as! [String: Any]
        for player in ["generator", "discriminator"] {
            var spec = object[player] as! [String: Any]
            for key in ["architecture", "width", "spectral_norm"] { spec[key] = nil }
            object[player] = spec
        }
        let decoded = try GANConfig.jsonDecoder().decode(GANConfig.self, from: try JSONSerialization.data(withJSONObject: object))
        #expect(decoded == config)
    }
}
