import NN
import Optim
import Tensor

/// One player's network and optimiser, as plain data (what a preset freezes and a config
/// file overrides). Strings keep config files readable; `validate()` turns every bad value
/// into a precise error before anything is built.
public struct PlayerSpec: Codable, Sendable, Equatable {
    /// Hidden-layer widths of the MLP (input and output sizes come from the data/latent);
    /// empty for an affine player x ↦ Wx + b (S1's linear generator, `many-paths.md` §3.4).
    public var widths: [Int]
    /// "relu", "leaky-relu:0.2", "elu:1", "tanh", "sigmoid", "softplus", "maxout:5".
    public var activation: String
    public var batchNorm: Bool
    /// Output activation: "identity" (default) or e.g. "tanh".
    public var outputActivation: String
    /// "pytorch" (U(±1/√fan_in)), "normal:0.02", "orthogonal:1.4", "xavier", "kaiming",
    /// "eye" (W = the first columns of the identity, as torch.nn.init.eye_: S1's a = e₁).
    public var initialization: String
    /// The output layer's initial bias (nil: the initialisation's). Shorter than the output:
    /// the remaining entries are 0, so `[0, 2]` starts a generator 2 along e₂ in any dimension
    /// (the off-support start of Fedus et al.'s experiments, `many-paths.md` §3.4).
    public var outputBias: [Double]?
    public var optimizer: OptimizerSpec
    /// "mlp" (the fields above; on images, flattened in and reshaped out) or "dcgan" (the
    /// convolutional players of `NN.DCGAN`, whose layers and activations are fixed: `widths`,
    /// `activation`, `output_activation`, `initialization` and `output_bias` do not apply).
    public var architecture: String
    /// DCGAN's base channel count (64 in the DCGAN paper).
    public var width: Int
    /// Spectral normalisation of every weight layer (DCGAN discriminators only).
    public var spectralNorm: Bool

    public init(widths: [Int], activation: String, batchNorm: Bool = false, outputActivation: String = "identity",
                initialization: String = "pytorch", outputBias: [Double]? = nil, optimizer: OptimizerSpec,
                architecture: String = "mlp", width: Int = 64, spectralNorm: Bool = false) {
        self.widths = widths
        self.activation = activation
        self.batchNorm = batchNorm
        self.outputActivation = outputActivation
        self.initialization = initialization
        self.outputBias = outputBias
        self.optimizer = optimizer
        self.architecture = architecture
        self.width = width
        self.spectralNorm = spectralNorm
    }

    /// A DCGAN player (`NN.DCGAN`).
    public static func dcgan(width: Int = 64, batchNorm: Bool, spectralNorm: Bool = false, optimizer: OptimizerSpec) -> PlayerSpec {
        PlayerSpec(widths: [], activation: "relu", batchNorm: batchNorm, initialization: "normal:0.02", optimizer: optimizer,
                   architecture: "dcgan", width: width, spectralNorm: spectralNorm)
    }

