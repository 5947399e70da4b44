import NN
import Tensor
import Testing

@Suite struct LossTests {
    @Test func binaryCrossEntropyMatchesPyTorch() throws {
        let f = try Fixture("softplus_bce")
        let z = f["logits"].requiringGrad()
        let loss = Loss.binaryCrossEntropy(logits: z, targets: f["targets"])
        expectClose(loss, f["loss"], "loss")
        let gz = gradient(of: loss, wrt: z, createGraph: true)
        expectClose(gz, f["grad_logits"], "dL/dz")
        expectClose(gradient(of: gz.squared().sum(), wrt: z), f["grad_gradsq"], "d‖dL/dz‖²/dz")
    }

    @Test func meanSquaredError() {
        let a = Tensor([1, 2, 3] as [Double]), b = Tensor([1, 0, 0] as [Double])
        #expect(Loss.meanSquaredError(a, b).item == 13.0 / 3.0)
    }
}
