import Datasets
import NN
import Optim
import Tensor

/// Runs a game's update schedule one step at a time.
///
/// Each player has its own optimiser (any `Optimizer`, its own learning rate). All randomness
/// is explicit: step t uses keys derived from `key.folded(in: t)` (latent batches, penalty
/// draws, and real batches when they come from a `Distribution`), so a run resumed from a
/// checkpoint continues bit for bit.
///
/// A step either completes or throws `TrainingError.diverged` and leaves the players, the
/// optimisers, the averages and the step counter exactly as they were before it (the
/// parameters of the last good step are kept).
public final class Trainer {
    /// Which averaged generator to read.
    public enum GeneratorAverage: String, Sendable, Hashable, Codable {
        /// The uniform mean of the played iterates since `averageStart`.
        case uniform
        /// The exponential moving average.
        case exponential
    }

    public let game: Game
    public let schedule: UpdateSchedule
    public var generatorOptimizer: any Optimizer
    public var discriminatorOptimizer: any Optimizer
    public let batchSize: Int
    /// The run's base key; step t draws from `key.folded(in: t)`.
    public private(set) var key: RandomKey
    /// Steps completed.
    public private(set) var step: Int = 0
    /// Measure ‖∇_x f‖ at real and fake points every this many steps (0: never). It costs one
    /// extra backward pass through the discriminator (input gradients only).
    public var diagnosticsEvery: Int
    /// EMA of the generator's parameters, updated after every completed step.
    public private(set) var generatorEMA: ExponentialMovingAverage?
    /// Uniform mean of the generator iterates played at steps ≥ `averageStart`.
    public private(set) var generatorAverage: UniformAverage?
    public let averageStart: Int

    /// g_{t−1} for the optimistic schedule, by parameter name.
    private var previousGeneratorGradients: [String: Tensor] = [:]
    private var previousDiscriminatorGradients: [String: Tensor] = [:]
    private let generatorNames: [String]
    private let discriminatorNames: [String]

    /// - Parameters:
    ///   - emaDecay: keep an EMA of the generator with this decay (nil: none).
    ///   - averageStart: keep a uniform average of the generator iterates from this step on
    ///     (nil: none).
    public init(game: Game, schedule: UpdateSchedule, generatorOptimizer: any Optimizer,
                discriminatorOptimizer: any Optimizer, batchSize: Int, key: RandomKey,
                diagnosticsEvery: Int = 1, emaDecay: Double? = nil, emaWarmup: Bool = false, averageStart: Int? = nil) {
        schedule.validate()
        precondition(batchSize >= 1, "Trainer: batch size must be positive, got \(batchSize)")
        precondition(diagnosticsEvery >= 0, "Trainer: diagnosticsEvery must be non-negative, got \(diagnosticsEvery)")
        precondition(averageStart.map { $0 >= 0 } ?? true, "Trainer: averageStart must be non-negative")
        self.game = game
        self.schedule = schedule
        self.generatorOptimizer = generatorOptimizer
        self.discriminatorOptimizer = discriminatorOptimizer
        self.batchSize = batchSize
        self.key = key
        self.diagnosticsEvery = diagnosticsEvery
        let generatorParameters = game.generator.parameters
        self.generatorNames = generatorParameters.keys.sorted()
        self.discriminatorNames = game.discriminator.parameterNames
        self.generatorEMA = emaDecay.map { ExponentialMovingAverage(decay: $0, parameters: generatorParameters, warmup: emaWarmup) }
        self.generatorAverage = averageStart.map { _ in UniformAverage(like: generatorParameters) }
        self.averageStart = averageStart ?? 0
    }

    // MARK: Stepping

    /// One step on a single real batch (schedules that consume one batch per step).
    @discardableResult
    public func step(real: Tensor) throws(TrainingError) -> StepReport {
        try step(realBatches: [real])
    }

    /// One step drawing its real batches from `data` with keys derived from the step's key.
    @discardableResult
    public func step(from data: some Distribution) throws(TrainingError) -> StepReport {
        let dataKey = streamKey(.data)
        let batches = (0..<schedule.realBatchesPerStep).map {
            data.sample(batchSize, key: dataKey.folded(in: UInt64($0)), dtype: game.dtype)
        }
        return try step(realBatches: batches)
    }

