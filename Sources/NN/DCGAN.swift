import Tensor

/// The DCGAN family of convolutional players (Radford et al. 2016) for square images, in the
/// compact form GAN papers use at 28×28 and 32×32 (the "standard CNN" of the spectral-norm
/// and pytorch-gan-collections baselines, shortened by one stage for 28×28):
///
/// - Generator: z → Linear → [w·2^(s−1), b, b] → BatchNorm → ReLU, then s stride-2
///   ConvTranspose2d(k 4, p 1) stages that double the side and halve the channels (BatchNorm
///   and ReLU after all but the last), ending in `channels` maps and tanh.
/// - Discriminator: s stride-2 Conv2d(k 4, p 1) stages w → 2w → … → w·2^(s−1) with
///   leaky-ReLU 0.2 (BatchNorm after all but the first, when asked), then Flatten → Linear → 1
///   logit.
///
/// The number of stages s is the number of halvings that take the side into 4…7: 28 → 7
/// (s = 2: 7 → 14 → 28), 32 → 4 (s = 3), 64 → 4 (s = 4). Weights start N(0, 0.02), biases
/// at 0 and BatchNorm scales at 1, the DCGAN paper's initialisation.
///
/// Layer names are those of the equivalent `nn.Sequential` (benchmarks/pytorch_dcgan_step.py
/// builds the same modules), so checkpoints line up with PyTorch's `state_dict`.
public enum DCGAN {
    /// Why a shape cannot be a DCGAN's image.
    public struct ShapeError: Error, CustomStringConvertible, Equatable {
        public let description: String
    }

    /// The halvings from `side` into 4…7, and the base side b.
    public static func stages(side: Int) throws(ShapeError) -> (count: Int, base: Int) {
        var base = side, count = 0
        while base > 7 {
            guard base % 2 == 0 else {
                throw ShapeError(description: "DCGAN: side \(side) does not halve evenly into 4…7 (use 28, 32, 56, 64, …)")
            }
            base /= 2
            count += 1
        }
        guard count >= 1, base >= 4 else {
            throw ShapeError(description: "DCGAN: side \(side) is too small; it must be at least 8 and halve into 4…7")
        }
        return (count, base)
    }

    static func imageShape(_ shape: [Int]) throws(ShapeError) -> (channels: Int, side: Int, stages: Int, base: Int) {
        guard shape.count == 3, shape[0] >= 1, shape[1] == shape[2] else {
            throw ShapeError(description: "DCGAN: images must be square [C, H, H], got \(shape)")
        }
        let (count, base) = try stages(side: shape[1])
        return (shape[0], shape[1], count, base)
    }

    /// z [N, latentDim] → images [N] + imageShape in −1…1.
    public static func generator(latentDim: Int, imageShape: [Int], width: Int = 64, batchNorm: Bool = true,
                                 key: RandomKey, dtype: DType = .float32) throws(ShapeError) -> Sequential {
        let (channels, _, stages, base) = try Self.imageShape(imageShape)
        guard latentDim >= 1, width >= 1 else { throw ShapeError(description: "DCGAN: latent dimension and width must be positive") }
        let keys = key.split(into: stages + 1)
        var maps = width << (stages - 1)
        var layers: [any Layer] = [Linear(latentDim, maps * base * base, key: keys[0], dtype: dtype)]
        layers.append(Reshape([maps, base, base]))
        if batchNorm { layers.append(BatchNorm(maps, dtype: dtype)) }
        layers.append(ActivationLayer(.relu))
        for stage in 0..<stages {
            let last = stage == stages - 1
            let next = last ? channels : maps / 2
            layers.append(ConvTranspose2d(maps, next, kernelSize: 4, stride: 2, padding: 1, key: keys[stage + 1], dtype: dtype))
            if last {
                layers.append(ActivationLayer(.tanh))
            } else {
                if batchNorm { layers.append(BatchNorm(next, dtype: dtype)) }
                layers.append(ActivationLayer(.relu))
            }
            maps = next
        }
        let network = Sequential(layers)
        initialise(network, key: key.folded(in: 0xDC6A))
        return network
    }

    /// images [N] + imageShape → logits [N, 1].
    ///
    /// - Parameters:
    ///   - batchNorm: BatchNorm after every convolution but the first. Leave it off with a
    ///     gradient penalty: the penalty is a per-sample quantity that batch statistics mix.
    ///   - spectralNorm: wrap every convolution and the final linear layer in `SpectralNorm`
    ///     (one power iteration per forward, as SNGAN).
    public static func discriminator(imageShape: [Int], width: Int = 64, batchNorm: Bool = true, spectralNorm: Bool = false,
                                     key: RandomKey, dtype: DType = .float32) throws(ShapeError) -> Sequential {
        let (channels, _, stages, base) = try Self.imageShape(imageShape)
        guard width >= 1 else { throw ShapeError(description: "DCGAN: width must be positive") }
        let keys = key.split(into: 2 * (stages + 1))
        var layers: [any Layer] = []
        var maps = channels
        for stage in 0..<stages {
            let next = width << stage
            let conv = Conv2d(maps, next, kernelSize: 4, stride: 2, padding: 1, key: keys[stage], dtype: dtype)
            layers.append(spectralNorm ? SpectralNorm(conv, key: keys[stages + 1 + stage]) as any Layer : conv)
            if batchNorm && stage > 0 { layers.append(BatchNorm(next, dtype: dtype)) }
            layers.append(ActivationLayer(.leakyRelu(slope: 0.2)))
            maps = next
        }
        layers.append(Flatten())
        let head = Linear(maps * base * base, 1, key: keys[stages], dtype: dtype)
        layers.append(spectralNorm ? SpectralNorm(head, key: keys[2 * stages + 1]) as any Layer : head)
        let network = Sequential(layers)
        initialise(network, key: key.folded(in: 0xDC6A))
        return network
    }

    /// DCGAN's initialisation: every weight of rank ≥ 2 ~ N(0, 0.02) (a spectral-norm layer's
    /// "weight_orig" too), every bias 0; BatchNorm keeps its scale 1 and shift 0.
    static func initialise(_ network: Sequential, key: RandomKey) {
        var values = network.parameters
        for (i, name) in values.keys.sorted().enumerated() {
            let tensor = values[name]!
            if tensor.rank >= 2 {
                values[name] = Initializer.normal(tensor.shape, std: 0.02, key: key.folded(in: UInt64(i)), dtype: tensor.dtype)
            } else if name.hasSuffix(".bias"), !(network.layers[Int(name.prefix { $0 != "." })!] is BatchNorm) {
                values[name] = tensor.zerosLike()
            }
        }
        do { try network.setParameters(values) } catch {
            preconditionFailure("DCGAN: re-initialising its own parameters failed: \(error)")
        }
    }
}
