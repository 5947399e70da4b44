import Datasets
import Foundation
import Metrics
import Tensor

/// What the particles are trained to cover (spec particles.md §5): a fixed set of M points
/// (the discriminator sees all of them every step, full batch) or a Gaussian-mixture preset
/// (the discriminator sees a fresh sample every step).
public struct ParticleTarget: Sendable {
    public enum Source: Sendable {
        /// M fixed points, row-major [M, d].
        case points([Double])
        /// A distribution and the real-batch size of each discriminator step.
        case distribution(any Distribution, batchSize: Int)
    }

    /// The name recorded in outputs (e.g. "ring8", "random:100x784 (seed 0)").
    public let name: String
    public let dimension: Int
    public let source: Source
    /// The points the metrics assign particles to: the target points or the mixture's modes.
    public let centres: [[Double]]
    /// Per-centre σ for the high-quality rule (within 3σ of the nearest centre): the mixture's
    /// std, or `tolerance` for point targets.
    public let centreStandardDeviations: [Double]
    /// Which target a particle counts for in the diversity metric.
    public let assignment: ParticleDiversity.Assignment

    public init(name: String, dimension: Int, source: Source, centres: [[Double]], centreStandardDeviations: [Double],
                assignment: ParticleDiversity.Assignment) throws(ParticleModelError) {
        guard dimension >= 1 else { throw .invalidParameter("target '\(name)': dimension must be at least 1") }
        guard !centres.isEmpty, centres.allSatisfy({ $0.count == dimension && $0.allSatisfy(\.isFinite) }) else {
            throw .invalidParameter("target '\(name)': needs at least one finite centre of dimension \(dimension)")
        }
        guard centreStandardDeviations.count == centres.count, centreStandardDeviations.allSatisfy({ $0 > 0 && $0.isFinite }) else {
            throw .invalidParameter("target '\(name)': needs one positive σ per centre")
        }
        if case .distribution(let distribution, let batchSize) = source {
            guard distribution.dimension == dimension else {
                throw .invalidParameter("target '\(name)': distribution dimension \(distribution.dimension) ≠ \(dimension)")
            }
            guard batchSize >= 1 else { throw .invalidParameter("target '\(name)': batch size must be at least 1") }
        }
        self.name = name
        self.dimension = dimension
        self.source = source
        self.centres = centres
        self.centreStandardDeviations = centreStandardDeviations
        self.assignment = assignment
    }

    /// M fixed points. `tolerance` is σ of the high-quality rule.
    public static func points(_ rows: [[Double]], name: String, tolerance: Double = 0.05,
                              assignment: ParticleDiversity.Assignment = .cosine) throws(ParticleModelError) -> ParticleTarget {
        guard let d = rows.first?.count else { throw .invalidParameter("target '\(name)': no points") }
        guard rows.allSatisfy({ $0.count == d }) else { throw .invalidParameter("target '\(name)': points of different dimensions") }
        return try ParticleTarget(name: name, dimension: d, source: .points(rows.flatMap { $0 }), centres: rows,
                                  centreStandardDeviations: Array(repeating: tolerance, count: rows.count), assignment: assignment)
    }

    /// P1's target: `count` points on a circle of `radius` at angles 2πk/count.
    public static func ring(count: Int = 8, radius: Double = 1, tolerance: Double = 0.05) throws(ParticleModelError) -> ParticleTarget {
        guard count >= 1, radius > 0 else { throw .invalidParameter("ring target: needs count ≥ 1 and radius > 0") }
        let rows = (0..<count).map { k -> [Double] in
            let angle = 2 * Double.pi * Double(k) / Double(count)
            return [radius * cos(angle), radius * sin(angle)]
        }
        return try points(rows, name: "ring\(count)", tolerance: tolerance)
    }

