import Tensor

/// How far a preset's settings can be trusted (the spec's tags, `spec/README.md`).
public enum ReliabilityTag: String, Sendable, Codable {
    /// From the authors' own code or paper.
    case verified = "V"
    /// From a reproduction or third-party summary.
    case reproduction = "R"
    /// Recalled, unconfirmed: never a hard test oracle.
    case recollection = "M"
    /// A project choice where the sources are silent.
    case project = "G"
}

/// A named, frozen synthetic dataset (`benchmarks.md` §1): its distribution plus what a
/// trainer and a report need to know about it.
public struct SyntheticPreset: Sendable {
    public let name: String
    /// Geometry in words, with its source.
    public let summary: String
    public let tag: ReliabilityTag
    public let distribution: any Distribution
    /// For presets backed by a fixed training set: how its epochs are read (nil when batches
    /// are fresh draws).
    public let epochOrder: EpochOrder?

    /// The distribution as a `ModalDistribution` when it has well-separated modes.
    public var modal: (any ModalDistribution)? { distribution as? any ModalDistribution }
}

public enum SyntheticDataError: Error, Equatable, CustomStringConvertible {
    case unknownPreset(name: String, valid: [String])
    case notModal(name: String, modalPresets: [String])

    public var description: String {
        switch self {
        case .unknownPreset(let name, let valid):
            return "unknown synthetic preset '\(name)'; valid names: \(valid.joined(separator: ", "))"
        case .notModal(let name, let modal):
            return "synthetic preset '\(name)' has no well-separated modes for mode metrics; presets with modes: \(modal.joined(separator: ", "))"
        }
    }
}

/// The registry of frozen synthetic presets (`benchmarks.md` §2, `many-paths.md` §3.4).
///
/// Presets whose source trains on a fixed set (PacGAN, WGAN-GP-25) draw it once from
/// `dataSeed`; the geometry never depends on the seed. The buggy 7-mode linspace ring exists
/// only as `unrolled-ring-legacy7` and is never a default.
public enum SyntheticData {
    /// The command-line tool's default dataset (`benchmarks.md` §1).
    public static let defaultPresetName = "pacgan-ring"
    /// The seed for drawing fixed training sets unless the caller gives another.
    public static let defaultDataSeed: UInt64 = 0
    /// Size of PacGAN's and WGAN-GP-25's fixed training sets.
    public static let fixedSetSize = 100_000

    /// Every preset name, in registry order.
    public static let names: [String] = [
        "pacgan-ring", "pacgan-grid", "wgangp-8gaussians", "wgangp-25gaussians",
        "unrolled-ring", "unrolled-ring-legacy7", "unrolled-paper-ring", "dogan-ring",
        "two-gaussians-1d", "segment-d2", "segment-d10", "segment-d100", "swissroll", "gmm-highdim",
    ]

    /// Names of presets with modes (usable with the mode-coverage metrics).
    public static let modalNames: [String] = names.filter { !["segment-d2", "segment-d10", "segment-d100", "swissroll"].contains($0) }

