import Foundation
import NN
import Optim
import Tensor

/// A PyTorch reference fixture: config plus named float64 tensors.
struct Fixture {
    let name: String
    let config: [String: Any]
    let tensors: [String: Tensor]

    init(_ name: String) throws {
        guard let url = Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures") else {
            throw FixtureError.missing(name)
        }
        let root = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        self.name = name
        self.config = root["config"] as! [String: Any]
        var tensors: [String: Tensor] = [:]
        for (key, value) in root["tensors"] as! [String: Any] {
            let entry = value as! [String: Any]
            let shape = (entry["shape"] as! [NSNumber]).map(\.intValue)
            let data = (entry["data"] as! [NSNumber]).map(\.doubleValue)
            tensors[key] = Tensor(data, shape: shape)
        }
        self.tensors = tensors
    }

    func double(_ key: String) -> Double { (config[key] as! NSNumber).doubleValue }
    func int(_ key: String) -> Int { (config[key] as! NSNumber).intValue }
    func bool(_ key: String) -> Bool { (config[key] as! NSNumber).boolValue }
    subscript(_ key: String) -> Tensor { tensors[key]! }
}

enum FixtureError: Error { case missing(String) }

/// Largest absolute element-wise difference.
func maxAbsDifference(_ a: Tensor, _ b: Tensor) -> Double {
    precondition(a.shape == b.shape, "maxAbsDifference: shapes \(a.shape) and \(b.shape)")
    return zip(a.doubles, b.doubles).map { abs($0 - $1) }.max() ?? 0
}

/// Whether two tensors hold the same bits (shape, dtype and every byte).
func bitIdentical(_ a: Tensor, _ b: Tensor) -> Bool {
    a.shape == b.shape && a.dtype == b.dtype && a.withUnsafeRawBytes { x in b.withUnsafeRawBytes { y in x.elementsEqual(y) } }
}

/// Runs an optimiser over a fixture's five gradients and returns the largest deviation from
/// PyTorch's parameters after each step.
func fixtureDeviations(_ fixture: Fixture, _ optimizer: some Optimizer) -> [Double] {
    var optimizer = optimizer
    var parameters = ["param": fixture["param0"].requiringGrad()]
    var deviations: [Double] = []
    for k in 0..<fixture.int("steps") {
        optimizer.step(&parameters, gradients: ["param": fixture["grad\(k)"]])
        deviations.append(maxAbsDifference(parameters["param"]!, fixture["param\(k + 1)"]))
    }
    return deviations
}

/// A minimal module for tests: a dictionary of parameter leaves and one of state.
final class TinyModule: Module {
    private var storedParameters: [String: Tensor]
    private var storedState: [String: Tensor]
    var isTraining = true

    init(parameters: [String: Tensor], state: [String: Tensor] = [:]) {
        storedParameters = parameters.mapValues { $0.detached().requiringGrad() }
        storedState = state
    }

    var parameters: [String: Tensor] { storedParameters }
    var state: [String: Tensor] { storedState }

    func setParameters(_ values: [String: Tensor]) throws {
        try check(values, against: storedParameters)
        for (name, value) in values { storedParameters[name] = value.detached().requiringGrad() }
    }

    func setState(_ values: [String: Tensor]) throws {
        try check(values, against: storedState)
        for (name, value) in values { storedState[name] = value.detached() }
    }

    private func check(_ values: [String: Tensor], against current: [String: Tensor]) throws {
        for (name, value) in values {
            guard let existing = current[name] else { throw ModuleError.unknownName(name, module: "TinyModule") }
            guard existing.shape == value.shape else { throw ModuleError.shapeMismatch(name: name, expected: existing.shape, got: value.shape) }
            guard existing.dtype == value.dtype else { throw ModuleError.dtypeMismatch(name: name, expected: existing.dtype, got: value.dtype) }
        }
    }
}

/// A fresh empty directory under the system temporary directory.
func temporaryDirectory(_ label: String) -> String {
    let path = NSTemporaryDirectory() + "/equilibrium-optim-\(label)-\(UUID().uuidString)"
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}