    /// One step; `realBatches` holds `schedule.realBatchesPerStep` batches of `batchSize`.
    @discardableResult
    public func step(realBatches: [Tensor]) throws(TrainingError) -> StepReport {
        precondition(realBatches.count == schedule.realBatchesPerStep,
                     "Trainer.step: schedule \(schedule) needs \(schedule.realBatchesPerStep) real batches, got \(realBatches.count)")
        for batch in realBatches {
            precondition(batch.rank >= 1 && batch.shape[0] == batchSize,
                         "Trainer.step: real batch of shape \(batch.shape) does not have \(batchSize) rows")
        }
        let clock = ContinuousClock()
        let started = clock.now
        let saved = SavedState(generator: game.generator.snapshot(), discriminator: game.discriminator.snapshot(),
                               generatorOptimizer: generatorOptimizer, discriminatorOptimizer: discriminatorOptimizer,
                               previousGenerator: previousGeneratorGradients, previousDiscriminator: previousDiscriminatorGradients)
        var report: StepReport
        do throws(TrainingError) {
            report = try runSchedule(realBatches: realBatches, diagnose: diagnosticsEvery > 0 && step % diagnosticsEvery == 0)
            if let name = Numerics.firstNonFinite(game.discriminator.parameters) {
                throw TrainingError.diverged(step: step, what: "discriminator parameter '\(name)'")
            }
            if let name = Numerics.firstNonFinite(game.generator.parameters) {
                throw TrainingError.diverged(step: step, what: "generator parameter '\(name)'")
            }
        } catch {
            rollBack(to: saved)
            throw error
        }
        if generatorAverage != nil, step >= averageStart { generatorAverage!.add(saved.generator.parameters) }
        generatorEMA?.update(from: game.generator.parameters)
        step += 1
        report.wallTime = secondsSince(started, clock: clock)
        return report
    }

    private struct SavedState {
        var generator: ModuleSnapshot
        var discriminator: ModuleSnapshot
        var generatorOptimizer: any Optimizer
        var discriminatorOptimizer: any Optimizer
        var previousGenerator: [String: Tensor]
        var previousDiscriminator: [String: Tensor]
    }

    private func rollBack(to saved: SavedState) {
        mustSucceed("restoring the generator") { try game.generator.load(saved.generator) }
        mustSucceed("restoring the discriminator") { try game.discriminator.load(saved.discriminator) }
        generatorOptimizer = saved.generatorOptimizer
        discriminatorOptimizer = saved.discriminatorOptimizer
        previousGeneratorGradients = saved.previousGenerator
        previousDiscriminatorGradients = saved.previousDiscriminator
    }

    private func runSchedule(realBatches: [Tensor], diagnose: Bool) throws(TrainingError) -> StepReport {
        switch schedule {
        case .simultaneous:
            return try simultaneousStep(real: realBatches[0], diagnose: diagnose, unrolledSteps: 0)
        case .unrolled(let k):
            return try simultaneousStep(real: realBatches[0], diagnose: diagnose, unrolledSteps: k)
        case .alternating(let dFirst):
            return try sequentialStep(realBatches: realBatches, generatorSteps: 1, discriminatorFirst: dFirst, diagnose: diagnose)
        case .ratio(_, let gSteps):
            return try sequentialStep(realBatches: realBatches, generatorSteps: gSteps, discriminatorFirst: true, diagnose: diagnose)
        case .extragradient:
            return try extragradientStep(real: realBatches[0], diagnose: diagnose)
        case .optimistic:
            return try optimisticStep(real: realBatches[0], diagnose: diagnose)
        }
    }

    // MARK: Schedules

