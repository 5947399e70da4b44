import Testing
import Tensor
import Optim

@Suite struct GradientClippingTests {
    @Test(arguments: ["clip_grad_norm", "clip_grad_norm_noclip"])
    func matchesPyTorch(_ name: String) throws {
        let f = try Fixture(name)
        var gradients = ["g0": f["g0"], "g1": f["g1"]]
        let total = clipGradNorm(&gradients, maxNorm: f.double("max_norm"))
        #expect(abs(total - f["total_norm"].item) < 1e-12)
        #expect(maxAbsDifference(gradients["g0"]!, f["clipped_g0"]) < 1e-12)
        #expect(maxAbsDifference(gradients["g1"]!, f["clipped_g1"]) < 1e-12)
    }

    @Test func clippedNormIsMaxNormAndFloat32Works() {
        var gradients = ["a": Tensor([Float(3), 0]), "b": Tensor([Float(4)])]
        let total = clipGradNorm(&gradients, maxNorm: 1)
        #expect(total == 5)
        let clipped = (gradients["a"]!.floats + gradients["b"]!.floats).map { Double($0) * Double($0) }.reduce(0, +).squareRoot()
        #expect(abs(clipped - 5 / (5 + 1e-6)) < 1e-6)
        #expect(gradients["a"]!.dtype == .float32)
    }
}
