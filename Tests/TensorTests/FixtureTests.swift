import Foundation
import Testing
import Tensor

/// Values and gradients against PyTorch (float64) reference fixtures in Fixtures/ops.json.
/// Each case stores inputs, the output y, a cotangent gy, and grad_* = ∂ sum(y · gy)/∂input.
@Suite struct FixtureTests {
    static let tolerance = 1e-10

    struct Fixture {
        let tensors: [String: Tensor]

        init() throws {
            let url = try #require(Bundle.module.url(forResource: "ops", withExtension: "json", subdirectory: "Fixtures"))
            let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
            let raw = try #require(json["tensors"] as? [String: [String: Any]])
            var tensors: [String: Tensor] = [:]
            for (name, entry) in raw {
                let shape = try #require(entry["shape"] as? [Int])
                let data = try #require(entry["data"] as? [Double])
                tensors[name] = Tensor(data, shape: shape)
            }
            self.tensors = tensors
        }

        func callAsFunction(_ name: String) throws -> Tensor {
            try #require(tensors[name], "fixture tensor \(name) is missing")
        }
    }

    /// Compares within `tolerance` (absolute, relative above 1), plus a per-element allowance.
    func expectMatches(_ got: Tensor, _ expected: Tensor, _ what: String, allowance: [Double]? = nil,
                       sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(got.shape == expected.shape, "\(what): shape \(got.shape) vs \(expected.shape)", sourceLocation: sourceLocation)
        for (i, (g, e)) in zip(got.doubles, expected.doubles).enumerated() {
            let allowed = Self.tolerance * Swift.max(1, Swift.abs(e)) + (allowance?[i] ?? 0)
            if !(Swift.abs(g - e) <= allowed) {
                Issue.record("\(what): element \(i) is \(g), PyTorch gives \(e)", sourceLocation: sourceLocation)
                return
            }
        }
    }

    func checkUnary(_ name: String, allowance: (Double) -> Double = { _ in 0 }, _ op: (Tensor) -> Tensor) throws {
        let f = try Fixture()
        let x = try f("\(name).x").requiringGrad()
        let y = op(x)
        let a = x.doubles.map(allowance)
        expectMatches(y, try f("\(name).y"), "\(name) y", allowance: a)
        expectMatches(gradients(of: y, wrt: [x], seed: try f("\(name).gy"))[0], try f("\(name).grad_x"), "\(name) grad_x", allowance: a)
    }

    @Test func logSumExp() throws {
        try checkUnary("logsumexp") { $0.logSumExp(axis: 1) }
    }

    /// PyTorch's softplus returns x (gradient 1) above its threshold 20; ours is exact there.
    /// The two differ by log(1 + e⁻ˣ) < e⁻ˣ in value and by σ(−x) < e⁻ˣ in gradient.
    @Test func softplus() throws {
        try checkUnary("softplus", allowance: { $0 > 20 ? Foundation.exp(-$0) : 0 }) { $0.softplus() }
    }

    @Test func elu() throws {
        try checkUnary("elu") { $0.elu(1) }
    }

    @Test func leakyRelu() throws {
        try checkUnary("leaky_relu") { $0.leakyRelu(0.2) }
    }

    @Test(arguments: ["matmul", "bmm"])
    func matrixProduct(_ name: String) throws {
        let f = try Fixture()
        let a = try f("\(name).a").requiringGrad(), b = try f("\(name).b").requiringGrad()
        let y = a.matmul(b)
        expectMatches(y, try f("\(name).y"), "\(name) y")
        let g = gradients(of: y, wrt: [a, b], seed: try f("\(name).gy"))
        expectMatches(g[0], try f("\(name).grad_a"), "\(name) grad_a")
        expectMatches(g[1], try f("\(name).grad_b"), "\(name) grad_b")
    }
}