    private func simultaneousStep(real: Tensor, diagnose: Bool, unrolledSteps: Int) throws(TrainingError) -> StepReport {
        let z = game.sampleLatent(batchSize, key: streamKey(.generatorLatent))
        let penaltyKey = streamKey(.penalty)
        let joint = try jointEvaluation(real: real, latent: z, penaltyKey: penaltyKey, diagnose: diagnose)
        var generatorGradients = joint.generator.gradients
        if unrolledSteps > 0 {
            generatorGradients = unrolledGeneratorGradients(real: real, latent: z, penaltyKey: penaltyKey, steps: unrolledSteps)
            try check(generatorGradients, player: "generator", what: "unrolled gradient")
        }
        applyDiscriminator(joint.discriminator.gradients)
        applyGenerator(generatorGradients)
        return report(discriminator: joint.discriminator, generator: joint.generator,
                      generatorGradientNorm: Numerics.globalNorm(generatorGradients))
    }

    private func sequentialStep(realBatches: [Tensor], generatorSteps: Int, discriminatorFirst: Bool,
                                diagnose: Bool) throws(TrainingError) -> StepReport {
        var lastD: PlayerEvaluation?
        var lastG: PlayerEvaluation?
        func discriminatorPhase() throws(TrainingError) {
            for (i, real) in realBatches.enumerated() {
                let z = game.sampleLatent(batchSize, key: streamKey(.discriminatorLatent, index: i))
                let fake = game.generator(z).detached()
                let evaluation = try discriminatorEvaluation(real: real, fake: fake, penaltyKey: streamKey(.penalty, index: i),
                                                             diagnose: diagnose && i == 0)
                applyDiscriminator(evaluation.gradients)
                // Keep the first batch's input-gradient statistics (taken at the step's start).
                lastD = PlayerEvaluation(loss: evaluation.loss, penalties: evaluation.penalties, gradients: evaluation.gradients,
                                         inputGradients: lastD?.inputGradients ?? evaluation.inputGradients)
            }
        }
        func generatorPhase() throws(TrainingError) {
            for j in 0..<generatorSteps {
                let z = game.sampleLatent(batchSize, key: streamKey(.generatorLatent, index: j))
                let evaluation = try generatorEvaluation(latent: z)
                applyGenerator(evaluation.gradients)
                lastG = evaluation
            }
        }
        if discriminatorFirst {
            try discriminatorPhase()
            try generatorPhase()
        } else {
            try generatorPhase()
            try discriminatorPhase()
        }
        return report(discriminator: lastD!, generator: lastG!, generatorGradientNorm: Numerics.globalNorm(lastG!.gradients))
    }

    private func extragradientStep(real: Tensor, diagnose: Bool) throws(TrainingError) -> StepReport {
        let z = game.sampleLatent(batchSize, key: streamKey(.generatorLatent))
        let penaltyKey = streamKey(.penalty)
        let here = try jointEvaluation(real: real, latent: z, penaltyKey: penaltyKey, diagnose: diagnose)
        let generatorParameters = game.generator.parameters
        let discriminatorParameters = game.discriminator.parameters
        mustSucceed("extrapolating the generator") {
            try game.generator.setParameters(Self.plainStep(generatorParameters, here.generator.gradients,
                                                            learningRate: generatorOptimizer.learningRate))
        }
        mustSucceed("extrapolating the discriminator") {
            try game.discriminator.setParameters(Self.plainStep(discriminatorParameters, here.discriminator.gradients,
                                                                learningRate: discriminatorOptimizer.learningRate))
            for penalty in game.penalties { try penalty.project(game.discriminator) }
        }
        let ahead = try jointEvaluation(real: real, latent: z, penaltyKey: penaltyKey, diagnose: false)
        mustSucceed("returning to the extrapolation's origin") {
            try game.generator.setParameters(generatorParameters)
            try game.discriminator.setParameters(discriminatorParameters)
        }
        applyDiscriminator(ahead.discriminator.gradients)
        applyGenerator(ahead.generator.gradients)
        var discriminator = here.discriminator, generator = here.generator
        discriminator.gradients = ahead.discriminator.gradients
        generator.gradients = ahead.generator.gradients
        return report(discriminator: discriminator, generator: generator,
                      generatorGradientNorm: Numerics.globalNorm(ahead.generator.gradients))
    }

