import Foundation
import Testing
import Metrics

/// Spec particles.md §6 and §8 items 8–9: the diversity and the mean minimum cosine distance.
@Suite struct ParticleDiversityTests {
    /// 100 targets in ℝ^100: the standard basis vectors scaled by 1 + a/100 (distinct norms, so a
    /// cosine rule and a Euclidean rule are both exercised on non-unit vectors).
    static let m = 100
    static let targets: [Double] = {
        var y = [Double](repeating: 0, count: m * m)
        for a in 0..<m { y[a * m + a] = 1 + Double(a) / 100 }
        return y
    }()

    /// Particle rows that are `scale` × target row a for each a in `which`.
    static func particles(onTargets which: [Int], scale: Double = 1) -> [Double] {
        which.flatMap { a in (0..<m).map { k in targets[a * m + k] * scale } }
    }

    static func diversity(of x: [Double], rule: ParticleDiversity.Assignment = .cosine) -> Double {
        let assignment = ParticleDiversity.assignments(particles: x, targets: targets, dimension: m, rule: rule)
        return ParticleDiversity.diversity(counts: ParticleDiversity.counts(assignment, targets: m))
    }

    // MARK: §8 item 8

    @Test func oneParticlePerTargetGivesZero() {
        let x = Self.particles(onTargets: Array(0..<Self.m), scale: 2.5)
        let assignment = ParticleDiversity.assignments(particles: x, targets: Self.targets, dimension: Self.m, rule: .cosine)
        #expect(assignment == Array(0..<Self.m))
        #expect(ParticleDiversity.counts(assignment, targets: Self.m) == Array(repeating: 1, count: Self.m))
        #expect(abs(Self.diversity(of: x)) < 1e-12)
        #expect(abs(Self.diversity(of: x, rule: .euclidean)) < 1e-12)
        // Also directly from counts, and for N = 2M (exact balance at a multiple of M).
        #expect(abs(ParticleDiversity.diversity(counts: Array(repeating: 2, count: 100))) < 1e-12)
    }

    @Test func allParticlesOnOneTargetGiveLog100() {
        let x = Self.particles(onTargets: Array(repeating: 37, count: 100), scale: 0.3)
        let d = Self.diversity(of: x)
        #expect(abs(d - log(100)) < 1e-12)
        #expect(abs(d - 4.605170) < 1e-6)
        // A single particle is also total collapse.
        #expect(abs(ParticleDiversity.diversity(counts: [0, 1] + Array(repeating: 0, count: 98)) - 4.605170) < 1e-6)
    }

    @Test func equalSplitOverTwoTargetsGivesLog100MinusLog2() {
        let x = Self.particles(onTargets: Array(repeating: 3, count: 50) + Array(repeating: 99, count: 50), scale: 7)
        let d = Self.diversity(of: x)
        #expect(abs(d - (log(100) - log(2))) < 1e-12)
        #expect(abs(d - 3.912023) < 1e-6)
    }

    @Test func diversityFormulaOnUnevenCounts() {
        // log 4 + (½ log ½ + ¼ log ¼ + ¼ log ¼) = log 4 − 1.5 log 2 = ½ log 2; the empty target adds 0.
        let d = ParticleDiversity.diversity(counts: [2, 1, 1, 0])
        #expect(abs(d - 0.5 * log(2)) < 1e-15)
        #expect(ParticleDiversity.diversity(counts: [5]) == 0)
    }

    // MARK: §8 item 9

    @Test func cosineDistanceIsZeroForPositiveMultiplesOfDataPoints() {
        let x = Self.particles(onTargets: [0, 5, 5, 42, 99], scale: 3.7)
            + Self.particles(onTargets: [17], scale: 1e-6)
        let distance = ParticleDiversity.meanMinimumCosineDistance(particles: x, targets: Self.targets, dimension: Self.m)
        #expect(abs(distance) < 1e-14)
    }

