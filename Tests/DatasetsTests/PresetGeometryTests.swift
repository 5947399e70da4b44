import Foundation
import Testing
import Datasets
import Tensor

private func radius(_ p: [Double]) -> Double { (p[0] * p[0] + p[1] * p[1]).squareRoot() }
private func angle(_ p: [Double]) -> Double { let a = atan2(p[1], p[0]); return a < 0 ? a + 2 * .pi : a }
private func sortedAngles(_ modes: [[Double]]) -> [Double] { modes.map(angle).sorted() }
private func modal(_ name: String) throws -> any ModalDistribution { try SyntheticData.modal(name) }

@Test func pacganRingHasEightModesOnTheUnitCircleAtQuarterPiSpacing() throws {
    let ring = try modal("pacgan-ring")
    #expect(ring.modes.count == 8)
    #expect(MixtureGeometry.distinctCount(ring.modes) == 8)
    for m in ring.modes { #expect(abs(radius(m) - 1) < 1e-12) }
    let angles = sortedAngles(ring.modes)
    for k in 0..<8 { #expect(abs(angles[k] - Double(k) * .pi / 4) < 1e-12) }
    #expect(ring.modeStandardDeviations == Array(repeating: 0.01, count: 8))
    #expect(SyntheticData.pacganRing.weights.allSatisfy { abs($0 - 0.125) < 1e-15 })
    #expect(try SyntheticData.preset("pacgan-ring").epochOrder == .reshuffled)
    #expect((try SyntheticData.named("pacgan-ring") as? FiniteMixtureDataset)?.dataset.count == 100_000)
}

@Test func pacganGridHasTwentyFiveModesAtSpacingTwo() throws {
    let grid = try modal("pacgan-grid")
    #expect(grid.modes.count == 25)
    let expected = Set([-4.0, -2, 0, 2, 4].flatMap { x in [-4.0, -2, 0, 2, 4].map { [x, $0] } })
    #expect(Set(grid.modes) == expected)
    #expect(grid.modeStandardDeviations.allSatisfy { $0 == 0.05 })
}

@Test func doganRingEqualsPacganRing() throws {
    let dogan = try modal("dogan-ring").modes, pacgan = try modal("pacgan-ring").modes
    for (a, b) in zip(dogan, pacgan) { #expect(abs(a[0] - b[0]) < 1e-12 && abs(a[1] - b[1]) < 1e-12) }
    #expect(try modal("dogan-ring").modeStandardDeviations.allSatisfy { $0 == 0.01 })
}

@Test func wgangpEightGaussiansReportPostScalingGeometry() throws {
    let w = try modal("wgangp-8gaussians")
    #expect(w.modes.count == 8 && MixtureGeometry.distinctCount(w.modes) == 8)
    for m in w.modes { #expect(abs(radius(m) - 2 / 1.414) < 1e-12) }
    #expect(abs(2 / 1.414 - 1.41443) < 1e-5)
    for s in w.modeStandardDeviations { #expect(abs(s - 0.02 / 1.414) < 1e-15) }
    let angles = sortedAngles(w.modes)
    for k in 1..<8 { #expect(abs(angles[k] - angles[k - 1] - .pi / 4) < 1e-12) }
}

@Test func wgangpTwentyFiveGaussiansIsAFixedSetOfExactly100kPoints() throws {
    let preset = try SyntheticData.preset("wgangp-25gaussians")
    #expect(preset.epochOrder == .sequential)
    let data = try #require(preset.distribution as? FiniteMixtureDataset)
    #expect(data.dataset.count == 100_000)
    #expect(data.modes.count == 25)
    for s in data.modeStandardDeviations { #expect(abs(s - 0.05 / 2.828) < 1e-15) }
    #expect(abs(data.modes.map { $0[0] }.max()! - 4 / 2.828) < 1e-12)
    let xs = Set(data.modes.map { $0[0] }).sorted()
    #expect(xs.count == 5)
    for k in 1..<xs.count { #expect(abs(xs[k] - xs[k - 1] - 2 / 2.828) < 1e-12) }
    // Exactly 4,000 points per centre (centres are 40σ apart, so the nearest centre is the
    // one a point was drawn from), and the set is shuffled, not stored centre by centre.
    let values = data.dataset.samples.doubles
    let spacing = 2 / 2.828, lowest = -4 / 2.828
    var perMode = [Int](repeating: 0, count: 25)
    var firstModes: [Int] = []
    for i in 0..<100_000 {
        let ix = Int(((values[2 * i] - lowest) / spacing).rounded()), iy = Int(((values[2 * i + 1] - lowest) / spacing).rounded())
        perMode[ix * 5 + iy] += 1
        if i < 25 { firstModes.append(ix * 5 + iy) }
    }
    #expect(perMode == Array(repeating: 4_000, count: 25))
    #expect(firstModes != Array(0..<25))
}

@Test func unrolledRingAvoidsTheLinspacePitfall() throws {
    let ring = try modal("unrolled-ring")
    #expect(MixtureGeometry.distinctCount(ring.modes) == 8)
    let angles = sortedAngles(ring.modes)
    #expect(Set(angles.map { ($0 * 1e9).rounded() }).count == 8)
    for k in 1..<8 { #expect(abs(angles[k] - angles[k - 1] - 2 * .pi / 8) < 1e-12) }
    for m in ring.modes { #expect(abs(radius(m) - 1) < 1e-12) }
    #expect(ring.modeStandardDeviations.allSatisfy { $0 == 0.01 })
}

@Test func legacyLinspaceRingHasSevenDistinctModesWithDoubleWeightAtAngleZero() throws {
    let literal = SyntheticData.unrolledRingLinspaceComponents
    #expect(literal.componentCount == 8)
    #expect(MixtureGeometry.distinctCount(literal.means) == 7)

    let legacy = SyntheticData.unrolledRingLegacy7
    #expect(try modal("unrolled-ring-legacy7").modes.count == 7)
    #expect(legacy.componentCount == 7)
    #expect(abs(legacy.means[0][0] - 1) < 1e-12 && abs(legacy.means[0][1]) < 1e-12)
    #expect(abs(legacy.weights[0] - 0.25) < 1e-15)
    for w in legacy.weights.dropFirst() { #expect(abs(w - 0.125) < 1e-15) }
    let angles = sortedAngles(legacy.means)
    for k in 1..<7 { #expect(abs(angles[k] - angles[k - 1] - 2 * .pi / 7) < 1e-12) }
}

@Test func legacyRingIsNeverTheDefaultAndEveryOtherRingHasEightEqualModes() throws {
    #expect(SyntheticData.defaultPresetName == "pacgan-ring")
    #expect(try SyntheticData.preset(SyntheticData.defaultPresetName).modal?.modes.count == 8)
    let eightModePresets: [GaussianMixture] = [SyntheticData.pacganRing, SyntheticData.wgangp8Gaussians, SyntheticData.unrolledRing,
                                               SyntheticData.unrolledPaperRing, SyntheticData.doganRing]
    for m in eightModePresets {
        #expect(MixtureGeometry.distinctCount(m.modes) == 8)
        #expect(m.weights.allSatisfy { abs($0 - 0.125) < 1e-15 })
    }
    #expect(try SyntheticData.preset("unrolled-ring-legacy7").summary.hasPrefix("LEGACY"))
}

@Test func unrolledPaperRingHasRadiusTwoAndStdTwoHundredths() throws {
    let ring = try modal("unrolled-paper-ring")
    #expect(MixtureGeometry.distinctCount(ring.modes) == 8)
    for m in ring.modes { #expect(abs(radius(m) - 2) < 1e-12) }
    #expect(ring.modeStandardDeviations.allSatisfy { $0 == 0.02 })
}

@Test func otherPresetsHaveTheirDocumentedGeometry() throws {
    let oneD = try modal("two-gaussians-1d")
    #expect(oneD.modes == [[-2], [2]] && oneD.modeStandardDeviations == [0.25, 0.25] && oneD.sampleShape == [1])

    let high = try modal("gmm-highdim")
    #expect(high.modes.count == 10 && high.sampleShape == [100])
    for i in 0..<10 { for j in 0..<i {
        let d = zip(high.modes[i], high.modes[j]).map { ($0 - $1) * ($0 - $1) }.reduce(0, +).squareRoot()
        #expect(abs(d - 5) < 1e-12)
    } }

    for d in [2, 10, 100] {
        let segment = try #require(try SyntheticData.named("segment-d\(d)") as? LineSegment)
        #expect(segment.sampleShape == [d] && segment.lower == -1 && segment.upper == 1)
        #expect(segment.direction == [1] + Array(repeating: 0, count: d - 1))
        #expect(segment.distance(to: [0.5, 2] + Array(repeating: 0, count: d - 2)) == 2)
        #expect(segment.distance(to: [3] + Array(repeating: 0, count: d - 1)) == 2)
        #expect(!segment.intersectsOnPositiveLength(segment.shifted(by: 2)))
        #expect(segment.intersectsOnPositiveLength(segment))
        let x = segment.sample(1_000, key: RandomKey(seed: 4), dtype: .float64).doubles
        for i in 0..<1_000 {
            #expect(x[i * d] >= -1 && x[i * d] < 1)
            #expect(x[i * d + 1 ..< (i + 1) * d].allSatisfy { $0 == 0 })
        }
    }

    #expect(try SyntheticData.preset("swissroll").tag == .recollection)
    let noiseless = SwissRoll(noise: 0, divisor: 7.5).sample(10_000, key: RandomKey(seed: 3), dtype: .float64).doubles
    let radii = stride(from: 0, to: noiseless.count, by: 2).map { radius([noiseless[$0], noiseless[$0 + 1]]) * 7.5 }
    #expect(radii.min()! >= 1.5 * .pi - 1e-9 && radii.max()! <= 4.5 * .pi + 1e-9)
    #expect(radii.min()! < 1.5 * .pi + 0.1 && radii.max()! > 4.5 * .pi - 0.1)
}

@Test func everyPresetBuildsAndUnknownNamesListTheValidOnes() throws {
    for name in SyntheticData.names {
        let preset = try SyntheticData.preset(name)
        #expect(preset.name == name)
        #expect((preset.modal != nil) == SyntheticData.modalNames.contains(name))
        #expect(preset.distribution.sample(3, key: RandomKey(seed: 1)).shape == [3] + preset.distribution.sampleShape)
    }
    #expect(throws: SyntheticDataError.unknownPreset(name: "ring", valid: SyntheticData.names)) { try SyntheticData.named("ring") }
    let message = SyntheticDataError.unknownPreset(name: "ring", valid: SyntheticData.names).description
    #expect(message.contains("'ring'") && message.contains("pacgan-ring") && message.contains("unrolled-ring-legacy7"))
    #expect(throws: SyntheticDataError.notModal(name: "swissroll", modalPresets: SyntheticData.modalNames)) { try SyntheticData.modal("swissroll") }
}

@Test func numpyLinspaceMatchesNumpy() {
    let a = MixtureGeometry.numpyLinspace(0, 2 * .pi, count: 8)
    #expect(a.count == 8 && a[0] == 0 && a[7] == 2 * .pi)
    #expect(abs(a[1] - 2 * .pi / 7) < 1e-15)
    #expect(MixtureGeometry.numpyLinspace(3, 5, count: 1) == [3])
}