    private func optimisticStep(real: Tensor, diagnose: Bool) throws(TrainingError) -> StepReport {
        let z = game.sampleLatent(batchSize, key: streamKey(.generatorLatent))
        let joint = try jointEvaluation(real: real, latent: z, penaltyKey: streamKey(.penalty), diagnose: diagnose)
        let correctedD = Self.optimisticCorrection(joint.discriminator.gradients, previous: previousDiscriminatorGradients)
        let correctedG = Self.optimisticCorrection(joint.generator.gradients, previous: previousGeneratorGradients)
        previousDiscriminatorGradients = joint.discriminator.gradients
        previousGeneratorGradients = joint.generator.gradients
        applyDiscriminator(correctedD)
        applyGenerator(correctedG)
        var discriminator = joint.discriminator, generator = joint.generator
        discriminator.gradients = correctedD
        generator.gradients = correctedG
        return report(discriminator: discriminator, generator: generator, generatorGradientNorm: Numerics.globalNorm(correctedG))
    }

    /// 2g_t − g_{t−1}, with g_0 = 0.
    private static func optimisticCorrection(_ current: [String: Tensor], previous: [String: Tensor]) -> [String: Tensor] {
        var corrected: [String: Tensor] = [:]
        for (name, g) in current {
            corrected[name] = previous[name].map { g * 2 - $0 } ?? g * 2
        }
        return corrected
    }

    /// θ − η·g, detached.
    private static func plainStep(_ parameters: [String: Tensor], _ gradients: [String: Tensor],
                                  learningRate: Double) -> [String: Tensor] {
        var result = parameters
        for (name, g) in gradients { result[name] = (parameters[name]!.detached() - g.detached() * learningRate) }
        return result
    }

    // MARK: Evaluations

    struct PlayerEvaluation {
        var loss: Double
        var penalties: [Double]
        var gradients: [String: Tensor]
        var inputGradients: InputGradientStatistics?
    }

    /// The discriminator's loss and gradient on a real and a (constant) fake batch.
    private func discriminatorEvaluation(real: Tensor, fake: Tensor, penaltyKey: RandomKey,
                                         diagnose: Bool) throws(TrainingError) -> PlayerEvaluation {
        let d = game.discriminator
        let leaves = d.parameters
        let realInput = diagnose ? real.detached().requiringGrad() : real
        let fakeInput = diagnose ? fake.detached().requiringGrad() : fake
        let realLogits = d(realInput), fakeLogits = d(fakeInput)
        let loss = game.discriminatorLoss(realLogits: realLogits, fakeLogits: fakeLogits, real: real, fake: fake,
                                          penaltyKey: penaltyKey)
        let values = gradients(of: loss.total, wrt: discriminatorNames.map { leaves[$0]! })
        let evaluation = PlayerEvaluation(
            loss: loss.objective.item, penalties: loss.penalties.map(\.item),
            gradients: Dictionary(uniqueKeysWithValues: zip(discriminatorNames, values)),
            inputGradients: diagnose ? Self.inputGradientStatistics(realLogits: realLogits, fakeLogits: fakeLogits,
                                                                   real: realInput, fake: fakeInput) : nil)
        try check(evaluation, player: "discriminator")
        return evaluation
    }

    /// The generator's loss and gradient against the current discriminator.
    private func generatorEvaluation(latent z: Tensor) throws(TrainingError) -> PlayerEvaluation {
        let leaves = game.generator.parameters
        let loss = game.generatorLoss(latent: z)
        let values = gradients(of: loss, wrt: generatorNames.map { leaves[$0]! })
        let evaluation = PlayerEvaluation(loss: loss.item, penalties: [],
                                          gradients: Dictionary(uniqueKeysWithValues: zip(generatorNames, values)))
        try check(evaluation, player: "generator")
        return evaluation
    }

