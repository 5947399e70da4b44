import Datasets
import Foundation
import NN
import Optim
import Tensor

/// The in-repo classifier behind the image metrics (`benchmarks.md` §5–7): a small CNN
/// trained with a fixed seed on the real training split, whose softmax gives the classifier
/// score and the Stacked-MNIST channel labels, and whose penultimate layer gives the features
/// of FCD and precision/recall. Its test accuracy and the hash of its weight file go into
/// every number computed with it.
///
/// Architecture [G]: Conv(C→32, k 4, s 2, p 1) → leaky-ReLU 0.2 → Conv(32→64, k 4, s 2, p 1)
/// → leaky-ReLU 0.2 → Flatten → Linear(64·(H/4)² → 128) → ReLU (the 128 features) →
/// Linear(128 → classes). PyTorch's default initialisation; no BatchNorm or dropout, so the
/// features do not depend on a batch or a mode.
public final class EvaluationClassifier {
    public let imageShape: [Int]
    public let classes: Int
    /// Image → the 128 penultimate features.
    public let body: Sequential
    public let head: Linear

    public static let featureCount = 128
    public static let architecture = "conv32-conv64-fc128 (k4 s2 p1, leaky-relu 0.2)"

    public init(imageShape: [Int], classes: Int, key: RandomKey) {
        precondition(imageShape.count == 3 && imageShape[1] % 4 == 0 && imageShape[2] % 4 == 0,
                     "EvaluationClassifier: images must be [C, H, W] with H and W multiples of 4, got \(imageShape)")
        precondition(classes >= 2, "EvaluationClassifier: need at least 2 classes, got \(classes)")
        self.imageShape = imageShape
        self.classes = classes
        let keys = key.split(into: 4)
        let flat = 64 * (imageShape[1] / 4) * (imageShape[2] / 4)
        body = Sequential([
            Conv2d(imageShape[0], 32, kernelSize: 4, stride: 2, padding: 1, key: keys[0]), ActivationLayer(.leakyRelu(slope: 0.2)),
            Conv2d(32, 64, kernelSize: 4, stride: 2, padding: 1, key: keys[1]), ActivationLayer(.leakyRelu(slope: 0.2)),
            Flatten(), Linear(flat, Self.featureCount, key: keys[2]), ActivationLayer(.relu),
        ])
        head = Linear(Self.featureCount, classes, key: keys[3])
    }

    public func logits(_ images: Tensor) -> Tensor { head(body(images)) }

    /// Parameters of body and head as one module ("body.…", "head.…").
    var network: Sequential { Sequential([body, head]) }

    /// Penultimate features [N, 128] and class probabilities [N, classes] of `images`, in
    /// batches of `batchSize`, as Float64 (no graph).
    public func evaluate(_ images: Tensor, batchSize: Int = 500) -> (features: Tensor, probabilities: Tensor) {
        precondition(images.rank == 4 && Array(images.shape.dropFirst()) == imageShape,
                     "EvaluationClassifier: images of shape \(images.shape) do not match the classifier's \(imageShape)")
        var features: [Double] = [], probabilities: [Double] = []
        let n = images.shape[0]
        features.reserveCapacity(n * Self.featureCount)
        probabilities.reserveCapacity(n * classes)
        for start in stride(from: 0, to: n, by: batchSize) {
            let batch = images.detached().gathering(rows: Array(start..<min(n, start + batchSize))).cast(to: .float32)
            let h = body(batch)
            features += h.doubles
            probabilities += head(h).softmax(axis: 1).doubles
        }
        return (Tensor(features, shape: [n, Self.featureCount]), Tensor(probabilities, shape: [n, classes]))
    }

    /// The most probable class of each image.
    public func predict(_ images: Tensor) -> [Int] { evaluate(images).probabilities.argmax(axis: 1) }

    /// Fraction of `data` classified correctly.
    public func accuracy(on data: LabeledImages) -> Double {
        let predicted = predict(data.images)
        return Double(zip(predicted, data.labels).filter { $0 == $1 }.count) / Double(max(data.count, 1))
    }

    // MARK: Training

    /// How the classifier is trained [G]: Adam(1e-3, β = (0.9, 0.999)), batch 128, `epochs`
    /// passes over the training split in a fresh permutation each, all from `seed`.
    public struct TrainingSettings: Codable, Sendable, Equatable {
        public var epochs: Int = 3
        public var batchSize: Int = 128
        public var learningRate: Double = 1e-3
        public var seed: UInt64 = 0

        public init(epochs: Int = 3, batchSize: Int = 128, learningRate: Double = 1e-3, seed: UInt64 = 0) {
            self.epochs = epochs
            self.batchSize = batchSize
            self.learningRate = learningRate
            self.seed = seed
        }
    }

    /// Trains a fresh classifier on `train`; `progress(step, total, loss)` is called after
    /// every minibatch.
    public static func train(on train: LabeledImages, settings: TrainingSettings,
                             progress: ((Int, Int, Double) -> Void)? = nil) -> EvaluationClassifier {
        precondition(settings.epochs >= 1 && settings.batchSize >= 1 && settings.batchSize <= train.count,
                     "EvaluationClassifier.train: need epochs ≥ 1 and a batch size in 1...\(train.count)")
        let classes = (train.labels.max() ?? 0) + 1
        let root = RandomKey(seed: settings.seed)
        let classifier = EvaluationClassifier(imageShape: Array(train.images.shape.dropFirst()), classes: max(classes, 2),
                                              key: root.folded(in: 1))
        let network = classifier.network
        var optimizer = Adam(learningRate: settings.learningRate)
        let perEpoch = train.count / settings.batchSize
        let total = perEpoch * settings.epochs
        var step = 0
        for epoch in 0..<settings.epochs {
            let order = Random.permutation(train.count, key: root.folded(in: 2).folded(in: UInt64(epoch)))
            for b in 0..<perEpoch {
                let indices = Array(order[(b * settings.batchSize)..<((b + 1) * settings.batchSize)])
                let images = train.images.gathering(rows: indices)
                let loss = Loss.crossEntropy(logits: classifier.logits(images), labels: indices.map { train.labels[$0] })
                let gradients = network.parameterGradients(of: loss)
                do { try optimizer.update(network, gradients: gradients) } catch {
                    preconditionFailure("EvaluationClassifier.train: optimiser step failed: \(error)")
                }
                step += 1
                progress?(step, total, loss.item)
            }
        }
        return classifier
    }
}
