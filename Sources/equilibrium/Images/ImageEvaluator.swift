import ArgumentParser
import Equilibrium
import Foundation

/// The classifier-based image metrics of one evaluation: classifier score (splits), FCD and
/// precision/recall against a fixed reference of real held-out images, and, for stacked data,
/// modes and KL over channel-label triples. Every value comes with its protocol line.
///
/// The reference features (the test split's first `referenceCount` images) are computed once.
/// For stacked data the single-channel classifier labels each channel instead, and the
/// metrics are the modes and KL over label triples.
struct ImageEvaluator {
    let classifier: EvaluationClassifier
    let stored: StoredClassifier
    let identity: ClassifierIdentity
    let referenceFeatures: Tensor
    let referenceMoments: FeatureMoments?
    let referenceSplit: String
    /// Splits of the classifier score (10 by default, fewer when there are few samples).
    let splits: Int
    /// Stacked data: count label triples.
    let stacked: Bool

    /// Stacked data: each of the three channels is classified by the base set's classifier.
    init(stackedClassifierDirectory directory: String) throws {
        (classifier, stored) = try StoredClassifier.load(from: directory)
        guard classifier.imageShape[0] == 1, classifier.classes == 10 else {
            throw ValidationError("stacked data needs a single-channel 10-class classifier of its base set; \(directory) takes \(classifier.imageShape) with \(classifier.classes) classes")
        }
        identity = try ClassifierIdentity(id: stored.id, weightsHash: "fnv1a64:" + stored.weightsHash, testAccuracy: stored.record.testAccuracy)
        referenceFeatures = Tensor.zeros([0])
        referenceMoments = nil
        referenceSplit = "none"
        splits = 1
        stacked = true
    }

    init(classifierDirectory: String, reference: LabeledImages, referenceName: String, referenceCount: Int, splits: Int = 10) throws {
        let (classifier, stored) = try StoredClassifier.load(from: classifierDirectory)
        guard Array(reference.images.shape.dropFirst()) == classifier.imageShape else {
            throw ValidationError("the classifier in \(classifierDirectory) takes images \(classifier.imageShape), the data has \(Array(reference.images.shape.dropFirst()))")
        }
        self.classifier = classifier
        self.stored = stored
        identity = try ClassifierIdentity(id: stored.id, weightsHash: "fnv1a64:" + stored.weightsHash, testAccuracy: stored.record.testAccuracy)
        let count = min(referenceCount, reference.count)
        referenceFeatures = classifier.evaluate(reference.images.gathering(rows: Array(0..<count))).features
        referenceMoments = try FeatureMoments(features: referenceFeatures, what: "reference features")
        referenceSplit = "\(referenceName), first \(count) images"
        self.splits = splits
        stacked = false
    }

    /// Metrics of `images` [N, C, H, W] as flat record fields ("classifier_score", "fcd",
    /// "precision", "recall", each with a "…_protocol" line).
    func metrics(of images: Tensor, context: MetricContext) throws -> [String: Any] {
        var result: [String: Any] = [:]
        if stacked {
            let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
            let labels = classifier.predict(images.detached().reshaped([n * 3, 1, h, w]))
            let triples = (0..<n).map { Array(labels[(3 * $0)..<(3 * $0 + 3)]) }
            let modes = try StackedModeCount(classifier: identity).evaluate(labels: triples, context: context)
            result["stacked_modes"] = modes.modesCovered
            result["stacked_kl"] = modes.kl
            result["stacked_protocol"] = modes.metricProtocol.line
            return result
        }
        guard let referenceMoments else { return result }
        let (features, probabilities) = classifier.evaluate(images)
        let score = try ClassifierScore(classifier: identity, splits: min(splits, images.shape[0])).evaluate(probabilities, context: context)
        result["classifier_score"] = score.mean
        result["classifier_score_std"] = score.standardDeviation
        result["classifier_score_protocol"] = score.metricProtocol.line
        let fcd = try FrechetClassifierDistance(extractor: identity, referenceSplit: referenceSplit)
            .evaluate(real: referenceMoments, fake: try FeatureMoments(features: features, what: "generated features"), context: context)
        result["fcd"] = fcd.value
        result["fcd_protocol"] = fcd.metricProtocol.line
        let pr = try PrecisionRecall(extractor: identity, referenceSplit: referenceSplit)
            .evaluate(real: referenceFeatures, fake: features, context: context)
        result["precision"] = pr.precision
        result["recall"] = pr.recall
        result["precision_recall_protocol"] = pr.metricProtocol.line
        return result
    }
}