    /// Both players' losses and gradients at the current point from one generator forward and
    /// one discriminator forward per batch: D(G(z)) keeps the generator's graph, so it serves
    /// the generator's loss, and the discriminator's backward simply never reaches φ.
    private func jointEvaluation(real: Tensor, latent z: Tensor, penaltyKey: RandomKey,
                                 diagnose: Bool) throws(TrainingError) -> (discriminator: PlayerEvaluation, generator: PlayerEvaluation) {
        let g = game.generator, d = game.discriminator
        let generatorLeaves = g.parameters, discriminatorLeaves = d.parameters
        let fake = g(z)
        let realInput = diagnose ? real.detached().requiringGrad() : real
        let realLogits = d(realInput), fakeLogits = d(fake)
        let dLoss = game.discriminatorLoss(realLogits: realLogits, fakeLogits: fakeLogits, real: real, fake: fake,
                                           penaltyKey: penaltyKey)
        let gLoss = game.objective.generatorLoss(fakeLogits: fakeLogits)
        let dValues = gradients(of: dLoss.total, wrt: discriminatorNames.map { discriminatorLeaves[$0]! })
        let gValues = gradients(of: gLoss, wrt: generatorNames.map { generatorLeaves[$0]! })
        let discriminator = PlayerEvaluation(
            loss: dLoss.objective.item, penalties: dLoss.penalties.map(\.item),
            gradients: Dictionary(uniqueKeysWithValues: zip(discriminatorNames, dValues)),
            inputGradients: diagnose ? Self.inputGradientStatistics(realLogits: realLogits, fakeLogits: fakeLogits,
                                                                   real: realInput, fake: fake) : nil)
        let generator = PlayerEvaluation(loss: gLoss.item, penalties: [],
                                         gradients: Dictionary(uniqueKeysWithValues: zip(generatorNames, gValues)))
        try check(discriminator, player: "discriminator")
        try check(generator, player: "generator")
        return (discriminator, generator)
    }

    /// Per-sample ‖∇_x f‖ at both batches from one backward pass over the logits already
    /// computed (the seed of ones gives each sample its own gradient when samples do not
    /// interact inside the discriminator).
    private static func inputGradientStatistics(realLogits: Tensor, fakeLogits: Tensor, real: Tensor,
                                                fake: Tensor) -> InputGradientStatistics {
        let grads = gradients(of: realLogits.sum() + fakeLogits.sum(), wrt: [real, fake])
        let realNorms = grads[0].reshaped([real.shape[0], -1]).norm(axes: [1])
        let fakeNorms = grads[1].reshaped([fake.shape[0], -1]).norm(axes: [1])
        let (realMean, realMax) = Numerics.meanAndMax(realNorms)
        let (fakeMean, fakeMax) = Numerics.meanAndMax(fakeNorms)
        return InputGradientStatistics(realMean: realMean, realMax: realMax, fakeMean: fakeMean, fakeMax: fakeMax)
    }

    /// The generator's gradient through `steps` differentiable SGD steps of the discriminator
    /// (see `UpdateSchedule.unrolled`), by reverse mode over the unrolled trajectory: with
    /// θ_{j+1} = θ_j − η ∇_θ L_D(φ, θ_j) and adjoint a = ∂L_G/∂θ_k, each step back sets
    /// a ← a − η H_θθ a and adds −η ∂_φ(∇_θ L_D · a) to the generator's gradient; both products
    /// come from one double backward at θ_j. The discriminator is left at θ_t.
    func unrolledGeneratorGradients(real: Tensor, latent z: Tensor, penaltyKey: RandomKey,
                                            steps: Int) -> [String: Tensor] {
        let g = game.generator, d = game.discriminator
        let eta = discriminatorOptimizer.learningRate
        let origin = d.parameters
        let generatorLeaves = generatorNames.map { g.parameters[$0]! }
        let fake = g(z)
        let constantFake = fake.detached()

        var trajectory: [[String: Tensor]] = [origin]
        for _ in 0..<steps {
            let current = d.parameters
            let loss = game.discriminatorLoss(real: real, fake: constantFake, penaltyKey: penaltyKey)
            let values = gradients(of: loss.total, wrt: discriminatorNames.map { current[$0]! })
            let next = Self.plainStep(current, Dictionary(uniqueKeysWithValues: zip(discriminatorNames, values)), learningRate: eta)
            mustSucceed("unrolling the discriminator") { try d.setParameters(next) }
            trajectory.append(next)
        }

        let unrolledLeaves = d.parameters
        let lossAtEnd = game.objective.generatorLoss(fakeLogits: d(fake))
        let atEnd = gradients(of: lossAtEnd, wrt: generatorLeaves + discriminatorNames.map { unrolledLeaves[$0]! })
        var generatorGradient = Array(atEnd[..<generatorLeaves.count])
        var adjoint = Array(atEnd[generatorLeaves.count...])

        for j in stride(from: steps - 1, through: 0, by: -1) {
            mustSucceed("rewinding the unrolled discriminator") { try d.setParameters(trajectory[j]) }
            let current = d.parameters
            let leaves = discriminatorNames.map { current[$0]! }
            let loss = game.discriminatorLoss(real: real, fake: fake, penaltyKey: penaltyKey)
            let innerGradient = gradients(of: loss.total, wrt: leaves, createGraph: true)
            var product = (innerGradient[0] * adjoint[0]).sum()
            for p in 1..<leaves.count { product = product + (innerGradient[p] * adjoint[p]).sum() }
            let second = gradients(of: product, wrt: leaves + generatorLeaves)
            for p in adjoint.indices { adjoint[p] = adjoint[p] - second[p] * eta }
            for p in generatorGradient.indices { generatorGradient[p] = generatorGradient[p] - second[leaves.count + p] * eta }
        }
        mustSucceed("restoring the discriminator after unrolling") { try d.setParameters(origin) }
        return Dictionary(uniqueKeysWithValues: zip(generatorNames, generatorGradient.map { $0.detached() }))
    }

