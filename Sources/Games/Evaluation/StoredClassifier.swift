import Foundation
import Optim
import Tensor

/// An evaluation classifier on disk: a checkpoint directory (`Optim.Checkpoint`, written
/// atomically) whose configuration records what the classifier is and how good it is. Its
/// identity in metric protocols is the data set, the architecture and the FNV-1a hash of the
/// weight file, with the test accuracy beside it.
public struct StoredClassifier: Sendable {
    /// What the checkpoint's configuration holds.
    public struct Record: Codable, Sendable, Equatable {
        public var format: String = "equilibrium-evaluation-classifier"
        public var dataset: String
        public var imageShape: [Int]
        public var classes: Int
        public var architecture: String
        public var training: EvaluationClassifier.TrainingSettings
        public var trainCount: Int
        public var testCount: Int
        public var testAccuracy: Double
        public var trainSeconds: Double

        public init(dataset: String, imageShape: [Int], classes: Int, architecture: String,
                    training: EvaluationClassifier.TrainingSettings, trainCount: Int, testCount: Int, testAccuracy: Double,
                    trainSeconds: Double) {
            self.dataset = dataset
            self.imageShape = imageShape
            self.classes = classes
            self.architecture = architecture
            self.training = training
            self.trainCount = trainCount
            self.testCount = testCount
            self.testAccuracy = testAccuracy
            self.trainSeconds = trainSeconds
        }
    }

    public let record: Record
    /// FNV-1a 64 of the weight file (from the checkpoint manifest).
    public let weightsHash: String
    public let directory: String

    /// "fashion-mnist-cnn-1a2b3c4d".
    public var id: String { "\(record.dataset)-cnn-\(weightsHash.prefix(8))" }

    public enum Failure: Error, CustomStringConvertible {
        case unreadable(String, String)
        case notAClassifier(String)

        public var description: String {
            switch self {
            case .unreadable(let path, let why): return "cannot read the classifier at \(path): \(why)"
            case .notAClassifier(let path): return "\(path) is a checkpoint but not an evaluation classifier (train one with `equilibrium classifier train`)"
            }
        }
    }

    /// Writes `classifier` with `record` to `directory` (atomically) and returns it as stored.
    public static func save(_ classifier: EvaluationClassifier, record: Record, to directory: String) throws -> StoredClassifier {
        var checkpoint = Checkpoint(step: 0, key: RandomKey(seed: record.training.seed), config: try JSONValue(encoding: record))
        checkpoint.store(module: classifier.network, prefix: "classifier")
        try checkpoint.write(to: directory)
        return StoredClassifier(record: record, weightsHash: try manifestHash(directory), directory: directory)
    }

    /// Reads a stored classifier and rebuilds the network.
    public static func load(from directory: String) throws -> (classifier: EvaluationClassifier, stored: StoredClassifier) {
        let checkpoint: Checkpoint
        do { checkpoint = try Checkpoint.read(from: directory) } catch { throw Failure.unreadable(directory, "\(error)") }
        guard let record = try? checkpoint.config(as: Record.self), record.format == Record().format else {
            throw Failure.notAClassifier(directory)
        }
        let classifier = EvaluationClassifier(imageShape: record.imageShape, classes: record.classes, key: RandomKey(seed: 0))
        do { try checkpoint.restore(module: classifier.network, prefix: "classifier") } catch {
            throw Failure.unreadable(directory, "\(error)")
        }
        return (classifier, StoredClassifier(record: record, weightsHash: try manifestHash(directory), directory: directory))
    }

    static func manifestHash(_ directory: String) throws -> String {
        let path = (directory as NSString).appendingPathComponent(Checkpoint.manifestFileName)
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let hash = object["tensors_fnv1a64"] as? String else {
            throw Failure.unreadable(directory, "no tensors_fnv1a64 in \(path)")
        }
        return hash
    }
}

extension StoredClassifier.Record {
    /// A placeholder used only to read the format name.
    init() {
        self.init(dataset: "", imageShape: [], classes: 0, architecture: "", training: .init(), trainCount: 0, testCount: 0,
                  testAccuracy: 0, trainSeconds: 0)
    }
}
