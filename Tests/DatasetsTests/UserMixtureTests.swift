import Foundation
import Testing
import Datasets

@Test func userMixtureAcceptsValidMeansAndReportsThem() throws {
    let m = try GaussianMixture(userMeans: [[0, 0], [3, 1]], std: 0.1)
    #expect(m.modes == [[0, 0], [3, 1]] && m.modeStandardDeviations == [0.1, 0.1] && m.weights == [0.5, 0.5])
}

@Test func userMixtureValidationErrorsArePrecise() {
    #expect(throws: GaussianMixtureError.noComponents) { try GaussianMixture(userMeans: [], std: 1) }
    #expect(throws: GaussianMixtureError.emptyMean(component: 0)) { try GaussianMixture(userMeans: [[]], std: 1) }
    #expect(throws: GaussianMixtureError.dimensionMismatch(component: 2, expected: 2, got: 3)) {
        try GaussianMixture(userMeans: [[0, 0], [1, 1], [1, 2, 3]], std: 1)
    }
    #expect(GaussianMixtureError.dimensionMismatch(component: 2, expected: 2, got: 3).description
        .contains("component 2 has 3 coordinates, but component 0 has 2"))
    #expect(throws: GaussianMixtureError.nonFiniteMean(component: 1, coordinate: 1, value: .infinity)) {
        try GaussianMixture(userMeans: [[0, 0], [1, .infinity]], std: 1)
    }
    for bad in [0.0, -1, .infinity] {
        #expect(throws: GaussianMixtureError.invalidStandardDeviation(component: 0, value: bad)) {
            try GaussianMixture(userMeans: [[0, 0]], std: bad)
        }
    }
    // NaN never equals itself, so NaN cases are checked by the error's position and message.
    do {
        _ = try GaussianMixture(userMeans: [[0, .nan]], std: 1)
        Issue.record("a NaN mean was accepted")
    } catch {
        guard case .nonFiniteMean(1 - 1, 1, let v) = error else { Issue.record("wrong error \(error)"); return }
        #expect(v.isNaN)
        #expect(error.description.contains("coordinate 1 of component 0's mean is nan"))
    }
    do {
        _ = try GaussianMixture(userMeans: [[0, 0]], std: .nan)
        Issue.record("a NaN std was accepted")
    } catch {
        guard case .invalidStandardDeviation(0, let v) = error else { Issue.record("wrong error \(error)"); return }
        #expect(v.isNaN)
    }
    #expect(throws: GaussianMixtureError.weightCount(expected: 2, got: 1)) {
        try GaussianMixture(means: [[0], [1]], standardDeviations: [1], weights: [1])
    }
    #expect(throws: GaussianMixtureError.invalidDivisor(0)) {
        try GaussianMixture(means: [[0]], standardDeviations: [1], postSamplingDivisor: 0)
    }
}

@Test func decodingAMixtureValidatesIt() throws {
    let good = try JSONDecoder().decode(GaussianMixture.self, from: Foundation.Data(#"{"means": [[0, 0], [1, 1]], "standardDeviations": [0.5]}"#.utf8))
    #expect(good.standardDeviations == [0.5, 0.5] && good.postSamplingDivisor == 1)
    let roundTrip = try JSONDecoder().decode(GaussianMixture.self, from: JSONEncoder().encode(SyntheticData.wgangp8Gaussians))
    #expect(roundTrip == SyntheticData.wgangp8Gaussians)
    #expect(throws: GaussianMixtureError.invalidStandardDeviation(component: 0, value: -1)) {
        try JSONDecoder().decode(GaussianMixture.self, from: Foundation.Data(#"{"means": [[0]], "standardDeviations": [-1]}"#.utf8))
    }
}