    /// Decodes every field; `architecture`, `width` and `spectral_norm` (added with the image
    /// players) take their defaults when absent, so configs and checkpoints written before
    /// still load.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(widths: try c.decode([Int].self, forKey: .widths), activation: try c.decode(String.self, forKey: .activation),
                  batchNorm: try c.decode(Bool.self, forKey: .batchNorm),
                  outputActivation: try c.decode(String.self, forKey: .outputActivation),
                  initialization: try c.decode(String.self, forKey: .initialization),
                  outputBias: try c.decodeIfPresent([Double].self, forKey: .outputBias),
                  optimizer: try c.decode(OptimizerSpec.self, forKey: .optimizer),
                  architecture: try c.decodeIfPresent(String.self, forKey: .architecture) ?? "mlp",
                  width: try c.decodeIfPresent(Int.self, forKey: .width) ?? 64,
                  spectralNorm: try c.decodeIfPresent(Bool.self, forKey: .spectralNorm) ?? false)
    }

    public var isConvolutional: Bool { architecture.lowercased() == "dcgan" }

    public func validate(player: String) throws(GANConfigError) {
        guard ["mlp", "dcgan"].contains(architecture.lowercased()) else {
            throw .invalid("\(player).architecture", "unknown architecture '\(architecture)'; use mlp or dcgan")
        }
        guard width >= 1 else { throw .invalid("\(player).width", "must be ≥ 1, got \(width)") }
        if spectralNorm && !(isConvolutional && player == "discriminator") {
            throw .invalid("\(player).spectral_norm", "spectral normalisation is available for dcgan discriminators only")
        }
        guard widths.allSatisfy({ $0 >= 1 }) else {
            throw .invalid("\(player).widths", "hidden widths must be positive (or none, for an affine player), got \(widths)")
        }
        if let outputBias, !outputBias.allSatisfy(\.isFinite) {
            throw .invalid("\(player).output_bias", "must be finite numbers, got \(outputBias)")
        }
        _ = try Self.parseActivation(activation, field: "\(player).activation")
        let output = try Self.parseActivation(outputActivation, field: "\(player).output_activation")
        if output.widthFactor != 1 { throw .invalid("\(player).output_activation", "maxout cannot be an output activation") }
        _ = try Self.parseInitialization(initialization, field: "\(player).initialization")
        try optimizer.validate(player: player)
    }

    /// Builds the MLP inputSize → widths → outputSize with this spec's initialisation.
    public func build(inputSize: Int, outputSize: Int, key: RandomKey, player: String) throws(GANConfigError) -> MLP {
        let activation = try Self.parseActivation(activation, field: "\(player).activation")
        let output = try Self.parseActivation(outputActivation, field: "\(player).output_activation")
        let keys = key.split(into: 2)
        let mlp = MLP([inputSize] + widths + [outputSize], activation: activation, batchNorm: batchNorm,
                      outputActivation: output, key: keys[0])
        let initializer = try Self.parseInitialization(initialization, field: "\(player).initialization")
        if let initializer {
            // Re-draw every affine weight (rank ≥ 2) and zero the affine biases; BatchNorm's
            // scale and shift (rank 1, named like biases) keep their 1 and 0.
            var values = mlp.parameters
            let affine = values.keys.sorted().filter { values[$0]!.rank >= 2 }
            for (i, name) in affine.enumerated() {
                let shape = values[name]!.shape
                let k = keys[1].folded(in: UInt64(i))
                values[name] = initializer(shape, k)
                let bias = String(name.dropLast("weight".count)) + "bias"
                if let b = values[bias] { values[bias] = b.zerosLike() }
            }
            do { try mlp.setParameters(values) } catch {
                throw .invalid("\(player).initialization", "could not apply: \(error)")
            }
        }
        if let outputBias {
            guard outputBias.count <= outputSize else {
                throw .invalid("\(player).output_bias", "has \(outputBias.count) entries for \(outputSize) outputs")
            }
            let name = "\(mlp.body.layers.lastIndex { $0 is Linear }!).bias"
            var values = mlp.parameters
            let padded = outputBias + Array(repeating: 0, count: outputSize - outputBias.count)
            values[name] = Tensor(padded, shape: [outputSize]).cast(to: values[name]!.dtype)
            do { try mlp.setParameters(values) } catch {
                throw .invalid("\(player).output_bias", "could not apply: \(error)")
            }
        }
        return mlp
    }

    /// The generator for samples of `sampleShape`: an MLP (reshaped to images when the
    /// samples are images) or a DCGAN generator.
    public func buildGenerator(latentDim: Int, sampleShape: [Int], key: RandomKey) throws(GANConfigError) -> any Layer {
        let dimension = sampleShape.reduce(1, *)
        if isConvolutional {
            do {
                return try DCGAN.generator(latentDim: latentDim, imageShape: sampleShape, width: width, batchNorm: batchNorm, key: key)
            } catch {
                throw .invalid("generator.architecture", "\(error.description) (data samples have shape \(sampleShape))")
            }
        }
        let mlp = try build(inputSize: latentDim, outputSize: dimension, key: key, player: "generator")
        return sampleShape.count == 1 ? mlp : Sequential([mlp, Reshape(sampleShape)])
    }

    /// The discriminator for samples of `sampleShape` (logits [N, 1]): an MLP (on flattened
    /// images when the samples are images) or a DCGAN discriminator.
    public func buildDiscriminator(sampleShape: [Int], key: RandomKey) throws(GANConfigError) -> any Layer {
        let dimension = sampleShape.reduce(1, *)
        if isConvolutional {
            do {
                return try DCGAN.discriminator(imageShape: sampleShape, width: width, batchNorm: batchNorm,
                                               spectralNorm: spectralNorm, key: key)
            } catch {
                throw .invalid("discriminator.architecture", "\(error.description) (data samples have shape \(sampleShape))")
            }
        }
        let mlp = try build(inputSize: dimension, outputSize: 1, key: key, player: "discriminator")
        return sampleShape.count == 1 ? mlp : Sequential([Flatten(), mlp])
    }

    static func parseActivation(_ text: String, field: String) throws(GANConfigError) -> Activation {
        let parts = text.lowercased().split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        let argument = parts.count > 1 ? Double(parts[1]) : nil
        if parts.count > 1 && argument == nil { throw .invalid(field, "'\(text)': the value after ':' must be a number") }
        switch parts[0] {
        case "identity", "linear", "none": return .identity
        case "relu": return .relu
        case "leaky-relu", "leakyrelu", "lrelu": return .leakyRelu(slope: argument ?? 0.2)
        case "elu": return .elu(alpha: argument ?? 1)
        case "tanh": return .tanh
        case "sigmoid": return .sigmoid
        case "softplus": return .softplus
        case "sin": return .sin
        case "maxout":
            let pieces = Int(argument ?? 5)
            guard pieces >= 2, Double(pieces) == (argument ?? 5) else { throw .invalid(field, "maxout needs an integer number of pieces ≥ 2, got '\(text)'") }
            return .maxout(pieces: pieces)
        default:
            throw .invalid(field, "unknown activation '\(text)'; use relu, leaky-relu[:slope], elu[:alpha], tanh, sigmoid, softplus, sin, maxout[:pieces] or identity")
        }
    }

    /// nil means the layers' own (PyTorch) default.
    static func parseInitialization(_ text: String, field: String) throws(GANConfigError) -> (@Sendable ([Int], RandomKey) -> Tensor)? {
        let parts = text.lowercased().split(separator: ":").map(String.init)
        let argument = parts.count > 1 ? Double(parts[1]) : nil
        if parts.count > 1 && (argument == nil || !(argument! > 0)) {
            throw .invalid(field, "'\(text)': the value after ':' must be a positive number")
        }
        switch parts[0] {
        case "pytorch", "default": return nil
        case "normal":
            let std = argument ?? 0.02
            return { shape, key in Initializer.normal(shape, std: std, key: key) }
        case "orthogonal":
            let gain = argument ?? 1
            return { shape, key in Initializer.orthogonal(shape, gain: gain, key: key) }
        case "xavier":
            let gain = argument ?? 1
            return { shape, key in Initializer.xavierUniform(shape, gain: gain, key: key) }
        case "kaiming", "he":
            return { shape, key in Initializer.kaimingUniform(shape, key: key) }
        case "kaiming-normal", "he-normal":
            return { shape, key in Initializer.kaimingNormal(shape, key: key) }
        case "eye", "identity":
            return { shape, _ in Initializer.eye(shape) }
        default:
            throw .invalid(field, "unknown initialisation '\(text)'; use pytorch, normal[:std], orthogonal[:gain], xavier[:gain], kaiming, kaiming-normal or eye")
        }
    }
}

