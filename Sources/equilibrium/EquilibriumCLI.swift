import ArgumentParser
import Equilibrium

@main
struct Entry {
    static func main() {
        BLASKernelSelection.reexecIfFallbackKernels()
        AllocatorTuning.apply()
        EquilibriumCLI.main()
    }
}

struct EquilibriumCLI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "equilibrium",
        abstract: "Train and analyse GANs as two-player games.",
        version: CodeVersion.current,
        subcommands: [TrainCommand.self, SweepCommand.self, SearchCommand.self, OracleCommand.self, MixtureCommand.self, DataCommand.self, ClassifierCommand.self, DynamicsCommand.self, ParticlesCommand.self, BenchCommand.self])
}