    // MARK: Updates and checks

    private func applyDiscriminator(_ gradients: [String: Tensor]) {
        mustSucceed("updating the discriminator") {
            try discriminatorOptimizer.update(game.discriminator, gradients: gradients)
            for penalty in game.penalties { try penalty.project(game.discriminator) }
        }
    }

    private func applyGenerator(_ gradients: [String: Tensor]) {
        mustSucceed("updating the generator") { try generatorOptimizer.update(game.generator, gradients: gradients) }
    }

    private func check(_ evaluation: PlayerEvaluation, player: String) throws(TrainingError) {
        guard evaluation.loss.isFinite else { throw .diverged(step: step, what: "\(player) loss") }
        let names = player == "discriminator" ? game.penaltyTermNames : []
        for (i, value) in evaluation.penalties.enumerated() where !value.isFinite {
            throw .diverged(step: step, what: "penalty '\(names[i])'")
        }
        try check(evaluation.gradients, player: player, what: "gradient")
    }

    private func check(_ gradients: [String: Tensor], player: String, what: String) throws(TrainingError) {
        if let name = Numerics.firstNonFinite(gradients) {
            throw .diverged(step: step, what: "\(player) \(what) of '\(name)'")
        }
    }

    private func report(discriminator: PlayerEvaluation, generator: PlayerEvaluation,
                        generatorGradientNorm: Double) -> StepReport {
        StepReport(step: step, discriminatorLoss: discriminator.loss, generatorLoss: generator.loss,
                   penalties: zip(game.penaltyTermNames, discriminator.penalties).map { PenaltyValue(name: $0, value: $1) },
                   discriminatorGradientNorm: Numerics.globalNorm(discriminator.gradients),
                   generatorGradientNorm: generatorGradientNorm,
                   inputGradients: discriminator.inputGradients, wallTime: 0)
    }

    // MARK: Keys

    /// Independent random streams of one step.
    enum Stream: UInt64 {
        case data = 1, discriminatorLatent, generatorLatent, penalty
    }

    /// The key of `stream` (its `index`-th draw) in the current step.
    func streamKey(_ stream: Stream, index: Int = 0) -> RandomKey {
        key.folded(in: UInt64(step)).folded(in: stream.rawValue << 32 | UInt64(index))
    }

    // MARK: Averaged generators

    /// The averaged generator's parameters (nil when that average is not kept or is empty).
    public func averagedGeneratorParameters(_ kind: GeneratorAverage) -> [String: Tensor]? {
        switch kind {
        case .exponential: return generatorEMA?.shadow
        case .uniform: return generatorAverage.flatMap { $0.count > 0 ? $0.mean : nil }
        }
    }

    /// Loads the averaged generator into `module` (a copy of the generator built by the caller).
    public func loadAveragedGenerator(_ kind: GeneratorAverage, into module: some Module) throws {
        guard let parameters = averagedGeneratorParameters(kind) else {
            throw AveragingError.unavailable(kind)
        }
        try module.setParameters(parameters)
    }

