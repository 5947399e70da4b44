import NN
import Tensor
import Testing

/// The DCGAN players: stage counts per image side, shapes, PyTorch-style names, the DCGAN
/// initialisation, the spectral-norm variant, and gradients reaching every parameter.
@Suite struct DCGANTests {
    @Test func stagesHalveTheSideIntoFourToSeven() throws {
        #expect(try DCGAN.stages(side: 28) == (2, 7))
        #expect(try DCGAN.stages(side: 32) == (3, 4))
        #expect(try DCGAN.stages(side: 64) == (4, 4))
        #expect(try DCGAN.stages(side: 12) == (1, 6))
        #expect(throws: DCGAN.ShapeError.self) { try DCGAN.stages(side: 30) }   // 15 does not halve
        #expect(throws: DCGAN.ShapeError.self) { try DCGAN.stages(side: 6) }    // nothing to upsample
        #expect(throws: DCGAN.ShapeError.self) { try DCGAN.generator(latentDim: 8, imageShape: [1, 28, 27], key: RandomKey(seed: 0)) }
    }

    @Test(arguments: [[1, 28, 28], [3, 28, 28], [3, 32, 32], [1, 16, 16]])
    func shapes(_ imageShape: [Int]) throws {
        let g = try DCGAN.generator(latentDim: 10, imageShape: imageShape, width: 8, key: RandomKey(seed: 1))
        let d = try DCGAN.discriminator(imageShape: imageShape, width: 8, key: RandomKey(seed: 2))
        let images = g(Tensor.normal([3, 10], key: RandomKey(seed: 3)))
        #expect(images.shape == [3] + imageShape)
        #expect(images.doubles.allSatisfy { abs($0) <= 1 })   // tanh output
        #expect(d(images).shape == [3, 1])
    }

    /// 28×28: the same modules, in the same order, as benchmarks/pytorch_gan_step.py's
    /// nn.Sequential, so the names are PyTorch's state_dict keys.
    @Test func namesMatchTheEquivalentSequential() throws {
        let g = try DCGAN.generator(latentDim: 100, imageShape: [1, 28, 28], key: RandomKey(seed: 4))
        let shapes = g.parameters.mapValues(\.shape)
        #expect(shapes == ["0.weight": [6272, 100], "0.bias": [6272], "2.weight": [128], "2.bias": [128],
                           "4.weight": [128, 64, 4, 4], "4.bias": [64], "5.weight": [64], "5.bias": [64],
                           "7.weight": [64, 1, 4, 4], "7.bias": [1]])
        let d = try DCGAN.discriminator(imageShape: [1, 28, 28], batchNorm: false, key: RandomKey(seed: 5))
        #expect(d.parameters.mapValues(\.shape) == ["0.weight": [64, 1, 4, 4], "0.bias": [64], "2.weight": [128, 64, 4, 4],
                                                    "2.bias": [128], "5.weight": [1, 6272], "5.bias": [1]])
    }

    @Test func dcganInitialisation() throws {
        let g = try DCGAN.generator(latentDim: 100, imageShape: [1, 28, 28], key: RandomKey(seed: 6))
        let w = g.parameters["4.weight"]!.doubles
        let std = (w.map { $0 * $0 }.reduce(0, +) / Double(w.count)).squareRoot()
        #expect(abs(std - 0.02) < 0.001)
        #expect(g.parameters["4.bias"]!.doubles.allSatisfy { $0 == 0 })
        #expect(g.parameters["2.weight"]!.doubles.allSatisfy { $0 == 1 })   // BatchNorm scale stays 1
    }

    @Test func spectralNormWrapsEveryWeightLayer() throws {
        let d = try DCGAN.discriminator(imageShape: [3, 32, 32], width: 8, batchNorm: false, spectralNorm: true, key: RandomKey(seed: 7))
        let names = Set(d.parameters.keys)
        #expect(names.filter { $0.hasSuffix("weight_orig") }.count == 4)   // three convolutions and the head
        #expect(!names.contains { $0.hasSuffix(".weight") })
        #expect(d(Tensor.zeros([2, 3, 32, 32])).shape == [2, 1])
    }

    @Test func gradientsReachEveryParameter() throws {
        let g = try DCGAN.generator(latentDim: 6, imageShape: [1, 16, 16], width: 4, key: RandomKey(seed: 8))
        let d = try DCGAN.discriminator(imageShape: [1, 16, 16], width: 4, key: RandomKey(seed: 9))
        let loss = d(g(Tensor.normal([4, 6], key: RandomKey(seed: 10)))).softplus().mean()
        for (name, gradient) in g.parameterGradients(of: loss) {
            #expect(gradient.doubles.contains { $0 != 0 }, "generator \(name)")
        }
        for (name, gradient) in d.parameterGradients(of: loss) {
            #expect(gradient.doubles.contains { $0 != 0 }, "discriminator \(name)")
        }
    }
}
