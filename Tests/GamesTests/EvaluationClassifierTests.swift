import Datasets
import Foundation
import Optim
@testable import Games
import Tensor
import Testing

/// The evaluation classifier: it learns an easy image task, it is saved and restored exactly
/// (same predictions, same identity), and a checkpoint that is not a classifier is refused.
@Suite struct EvaluationClassifierTests {
    /// Class k lights up quadrant k of an 8×8 image, on top of noise.
    static func quadrants(_ n: Int, seed: UInt64) -> LabeledImages {
        let labels = (0..<n).map { $0 % 4 }
        var values = Tensor.uniform([n, 1, 8, 8], low: -1, high: 0, key: RandomKey(seed: seed)).doubles
        for (i, label) in labels.enumerated() {
            let (top, left) = (label / 2 * 4, label % 2 * 4)
            for y in top..<(top + 4) { for x in left..<(left + 4) { values[i * 64 + y * 8 + x] += 1.5 } }
        }
        return LabeledImages(images: Tensor(values, shape: [n, 1, 8, 8]).cast(to: .float32), labels: labels)
    }

    @Test func learnsAndRoundTrips() throws {
        let train = Self.quadrants(512, seed: 1), test = Self.quadrants(128, seed: 2)
        let settings = EvaluationClassifier.TrainingSettings(epochs: 2, batchSize: 32, seed: 3)
        var losses: [Double] = []
        let classifier = EvaluationClassifier.train(on: train, settings: settings) { _, _, loss in losses.append(loss) }
        #expect(losses.count == 2 * (512 / 32))
        #expect(losses.last! < losses.first!)
        let accuracy = classifier.accuracy(on: test)
        #expect(accuracy >= 0.95)
        let (features, probabilities) = classifier.evaluate(test.images, batchSize: 50)
        #expect(features.shape == [128, EvaluationClassifier.featureCount] && probabilities.shape == [128, 4])
        #expect(probabilities.sum(axes: [1]).doubles.allSatisfy { abs($0 - 1) < 1e-5 })

        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eq-classifier-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let record = StoredClassifier.Record(dataset: "quadrants", imageShape: [1, 8, 8], classes: 4,
                                             architecture: EvaluationClassifier.architecture, training: settings,
                                             trainCount: 512, testCount: 128, testAccuracy: accuracy, trainSeconds: 0)
        let saved = try StoredClassifier.save(classifier, record: record, to: directory)
        let (restored, stored) = try StoredClassifier.load(from: directory)
        #expect(stored.id == saved.id && stored.id.hasPrefix("quadrants-cnn-") && stored.record == record)
        // Bit for bit at the same evaluation batch size (another size regroups the GEMMs).
        let before = classifier.evaluate(test.images).probabilities.doubles
        let after = restored.evaluate(test.images).probabilities.doubles
        #expect(before == after, "largest difference \(zip(before, after).map { abs($0 - $1) }.max() ?? 0)")
        #expect(zip(probabilities.doubles, after).allSatisfy { abs($0 - $1) < 1e-5 })
        // The same seed trains the same classifier: the same weight hash.
        let again = try StoredClassifier.save(EvaluationClassifier.train(on: train, settings: settings), record: record,
                                              to: directory + "-again")
        defer { try? FileManager.default.removeItem(atPath: directory + "-again") }
        #expect(again.weightsHash == saved.weightsHash)
    }

    @Test func refusesOtherCheckpoints() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("eq-not-classifier-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try Checkpoint(step: 3, key: RandomKey(seed: 0)).write(to: directory)
        #expect(throws: StoredClassifier.Failure.self) { _ = try StoredClassifier.load(from: directory) }
        #expect(throws: StoredClassifier.Failure.self) { _ = try StoredClassifier.load(from: directory + "-missing") }
    }
}
