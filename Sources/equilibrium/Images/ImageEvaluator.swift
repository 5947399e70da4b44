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
    /// What the generated images are compared with.
    enum Mode {
        /// Stacked data: count label triples; no reference set.
        case stacked
        /// Features of real held-out images, their moments, and which images they are.
        case reference(features: Tensor, moments: FeatureMoments, split: String)
    }

    let classifier: EvaluationClassifier
    let stored: StoredClassifier
    let identity: ClassifierIdentity
    let mode: Mode
    /// Splits of the classifier score (10 by default, fewer when there are few samples).
    let splits: Int

    private init(loaded: (classifier: EvaluationClassifier, stored: StoredClassifier), mode: Mode, splits: Int) throws {
        (classifier, stored) = loaded
        identity = try ClassifierIdentity(id: stored.id, weightsHash: "fnv1a64:" + stored.weightsHash, testAccuracy: stored.record.testAccuracy)
        self.mode = mode
        self.splits = splits
    }

    /// Stacked data: each of the three channels is classified by the base set's classifier.
    init(stackedClassifierDirectory directory: String) throws {
        let loaded = try StoredClassifier.load(from: directory)
        guard loaded.classifier.imageShape[0] == 1, loaded.classifier.classes == 10 else {
            throw ValidationError("stacked data needs a single-channel 10-class classifier of its base set; \(directory) takes \(loaded.classifier.imageShape) with \(loaded.classifier.classes) classes")
        }
        try self.init(loaded: loaded, mode: .stacked, splits: 1)
    }

    init(classifierDirectory: String, reference: LabeledImages, referenceName: String, referenceCount: Int, splits: Int = 10) throws {
        let loaded = try StoredClassifier.load(from: classifierDirectory)
        guard Array(reference.images.shape.dropFirst()) == loaded.classifier.imageShape else {
            throw ValidationError("the classifier in \(classifierDirectory) takes images \(loaded.classifier.imageShape), the data has \(Array(reference.images.shape.dropFirst()))")
        }
        let count = min(referenceCount, reference.count)
        let features = loaded.classifier.evaluate(reference.images.gathering(rows: Array(0..<count))).features
        try self.init(loaded: loaded, mode: .reference(features: features, moments: try FeatureMoments(features: features, what: "reference features"),
                                                       split: "\(referenceName), first \(count) images"), splits: splits)
    }

    /// Metrics of `images` [N, C, H, W] as flat record fields ("classifier_score", "fcd",
    /// "precision", "recall", each with a "…_protocol" line; stacked data: "stacked_modes",
    /// "stacked_kl", "stacked_protocol").
    func metrics(of images: Tensor, context: MetricContext) throws -> [String: Any] {
        var result: [String: Any] = [:]
        switch mode {
        case .stacked:
            let (n, h, w) = (images.shape[0], images.shape[2], images.shape[3])
            let labels = classifier.predict(images.detached().reshaped([n * 3, 1, h, w]))
            let triples = (0..<n).map { Array(labels[(3 * $0)..<(3 * $0 + 3)]) }
            let modes = try StackedModeCount(classifier: identity).evaluate(labels: triples, context: context)
            result["stacked_modes"] = modes.modesCovered
            result["stacked_kl"] = modes.kl
            result["stacked_protocol"] = modes.metricProtocol.line
        case .reference(let referenceFeatures, let referenceMoments, let referenceSplit):
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
        }
        return result
    }
}