    @Test func cosineDistanceIsOneForAParticleOrthogonalToEveryDataPoint() {
        // Targets in the (x, y) plane of ℝ³; particles along ±z are orthogonal to all of them.
        let y: [Double] = [1, 0, 0, 0, 2, 0, -1, -1, 0]
        let orthogonal: [Double] = [0, 0, 1, 0, 0, -4.2]
        #expect(abs(ParticleDiversity.meanMinimumCosineDistance(particles: orthogonal, targets: y, dimension: 3) - 1) < 1e-15)
        // A zero particle counts as distance 1.
        #expect(ParticleDiversity.meanMinimumCosineDistance(particles: [0, 0, 0], targets: y, dimension: 3) == 1)
        // Mixed: one on a target (0), one orthogonal (1), one at 45° to target 0 (1 − 1/√2).
        let mixed: [Double] = [3, 0, 0, 0, 0, 1, 1, 0, 1]
        let diagonal: Double = 1 - 1 / 2.0.squareRoot()
        let expected: Double = (0 + 1 + diagonal) / 3
        #expect(abs(ParticleDiversity.meanMinimumCosineDistance(particles: mixed, targets: y, dimension: 3) - expected) < 1e-15)
        // The minimum is over targets: a particle opposite target 0 is nearest (in cosine) to
        // target 2 = (−1, −1, 0): cos = 1/√2.
        let opposite: [Double] = [-1, 0, 0]
        #expect(abs(ParticleDiversity.meanMinimumCosineDistance(particles: opposite, targets: y, dimension: 3)
                    - (1 - 1 / 2.0.squareRoot())) < 1e-15)
    }

    // MARK: Assignments and counts

    @Test func cosineAndEuclideanAssignmentsDiffer() {
        // Targets: the origin, (1, 0), (0, 3).
        let y: [Double] = [0, 0, 1, 0, 0, 3]
        let x: [Double] = [
            0.01, 0.02,   // near the origin: Euclidean 0; cosine picks (0, 3) (cos 0.894 > 0.447; the origin scores 0)
            5, 0.1,       // far along x: Euclidean (1, 0); cosine (1, 0)
            0.5, 2.6,     // Euclidean (0, 3); cosine (0, 3)
            0, 0,         // the zero vector: Euclidean the origin; cosine target 0 (every score is 0, ties go low)
            -1, 0,        // Euclidean: origin (distance 1) beats (1, 0) (2) and (0, 3) (√10); cosine: all ≤ 0, origin's 0 wins
            3, 2.9,       // cosine: (1, 0) (3/|x| > 2.9/|x|); Euclidean: (0, 3) (9.01 < 12.41 < 17.41)
        ]
        let cosine = ParticleDiversity.assignments(particles: x, targets: y, dimension: 2, rule: .cosine)
        let euclidean = ParticleDiversity.assignments(particles: x, targets: y, dimension: 2, rule: .euclidean)
        #expect(cosine == [2, 1, 2, 0, 0, 1])
        #expect(euclidean == [0, 1, 2, 0, 0, 2])
        #expect(ParticleDiversity.counts(cosine, targets: 3) == [2, 2, 2])
        #expect(ParticleDiversity.counts(euclidean, targets: 3) == [3, 1, 2])
        #expect(abs(ParticleDiversity.diversity(counts: [2, 2, 2])) < 1e-15)
        // log 3 + ½ log ½ + (1/6) log(1/6) + ⅓ log ⅓.
        let half: Double = 0.5 * log(0.5), sixth: Double = log(1.0 / 6) / 6, third: Double = log(1.0 / 3) / 3
        let expected: Double = log(3.0) + half + sixth + third
        #expect(abs(ParticleDiversity.diversity(counts: [3, 1, 2]) - expected) < 1e-15)
        #expect(ParticleDiversity.counts([], targets: 4) == [0, 0, 0, 0])
    }

    @Test func cosineAssignmentIsScaleInvariant() {
        let y: [Double] = [1, 0, 0.6, 0.8, -1, 0.2]
        let x: [Double] = [0.9, 0.1, 0.2, 0.9, -3, 1, 0.5, 0.45]
        let base = ParticleDiversity.assignments(particles: x, targets: y, dimension: 2, rule: .cosine)
        for scale in [1e-3, 0.5, 10, 1e4] {
            #expect(ParticleDiversity.assignments(particles: x.map { $0 * scale }, targets: y, dimension: 2, rule: .cosine) == base)
        }
        #expect(base == [0, 1, 2, 1])
    }

    // MARK: The random-cloud baseline (§6)

    @Test func randomCloudBaselineForHundredParticlesAndTargets() {
        let baseline = ParticleDiversity.randomCloudBaseline(particles: 100, targets: 100, trials: 5000, seed: 3)
        #expect(abs(baseline.mean - 0.567) < 0.01, "mean \(baseline.mean)")
        #expect(abs(baseline.std - 0.058) < 0.01, "std \(baseline.std)")
        // Seeded: the same seed gives the same numbers, another seed different ones.
        let again = ParticleDiversity.randomCloudBaseline(particles: 100, targets: 100, trials: 5000, seed: 3)
        #expect(again.mean == baseline.mean && again.std == baseline.std)
        let other = ParticleDiversity.randomCloudBaseline(particles: 100, targets: 100, trials: 5000, seed: 4)
        #expect(other.mean != baseline.mean)
    }

    @Test func randomCloudBaselineShrinksWithMoreParticles() {
        // §6: ≈ 0.050 for N = 1000 (the leading term is (M − 1)/(2N) = 0.0495).
        let baseline = ParticleDiversity.randomCloudBaseline(particles: 1000, targets: 100, trials: 500, seed: 1)
        #expect(abs(baseline.mean - 0.050) < 0.003, "mean \(baseline.mean)")
        // One target: every draw is total collapse of a one-target set, diversity log 1 = 0.
        let single = ParticleDiversity.randomCloudBaseline(particles: 10, targets: 1, trials: 10)
        #expect(single.mean == 0 && single.std == 0)
    }
}
