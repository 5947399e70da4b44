import Foundation
import Tensor

/// A PyTorch reference case from Fixtures/*.json (see scripts/make_fixtures.py), in Float64.
struct Fixture {
    let name: String
    let tensors: [String: Tensor]

    struct MissingFixture: Error, CustomStringConvertible {
        let description: String
    }

    init(_ name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw MissingFixture(description: "no fixture Fixtures/\(name).json in the test bundle")
        }
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        guard let entries = root?["tensors"] as? [String: [String: Any]] else {
            throw MissingFixture(description: "\(name).json has no \"tensors\" object")
        }
        var tensors: [String: Tensor] = [:]
        for (key, entry) in entries {
            guard let shape = entry["shape"] as? [Int], let data = entry["data"] as? [Double] else {
                throw MissingFixture(description: "\(name).json: tensor \(key) lacks shape or data")
            }
            tensors[key] = Tensor(data, shape: shape)
        }
        self.name = name
        self.tensors = tensors
    }

    subscript(_ key: String) -> Tensor {
        guard let tensor = tensors[key] else { preconditionFailure("fixture \(name) has no tensor \(key)") }
        return tensor
    }
}
