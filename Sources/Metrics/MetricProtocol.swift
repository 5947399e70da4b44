import Foundation
import Tensor

/// What the caller knows about an evaluation that the metric itself cannot see: which data,
/// which seeds, how the generator was run. Every metric takes one, so no number is produced
/// without its protocol (`benchmarks.md` §10).
public struct MetricContext: Sendable, Codable, Equatable {
    /// The preset name (or a user dataset's name).
    public var dataset: String
    /// Whether the preset was changed in any way (shorter run, other seeds…): then "not comparable".
    public var modified: Bool
    /// Seeds of the runs behind the number.
    public var seeds: [UInt64]
    /// The key the evaluation samples were drawn with, when there is one.
    public var key: RandomKey?
    /// Number of runs aggregated (1 for a single evaluation).
    public var runs: Int
    /// BatchNorm mode of the generator at evaluation ("train", "eval", or "n/a").
    public var batchNormMode: String
    /// The code version (e.g. a git commit).
    public var codeVersion: String

    public init(dataset: String, modified: Bool = false, seeds: [UInt64], key: RandomKey? = nil, runs: Int = 1,
                batchNormMode: String = "n/a", codeVersion: String = MetricContext.unrecordedVersion) {
        self.dataset = dataset
        self.modified = modified
        self.seeds = seeds
        self.key = key
        self.runs = runs
        self.batchNormMode = batchNormMode
        self.codeVersion = codeVersion
    }

    /// Printed when the caller did not supply a version.
    public static let unrecordedVersion = "unrecorded"
}

/// Whether a ± figure is a standard deviation or a standard error (or absent).
public enum ErrorKind: String, Sendable, Codable {
    case none
    case standardDeviation = "std"
    case standardError = "standard error"
}

/// The protocol record carried by every metric result: all fields of `benchmarks.md` §10,
/// plus the metric's name and its histogram bins where it has any. Fields that do not apply
/// hold "none" / "n/a" explicitly, so a missing field is always visible.
public struct MetricProtocol: Sendable, Codable, Equatable {
    public var metric: String
    public var dataset: String
    public var modified: Bool
    public var nFake: Int
    public var nReal: Int
    public var referenceSplit: String
    /// Feature extractor or classifier (id, hash, test accuracy), or "none".
    public var extractor: String
    public var splits: Int
    public var thresholds: String
    public var bins: String
    public var seeds: [UInt64]
    public var key: RandomKey?
    public var runs: Int
    public var errorKind: ErrorKind
    public var batchNormMode: String
    public var codeVersion: String

    public init(metric: String, context: MetricContext, nFake: Int, nReal: Int = 0, referenceSplit: String = "none",
                extractor: String = "none", splits: Int = 1, thresholds: String = "n/a", bins: String = "n/a",
                errorKind: ErrorKind = .none) {
        self.metric = metric
        self.dataset = context.dataset
        self.modified = context.modified
        self.nFake = nFake
        self.nReal = nReal
        self.referenceSplit = referenceSplit
        self.extractor = extractor
        self.splits = splits
        self.thresholds = thresholds
        self.bins = bins
        self.seeds = context.seeds
        self.key = context.key
        self.runs = context.runs
        self.errorKind = errorKind
        self.batchNormMode = context.batchNormMode
        self.codeVersion = context.codeVersion
    }

    /// One line to print next to the number, e.g.
    /// `protocol: metric=mode-coverage dataset=pacgan-ring (unmodified) n_fake=2500 n_real=0 ref=none extractor=none splits=1 thresholds=… bins=n/a seeds=[7] key=n/a runs=1 error=none bn=eval code=abc123`.
    /// Modified presets are flagged "MODIFIED, not comparable".
    public var line: String {
        let keyText = key.map { "\($0.k0):\($0.k1)" } ?? "n/a"
        return "protocol: metric=\(metric) dataset=\(dataset) (\(modified ? "MODIFIED, not comparable" : "unmodified"))"
            + " n_fake=\(nFake) n_real=\(nReal) ref=\(referenceSplit) extractor=\(extractor) splits=\(splits)"
            + " thresholds=\(thresholds) bins=\(bins) seeds=\(seeds) key=\(keyText) runs=\(runs)"
            + " error=\(errorKind.rawValue) bn=\(batchNormMode) code=\(codeVersion)"
    }
}