/// An optimiser as plain data.
public struct OptimizerSpec: Codable, Sendable, Equatable {
    /// "adam", "adamw", "sgd", "rmsprop", "optimistic-adam", "optimistic-sgd".
    public var name: String
    public var lr: Double
    public var beta1: Double
    public var beta2: Double
    public var eps: Double
    public var momentum: Double
    public var weightDecay: Double

    public init(name: String = "adam", lr: Double, beta1: Double = 0.9, beta2: Double = 0.999, eps: Double = 1e-8,
                momentum: Double = 0, weightDecay: Double = 0) {
        self.name = name
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.momentum = momentum
        self.weightDecay = weightDecay
    }

    public func validate(player: String) throws(GANConfigError) {
        let field = "\(player).optimizer"
        guard lr > 0, lr.isFinite else { throw .invalid("\(field).lr", "learning rate must be positive and finite, got \(lr)") }
        guard (0..<1).contains(beta1) else { throw .invalid("\(field).beta1", "must be in [0, 1), got \(beta1)") }
        guard (0..<1).contains(beta2) else { throw .invalid("\(field).beta2", "must be in [0, 1), got \(beta2)") }
        guard eps >= 0 else { throw .invalid("\(field).eps", "must be ≥ 0, got \(eps)") }
        guard momentum >= 0 && momentum < 1 else { throw .invalid("\(field).momentum", "must be in [0, 1), got \(momentum)") }
        guard weightDecay >= 0 else { throw .invalid("\(field).weight_decay", "must be ≥ 0, got \(weightDecay)") }
        guard Self.names.contains(name.lowercased()) else {
            throw .invalid("\(field).name", "unknown optimiser '\(name)'; use \(Self.names.joined(separator: ", "))")
        }
    }

    static let names = ["adam", "adamw", "sgd", "rmsprop", "optimistic-adam", "optimistic-sgd"]

    public func build() -> any Optimizer {
        switch name.lowercased() {
        case "adamw": return AdamW(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay)
        case "sgd": return SGD(learningRate: lr, momentum: momentum, weightDecay: weightDecay)
        case "rmsprop": return RMSProp(learningRate: lr, epsilon: eps, momentum: momentum, weightDecay: weightDecay)
        case "optimistic-adam": return OptimisticAdam(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay)
        case "optimistic-sgd": return OptimisticSGD(learningRate: lr)
        default: return Adam(learningRate: lr, beta1: beta1, beta2: beta2, epsilon: eps, weightDecay: weightDecay)
        }
    }
}
