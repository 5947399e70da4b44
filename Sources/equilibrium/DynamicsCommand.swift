import ArgumentParser

/// `equilibrium dynamics …`: closed-form and reduced models of GAN training.
struct DynamicsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dynamics",
        abstract: "Closed-form and reduced models of GAN training dynamics.",
        subcommands: [DynamicsLiCommand.self])
}