    /// Two points ±separation/2 along the first axis of ℝ^d (Euclidean assignment).
    public static func twoPoint(dimension d: Int = 2, separation: Double = 2, tolerance: Double = 0.05) throws(ParticleModelError) -> ParticleTarget {
        guard d >= 1, separation > 0 else { throw .invalidParameter("two-point target: needs dimension ≥ 1 and separation > 0") }
        var a = [Double](repeating: 0, count: d), b = a
        a[0] = -separation / 2
        b[0] = separation / 2
        return try points([a, b], name: "two-point", tolerance: tolerance, assignment: .euclidean)
    }

    /// M points drawn from N(0, I_d) with `seed` (stands in for a data set when none is given).
    public static func random(count m: Int, dimension d: Int, seed: UInt64, tolerance: Double = 0.05) throws(ParticleModelError) -> ParticleTarget {
        guard m >= 1, d >= 1 else { throw .invalidParameter("random target: needs M ≥ 1 points and d ≥ 1") }
        let values = Tensor.normal([m, d], key: RandomKey(seed: seed), dtype: .float64).doubles
        let rows = (0..<m).map { Array(values[($0 * d)..<($0 * d + d)]) }
        return try points(rows, name: "random:\(m)x\(d) (N(0, I), seed \(seed))", tolerance: tolerance)
    }

    /// A synthetic mixture preset (pacgan-ring, pacgan-grid, …): fresh samples every step,
    /// Euclidean assignment to its modes, σ = the preset's mode std.
    public static func mixture(preset name: String, batchSize: Int) throws(ParticleModelError) -> ParticleTarget {
        let modal: any ModalDistribution
        do { modal = try SyntheticData.modal(name) } catch {
            throw .invalidParameter("unknown target '\(name)': use ringK, one-point[:d], two-point[:d], random:M:d, file:PATH.csv or a mixture preset (\(SyntheticData.modalNames.joined(separator: ", ")))")
        }
        return try ParticleTarget(name: name, dimension: modal.dimension, source: .distribution(modal, batchSize: batchSize),
                                  centres: modal.modes, centreStandardDeviations: modal.modeStandardDeviations,
                                  assignment: .euclidean)
    }

    /// Points from a CSV file: one point per line, comma-separated numbers; lines starting with
    /// '#' and a first line that is not numeric (a header) are skipped.
    public static func csv(path: String, tolerance: Double = 0.05,
                           assignment: ParticleDiversity.Assignment = .cosine) throws(ParticleModelError) -> ParticleTarget {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw .unreadableTarget("cannot read target file '\(path)': \(error.localizedDescription)")
        }
        var rows: [[Double]] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let values = fields.map { Double($0) }
            if values.contains(where: { $0 == nil }) {
                if rows.isEmpty && index == 0 { continue }   // a header line
                throw .unreadableTarget("'\(path)' line \(index + 1): '\(line.prefix(60))' is not a row of numbers")
            }
            let row = values.map { $0! }
            guard row.allSatisfy(\.isFinite) else { throw .unreadableTarget("'\(path)' line \(index + 1): non-finite value") }
            if let d = rows.first?.count, row.count != d {
                throw .unreadableTarget("'\(path)' line \(index + 1): \(row.count) values, expected \(d) like the first row")
            }
            rows.append(row)
        }
        guard !rows.isEmpty else { throw .unreadableTarget("'\(path)' holds no points") }
        return try points(rows, name: "file:\((path as NSString).lastPathComponent)", tolerance: tolerance, assignment: assignment)
    }

    /// The real batch of one discriminator step.
    public func batch(key: RandomKey, dtype: DType) -> Tensor {
        switch source {
        case .points(let values):
            return Tensor(values, shape: [values.count / dimension, dimension]).cast(to: dtype)
        case .distribution(let distribution, let batchSize):
            return distribution.sample(batchSize, key: key, dtype: dtype).reshaped([batchSize, dimension])
        }
    }

    /// Rows the discriminator sees per step.
    public var batchRows: Int {
        switch source {
        case .points(let values): return values.count / dimension
        case .distribution(_, let batchSize): return batchSize
        }
    }

    /// Whether the real batch is the same every step.
    public var isFixed: Bool {
        if case .points = source { return true }
        return false
    }
}
