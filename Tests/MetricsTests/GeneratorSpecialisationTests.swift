import Foundation
import Testing
import Datasets
import Metrics
import Tensor

private let ring = SyntheticData.pacganRing
private func points(_ rows: [[Double]]) -> Tensor { Tensor(rows.flatMap { $0 }, shape: [rows.count, rows[0].count]) }

@Suite struct GeneratorSpecialisationTests {
    @Test func disjointGeneratorsCarryLogKNats() throws {
        // Generator 0 only on modes 0 and 1, generator 1 only on modes 4 and 5, equal counts:
        // knowing the mode tells the generator, so I(k; mode) = H(k) = log 2.
        let rows = [ring.modes[0], ring.modes[1], ring.modes[4], ring.modes[5]]
        let s = try ModeCoverage(ring).specialisation(points(rows), components: [0, 0, 1, 1], componentCount: 2)
        #expect(abs(s.mutualInformation - log(2)) < 1e-12 && abs(s.componentEntropy - log(2)) < 1e-12 && s.samples == 4)
    }

    @Test func identicalGeneratorsCarryNone() throws {
        let rows = [ring.modes[0], ring.modes[1], ring.modes[0], ring.modes[1]]
        let s = try ModeCoverage(ring).specialisation(points(rows), components: [0, 0, 1, 1], componentCount: 2)
        #expect(abs(s.mutualInformation) < 1e-12 && abs(s.componentEntropy - log(2)) < 1e-12)
    }

    @Test func aPartialCaseByHand() throws {
        // Joint counts over (k, mode): (0,0)=2, (0,1)=1, (1,1)=1; off-mode samples are ignored.
        // p(k) = (¾, ¼), p(m) = (½, ½); I = ½ log(½/(¾·½)) + ¼ log(¼/(¾·½)) + ¼ log(¼/(¼·½)).
        let off = [10.0, 10.0]
        let rows = [ring.modes[0], ring.modes[0], ring.modes[1], ring.modes[1], off]
        let s = try ModeCoverage(ring).specialisation(points(rows), components: [0, 0, 0, 1, 1], componentCount: 2)
        let expected = 0.5 * log(0.5 / 0.375) + 0.25 * log(0.25 / 0.375) + 0.25 * log(0.25 / 0.125)
        #expect(abs(s.mutualInformation - expected) < 1e-12 && s.samples == 4)
    }

    @Test func badComponentsAreRejected() throws {
        let rows = [ring.modes[0], ring.modes[1]]
        #expect(throws: MetricError.self) { try ModeCoverage(ring).specialisation(points(rows), components: [0], componentCount: 2) }
        #expect(throws: MetricError.self) { try ModeCoverage(ring).specialisation(points(rows), components: [0, 2], componentCount: 2) }
        let none = try ModeCoverage(ring).specialisation(points([[9, 9], [9, 9]]), components: [0, 1], componentCount: 2)
        #expect(none.mutualInformation == 0 && none.samples == 0)
    }
}