    public static func preset(_ name: String, dataSeed: UInt64 = defaultDataSeed) throws(SyntheticDataError) -> SyntheticPreset {
        let dataKey = RandomKey(seed: dataSeed)
        switch name {
        case "pacgan-ring":
            return SyntheticPreset(name: name, summary: "8 modes at angles 2πk/8, radius 1, std 0.01; fixed set of 100,000 samples drawn once [PacGAN config.py]",
                                   tag: .verified, distribution: fixedSet(pacganRing, key: dataKey), epochOrder: .reshuffled)
        case "pacgan-grid":
            return SyntheticPreset(name: name, summary: "25 modes at {−4, −2, 0, 2, 4}², std 0.05; fixed set of 100,000 samples drawn once [PacGAN config.py]",
                                   tag: .verified, distribution: fixedSet(pacganGrid, key: dataKey), epochOrder: .reshuffled)
        case "wgangp-8gaussians":
            return SyntheticPreset(name: name, summary: "8 modes at 2·{(±1,0),(0,±1),(±1/√2,±1/√2)}, std 0.02, divided by 1.414 after sampling (radius ≈ 1.4144, std ≈ 0.01414); fresh samples [WGAN-GP gan_toy.py]",
                                   tag: .verified, distribution: wgangp8Gaussians, epochOrder: nil)
        case "wgangp-25gaussians":
            return SyntheticPreset(name: name, summary: "25 modes at {−4..4 step 2}², std 0.05, divided by 2.828 (spacing ≈ 0.7072, std ≈ 0.01768); fixed set of 100,000 points, 4,000 per centre, shuffled once, read sequentially [WGAN-GP gan_toy.py]",
                                   tag: .verified, distribution: wgangp25Dataset(key: dataKey), epochOrder: .sequential)
        case "unrolled-ring":
            return SyntheticPreset(name: name, summary: "8 distinct modes at angles 2πk/8, radius 1, std 0.01 (the corrected Unrolled-GAN notebook geometry); fresh samples",
                                   tag: .verified, distribution: unrolledRing, epochOrder: nil)
        case "unrolled-ring-legacy7":
            return SyntheticPreset(name: name, summary: "LEGACY, buggy: angles linspace(0, 2π, 8) as in the Unrolled-GAN notebook, so 7 distinct modes (spacing 2π/7) and the mode at angle 0 has weight 2/8; radius 1, std 0.01. For comparison with copies of the notebook only",
                                   tag: .verified, distribution: unrolledRingLegacy7, epochOrder: nil)
        case "unrolled-paper-ring":
            return SyntheticPreset(name: name, summary: "8 modes at angles 2πk/8, radius 2, std 0.02, as in public re-implementations of the Unrolled-GAN paper; fresh samples",
                                   tag: .reproduction, distribution: unrolledPaperRing, epochOrder: nil)
        case "dogan-ring":
            return SyntheticPreset(name: name, summary: "8 modes at angles linspace(0, 1.75π, 8) = 2πk/8, radius 1, std 0.01 [GMM_DO-GAN gmm_data_generator.py]; fresh samples",
                                   tag: .verified, distribution: doganRing, epochOrder: nil)
        case "two-gaussians-1d":
            return SyntheticPreset(name: name, summary: "½N(−2, 0.25²) + ½N(2, 0.25²) on the line (modes 16σ apart); fresh samples",
                                   tag: .project, distribution: twoGaussians1D, epochOrder: nil)
        case "segment-d2", "segment-d10", "segment-d100":
            let d = Int(name.dropFirst("segment-d".count))!
            return SyntheticPreset(name: name, summary: "S1 data: (t, 0, …, 0) ∈ ℝ^\(d), t ∼ U[−1, 1]; the generator starts on the parallel segment at distance Δ along e₂ [many-paths.md §3.4]",
                                   tag: .project, distribution: LineSegment.s1Data(dimension: d), epochOrder: nil)
        case "swissroll":
            return SyntheticPreset(name: name, summary: "swiss roll: t = 1.5π(1 + 2u), (t cos t, t sin t) + N(0, 0.25²), divided by 7.5 (settings recalled, unconfirmed)",
                                   tag: .recollection, distribution: SwissRoll(), epochOrder: nil)
        case "gmm-highdim":
            return SyntheticPreset(name: name, summary: "10 modes in ℝ^100 at (5/√2)·e_k (pairwise distance 5), std 0.1; fresh samples. A true sample lies ≈ √100·σ = 10σ from its centre, so the 2-D 3σ HQ rule does not apply",
                                   tag: .project, distribution: gmmHighDim, epochOrder: nil)
        default:
            throw .unknownPreset(name: name, valid: names)
        }
    }

    /// The preset's distribution; throws with the list of valid names for an unknown one.
    public static func named(_ name: String, dataSeed: UInt64 = defaultDataSeed) throws(SyntheticDataError) -> any Distribution {
        try preset(name, dataSeed: dataSeed).distribution
    }

    /// The preset's distribution with its modes; throws for unknown names and for presets
    /// without well-separated modes (segments, swiss roll).
    public static func modal(_ name: String, dataSeed: UInt64 = defaultDataSeed) throws(SyntheticDataError) -> any ModalDistribution {
        guard let modal = try preset(name, dataSeed: dataSeed).modal else {
            throw .notModal(name: name, modalPresets: modalNames)
        }
        return modal
    }

    // MARK: - The mixtures behind the presets