/// A metric result: it always carries its protocol.
public protocol MetricResult: Sendable, Codable {
    var metricProtocol: MetricProtocol { get }
    /// The headline numbers in words, followed by the protocol line.
    var report: String { get }
}

/// JSON coding for metric results. Undefined metrics are NaN (e.g. reverse KL with no
/// high-quality samples), which plain JSON cannot hold; these coders write them as the
/// strings "nan", "inf" and "-inf" and read them back.
public enum MetricJSON {
    public static func encoder() -> JSONEncoder {
        let e = JSONEncoder()
        e.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        e.outputFormatting = [.sortedKeys]
        return e
    }

    public static func decoder() -> JSONDecoder {
        let d = JSONDecoder()
        d.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        return d
    }

    /// One JSON line for a result (for JSONL metric logs).
    public static func line(_ result: some MetricResult) throws -> String {
        String(decoding: try encoder().encode(result), as: UTF8.self)
    }
}

/// Why a metric could not be computed.
public enum MetricError: Error, Equatable, CustomStringConvertible {
    case noSamples(what: String)
    case dimensionMismatch(what: String, expected: Int, got: Int)
    case unsupportedDimension(metric: String, dimension: Int, supported: String)
    case invalidParameter(String)
    case inconsistentProtocols(String)
    /// Fewer samples than the computation needs (e.g. rows < splits, or ≤ k points for k-NN radii).
    case tooFewSamples(what: String, needed: Int, got: Int)
    /// An input tensor or matrix has the wrong shape (`expected` in words, e.g. "[N, K]").
    case shapeMismatch(what: String, expected: String, got: [Int])
    /// An input value is NaN or infinite; `row` and `column` locate the first one.
    case nonFinite(what: String, row: Int, column: Int)
    /// A row that should be a probability vector is not one (negative entry, or sum off 1).
    case notAProbabilityVector(what: String, row: Int, reason: String)
    /// A LAPACK routine reported failure (info < 0: illegal argument; info > 0: no convergence).
    case lapackFailure(routine: String, info: Int)

    public var description: String {
        switch self {
        case .noSamples(let what): return "\(what): no samples"
        case .dimensionMismatch(let what, let expected, let got): return "\(what): samples have dimension \(got), expected \(expected)"
        case .unsupportedDimension(let metric, let d, let supported): return "\(metric): dimension \(d) is not supported (\(supported))"
        case .invalidParameter(let message): return message
        case .inconsistentProtocols(let message): return "cannot aggregate results with different protocols: \(message)"
        case .tooFewSamples(let what, let needed, let got): return "\(what): needs at least \(needed) samples, got \(got)"
        case .shapeMismatch(let what, let expected, let got): return "\(what): expected shape \(expected), got \(got)"
        case .nonFinite(let what, let row, let column): return "\(what): NaN or infinity at row \(row), column \(column)"
        case .notAProbabilityVector(let what, let row, let reason): return "\(what): row \(row) is not a probability vector (\(reason))"
        case .lapackFailure(let routine, let info):
            return "\(routine) failed with info = \(info) (\(info < 0 ? "illegal value in argument \(-info)" : "did not converge"))"
        }
    }
}

/// Rows of a sample tensor [n, …] as flattened Float64 points: (values, n, dimension).
func flattenedRows(_ samples: Tensor, what: String) throws(MetricError) -> (values: [Double], count: Int, dimension: Int) {
    guard samples.rank >= 1, samples.shape[0] > 0 else { throw .noSamples(what: what) }
    let n = samples.shape[0]
    return (samples.detached().doubles, n, samples.count / n)
}