    /// Runs `body` with the averaged parameters loaded into the game's own generator, then
    /// puts the trained parameters back (also when `body` throws).
    public func withAveragedGenerator<R>(_ kind: GeneratorAverage, _ body: (any Layer) throws -> R) throws -> R {
        guard let parameters = averagedGeneratorParameters(kind) else { throw AveragingError.unavailable(kind) }
        let trained = game.generator.parameters
        try game.generator.setParameters(parameters)
        defer { mustSucceed("restoring the trained generator") { try game.generator.setParameters(trained) } }
        return try body(game.generator)
    }

    public enum AveragingError: Error, Equatable, CustomStringConvertible {
        case unavailable(GeneratorAverage)
        public var description: String {
            switch self {
            case .unavailable(let kind): return "no \(kind.rawValue) average of the generator is kept (or it is still empty)"
            }
        }
    }

    // MARK: Checkpoints

    /// Everything needed to continue exactly: both players, both optimisers, the averages,
    /// the optimistic schedule's previous gradients, the step and the base key.
    public func checkpoint(config: JSONValue = .object([:])) -> Checkpoint {
        var checkpoint = Checkpoint(step: step, key: key, config: config)
        checkpoint.store(module: game.generator, prefix: "g")
        checkpoint.store(module: game.discriminator, prefix: "d")
        checkpoint.store(optimizer: generatorOptimizer, prefix: "opt_g")
        checkpoint.store(optimizer: discriminatorOptimizer, prefix: "opt_d")
        if let generatorEMA { checkpoint.store(tensors: generatorEMA.state, prefix: "ema_g") }
        if let generatorAverage { checkpoint.store(tensors: generatorAverage.state, prefix: "avg_g") }
        if schedule == .optimistic {
            var previous: [String: Tensor] = [:]
            for (name, g) in previousGeneratorGradients { previous["g." + name] = g }
            for (name, g) in previousDiscriminatorGradients { previous["d." + name] = g }
            checkpoint.store(tensors: previous, prefix: "optimism")
        }
        return checkpoint
    }

    /// Restores a checkpoint written by `checkpoint(config:)` for the same game and schedule.
    /// Everything is checked before anything changes except the two players, which
    /// `Checkpoint.restore(module:)` loads all-or-nothing one after the other.
    public func restore(from checkpoint: Checkpoint) throws {
        var optG = generatorOptimizer, optD = discriminatorOptimizer
        try checkpoint.restore(optimizer: &optG, prefix: "opt_g", parameters: game.generator.parameters)
        try checkpoint.restore(optimizer: &optD, prefix: "opt_d", parameters: game.discriminator.parameters)
        var ema = generatorEMA
        if ema != nil { try checkpoint.restore(average: &ema!, prefix: "ema_g") }
        var average = generatorAverage
        if average != nil { try average!.loadState(checkpoint.tensors(prefix: "avg_g")) }
        var previousG: [String: Tensor] = [:], previousD: [String: Tensor] = [:]
        if schedule == .optimistic {
            for (name, g) in try checkpoint.tensors(prefix: "optimism") {
                if name.hasPrefix("g.") { previousG[String(name.dropFirst(2))] = g } else { previousD[String(name.dropFirst(2))] = g }
            }
        }
        try checkpoint.restore(module: game.generator, prefix: "g")
        try checkpoint.restore(module: game.discriminator, prefix: "d")
        generatorOptimizer = optG
        discriminatorOptimizer = optD
        generatorEMA = ema
        generatorAverage = average
        previousGeneratorGradients = previousG
        previousDiscriminatorGradients = previousD
        step = checkpoint.step
        key = checkpoint.key
    }
}

/// Runs a step that can only fail through a programming error (names and shapes of a
/// module's own parameters), and says which step failed if it does.
private func mustSucceed(_ what: String, _ body: () throws -> Void) {
    do { try body() } catch { preconditionFailure("Trainer: \(what) failed: \(error)") }
}

/// Seconds from `start` to now (shared by the trainer and the double oracle).
func secondsSince(_ start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
    let elapsed = clock.now - start
    return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
}