    /// PacGAN ring: 8 modes at 2πk/8, radius 1, std 0.01.
    public static let pacganRing = ring(angles: MixtureGeometry.ringAngles(count: 8), radius: 1, std: 0.01)
    /// PacGAN grid: 25 modes at {−4, −2, 0, 2, 4}², std 0.05.
    public static let pacganGrid = try! GaussianMixture(means: MixtureGeometry.grid([-4, -2, 0, 2, 4]), standardDeviations: [0.05])
    /// WGAN-GP 8 Gaussians, centres in gan_toy.py's order, scale 2, std 0.02, then / 1.414.
    public static let wgangp8Gaussians: GaussianMixture = {
        let h = 1 / 2.0.squareRoot()
        let unit: [[Double]] = [[1, 0], [-1, 0], [0, 1], [0, -1], [h, h], [h, -h], [-h, h], [-h, -h]]
        return try! GaussianMixture(means: unit.map { $0.map { 2 * $0 } }, standardDeviations: [0.02], postSamplingDivisor: 1.414)
    }()
    /// WGAN-GP 25 Gaussians: centres 2·{−2..2}² (x outer, y inner, as in gan_toy.py), std 0.05, then / 2.828.
    public static let wgangp25Gaussians = try! GaussianMixture(means: MixtureGeometry.grid([-4, -2, 0, 2, 4]),
                                                               standardDeviations: [0.05], postSamplingDivisor: 2.828)
    /// Unrolled-GAN notebook ring with the corrected angles 2πk/8.
    public static let unrolledRing = ring(angles: MixtureGeometry.ringAngles(count: 8), radius: 1, std: 0.01)
    /// The notebook's literal construction, angles linspace(0, 2π, 8): 8 components of which
    /// the first and last coincide. Kept unmerged to show the pitfall.
    public static let unrolledRingLinspaceComponents = ring(angles: MixtureGeometry.numpyLinspace(0, 2 * Double.pi, count: 8), radius: 1, std: 0.01)
    /// `unrolled-ring-legacy7`: the literal construction with the coincident centres merged:
    /// 7 distinct modes, the one at angle 0 with weight 0.25.
    public static let unrolledRingLegacy7 = unrolledRingLinspaceComponents.mergingCoincidentComponents()
    /// Unrolled-paper ring as public re-implementations use it: radius 2, std 0.02.
    public static let unrolledPaperRing = ring(angles: MixtureGeometry.ringAngles(count: 8), radius: 2, std: 0.02)
    /// DO-GAN's ring: angles numpy.linspace(0, 1.75π, 8), unit radius, std 0.01.
    public static let doganRing = ring(angles: MixtureGeometry.numpyLinspace(0, 1.75 * Double.pi, count: 8), radius: 1, std: 0.01)
    /// ½N(−2, 0.25²) + ½N(2, 0.25²).
    public static let twoGaussians1D = try! GaussianMixture.twoModes1D(halfSeparation: 2, std: 0.25)
    /// 10 modes in ℝ^100, pairwise 5 apart, std 0.1.
    public static let gmmHighDim = try! GaussianMixture.highDimensional(modes: 10, dimension: 100, spacing: 5, std: 0.1)

    private static func ring(angles: [Double], radius: Double, std: Double) -> GaussianMixture {
        try! GaussianMixture(means: MixtureGeometry.circle(angles: angles, radius: radius), standardDeviations: [std])
    }

    /// `fixedSetSize` i.i.d. draws from `mixture`, drawn once with `key`.
    public static func fixedSet(_ mixture: GaussianMixture, key: RandomKey, count: Int = fixedSetSize) -> FiniteMixtureDataset {
        FiniteMixtureDataset(mixture: mixture, dataset: FiniteDataset(drawing: count, from: mixture, key: key))
    }

    /// WGAN-GP-25's set: exactly 4,000 points per centre (generated centre by centre, as in
    /// gan_toy.py), shuffled once with the key; training reads it sequentially.
    public static func wgangp25Dataset(key: RandomKey) -> FiniteMixtureDataset {
        let k = wgangp25Gaussians.componentCount
        let components = (0..<fixedSetSize).map { $0 % k }
        let drawn = wgangp25Gaussians.sample(components: components, key: key.folded(in: 0), dtype: .float64)
        let shuffled = drawn.gathering(rows: Random.permutation(fixedSetSize, key: key.folded(in: 1)))
        return FiniteMixtureDataset(mixture: wgangp25Gaussians, dataset: FiniteDataset(samples: shuffled))
    }
}

extension GaussianMixture {
    /// ½N(−a, σ²) + ½N(a, σ²) on the line.
    public static func twoModes1D(halfSeparation a: Double, std: Double) throws(GaussianMixtureError) -> GaussianMixture {
        try GaussianMixture(means: [[-a], [a]], standardDeviations: [std])
    }

    /// K equally weighted modes in ℝ^d (K ≤ d) at (spacing/√2)·e_k, every pair `spacing`
    /// apart, each with per-axis std `std`.
    public static func highDimensional(modes k: Int, dimension d: Int, spacing: Double, std: Double) throws(GaussianMixtureError) -> GaussianMixture {
        try GaussianMixture(means: MixtureGeometry.simplex(modes: k, dimension: d, spacing: spacing), standardDeviations: [std])
    }
}
