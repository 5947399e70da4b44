import Foundation
import Testing
import NN
import Optim
import Tensor

/// Files for checking interoperability with Python's `safetensors` by hand
/// (scripts/check_safetensors.py). Runs only when EQUILIBRIUM_INTEROP_DIR is set, so the
/// suite never needs Python.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["EQUILIBRIUM_INTEROP_DIR"] != nil))
struct InteropTests {
    let directory = ProcessInfo.processInfo.environment["EQUILIBRIUM_INTEROP_DIR"] ?? ""

    @Test func writeSampleAndCheckpoint() throws {
        try SafeTensors.write(SafeTensors.Contents(tensors: [
            "w": Tensor((0..<12).map { Float($0) * 0.25 - 1 }, shape: [3, 4]),
            "b": Tensor([Double.pi, -0.5, 2], shape: [3]),
            "scalar": Tensor(scalar: 2.5, dtype: .float64),
            "empty": Tensor.zeros([0, 3]),
        ], metadata: ["written_by": "Equilibrium"]), to: directory + "/from_swift.safetensors")

        let module = TinyModule(parameters: ["layer.weight": Tensor([Float(1), 2, 3, 4], shape: [2, 2]), "layer.bias": Tensor([Float(0.5), -0.5])])
        var adam = Adam(learningRate: 0.01)
        try adam.update(module, gradients: ["layer.weight": Tensor([Float(1), 1, 1, 1], shape: [2, 2]), "layer.bias": Tensor([Float(1), -1])])
        var checkpoint = Checkpoint(step: 1, key: RandomKey(seed: 1))
        checkpoint.store(module: module, prefix: "g")
        checkpoint.store(optimizer: adam, prefix: "opt_g")
        try checkpoint.write(to: directory + "/checkpoint")
    }

    @Test func readFileWrittenByPython() throws {
        let path = directory + "/from_python.safetensors"
        guard FileManager.default.fileExists(atPath: path) else { return }
        let contents = try SafeTensors.read(from: path)
        for name in contents.tensors.keys.sorted() {
            let t = contents.tensors[name]!
            print("swift read \(name): \(t.dtype.rawValue) \(t.shape) sum \(t.doubles.reduce(0, +))")
        }
        print("swift read metadata: \(contents.metadata.sorted { $0.key < $1.key })")
    }
}
