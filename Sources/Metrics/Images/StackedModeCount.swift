import Foundation
import Tensor

/// Mode counting for Stacked MNIST (`benchmarks.md` §5): a classifier labels each colour
/// channel of a generated sample with a digit, the sample's mode is its label tuple (a triple
/// for 3 channels of 10 digits: 1,000 modes), **modes** is the number of distinct tuples seen and
/// **KL** is KL(p̂ ‖ Uniform(modes)) of the tuple histogram, natural log (PacGAN's
/// `log_metrics`). The classifier runs elsewhere; this takes its predicted labels.
///
/// KL here is a plug-in estimate, so even a perfect generator scores above 0: with N samples
/// over K equally likely modes its expectation is ≈ (K − 1)/(2N), ≈ 0.0192 for the VEEGAN
/// protocol's 26,000 samples. Compare numbers only at the same sample count.
public struct StackedModeCount: Sendable {
    public let classifier: ClassifierIdentity
    /// Channels stacked per sample (3 for RGB Stacked MNIST).
    public let channels: Int
    /// Labels per channel (10 digits).
    public let classes: Int

    public init(classifier: ClassifierIdentity, channels: Int = 3, classes: Int = 10) throws(MetricError) {
        guard channels > 0, classes > 1 else {
            throw .invalidParameter("StackedModeCount: needs channels ≥ 1 and classes ≥ 2, got \(channels) and \(classes)")
        }
        // The histogram has classes^channels cells; refuse sizes that are not a mode count anyone means.
        guard pow(Double(classes), Double(channels)) <= 1e7 else {
            throw .invalidParameter("StackedModeCount: \(classes)^\(channels) modes is too many for a histogram")
        }
        self.classifier = classifier
        self.channels = channels
        self.classes = classes
    }

    /// classes^channels (1,000 for Stacked MNIST).
    public var modeCount: Int { (0..<channels).reduce(1) { acc, _ in acc * classes } }

    /// The mode index of a label tuple: the labels read as base-`classes` digits, first channel
    /// most significant, so the triple (R, G, B) of digits is the number 100·R + 10·G + B.
    public func modeIndex(_ labels: [Int]) -> Int { labels.reduce(0) { $0 * classes + $1 } }

    /// Modes and KL of predicted labels: one row per sample, one label in 0..<classes per channel.
    public func evaluate(labels: [[Int]], context: MetricContext) throws(MetricError) -> StackedModeCountResult {
        guard !labels.isEmpty else { throw .noSamples(what: "StackedModeCount") }
        var histogram = [Int](repeating: 0, count: modeCount)
        for (i, row) in labels.enumerated() {
            guard row.count == channels else { throw .dimensionMismatch(what: "StackedModeCount sample \(i) labels", expected: channels, got: row.count) }
            if let bad = row.first(where: { !(0..<classes).contains($0) }) {
                throw .invalidParameter("StackedModeCount: sample \(i) has label \(bad), outside 0..<\(classes)")
            }
            histogram[modeIndex(row)] += 1
        }
        let n = labels.count
        let p = histogram.map { Double($0) / Double(n) }
        let proto = MetricProtocol(metric: "stacked-modes (\(context.dataset), \(classifier.id))", context: context, nFake: n,
                                   extractor: classifier.protocolText,
                                   thresholds: "mode = tuple of the classifier's per-channel argmax labels; KL(p̂ ‖ U), natural log",
                                   bins: "\(modeCount) label tuples, index = labels read as base-\(classes) digits, first channel most significant")
        return StackedModeCountResult(metricProtocol: proto, sampleCount: n, modeCount: modeCount,
                                      modesCovered: histogram.filter { $0 > 0 }.count,
                                      kl: ModeCoverage.reverseKLToUniform(p), histogram: histogram)
    }
}

/// The outcome of `StackedModeCount.evaluate`.
public struct StackedModeCountResult: MetricResult, Equatable {
    public let metricProtocol: MetricProtocol
    public let sampleCount: Int
    /// Possible modes (1,000 for Stacked MNIST).
    public let modeCount: Int
    /// Distinct label tuples observed.
    public let modesCovered: Int
    /// KL(p̂ ‖ U_modeCount), natural log; in [0, log modeCount].
    public let kl: Double
    /// Samples per mode, indexed as `StackedModeCount.modeIndex`.
    public let histogram: [Int]

    public var report: String {
        "modes \(modesCovered)/\(modeCount), KL \(String(format: "%.4f", kl)) (n = \(sampleCount))\n" + metricProtocol.line
    }
}
