import Equilibrium
import Foundation

/// One point of the grid: a preset with an objective, a penalty set and a schedule. A `nil`
/// dimension was not swept and keeps the value of the preset (or the base config file); the
/// labels always show the resolved value, so the table never says "default".
struct SweepCell: Codable, Equatable {
    let preset: String
    let objective: String?
    /// The penalty names of one set; `[]` is an explicit "none".
    let penalties: [String]?
    let schedule: String?
    /// The resolved values, for the table.
    let objectiveLabel: String
    let penaltyLabel: String
    let scheduleLabel: String

    /// A directory name: the four labels, characters other than letters, digits, `.`, `+`
    /// and `-` turned into `-` (so `ratio:5:1` becomes `ratio-5-1`).
    var name: String {
        [preset, objectiveLabel, penaltyLabel, scheduleLabel].map(Self.sanitized).joined(separator: "__")
    }

    static func sanitized(_ text: String) -> String {
        String(text.map { $0.isLetter || $0.isNumber || $0 == "." || $0 == "+" || $0 == "-" ? $0 : "-" })
    }

    static func label(_ penalties: [String]) -> String {
        penalties.isEmpty ? "none" : penalties.joined(separator: "+")
    }
}

/// One child run: a cell and a seed, with its directory and `train` arguments.
struct SweepRun {
    let cellIndex: Int
    let seed: UInt64
    let directory: String
    let arguments: [String]

    var summaryPath: String { (directory as NSString).appendingPathComponent("summary.json") }
    var logPath: String { (directory as NSString).appendingPathComponent("log.txt") }
    var isFinished: Bool { FileManager.default.fileExists(atPath: summaryPath) }
}

/// The grid presets × objectives × penalty sets × schedules, each cell run for every seed.
/// Every cell's config is resolved and validated here, before any child starts, so a typo in
/// one value fails the sweep at once with the cell named, not after hours of other runs.
struct SweepPlan {
    let cells: [SweepCell]
    let seeds: [UInt64]
    let runs: [SweepRun]
    let directory: String

    init(presets: [String], objectives: [String]?, penaltySets: [[String]]?, schedules: [String]?, seeds: [UInt64],
         steps: Int?, configPath: String?, directory: String) throws {
        var cells: [SweepCell] = []
        for preset in presets {
            let base = try Self.resolve(preset: preset, configPath: configPath)
            for objective in objectives.map({ $0.map(Optional.some) }) ?? [nil] {
                for penalties in penaltySets.map({ $0.map(Optional.some) }) ?? [nil] {
                    for schedule in schedules.map({ $0.map(Optional.some) }) ?? [nil] {
                        var config = base
                        if let objective { config.objective = objective }
                        if let penalties { config.penalties = penalties }
                        if let schedule { config.schedule = schedule }
                        if let steps { config.steps = steps }
                        let cell = SweepCell(preset: preset, objective: objective, penalties: penalties, schedule: schedule,
                                             objectiveLabel: config.objective, penaltyLabel: SweepCell.label(config.penalties),
                                             scheduleLabel: config.schedule)
                        do {
                            try config.validate()
                        } catch {
                            throw SweepError("cell \(cell.name): \(error.description)")
                        }
                        if let clash = cells.first(where: { $0.name == cell.name }) {
                            throw SweepError("two cells share the directory name '\(cell.name)' (\(clash.preset) \(clash.objective ?? "-") \(clash.penalties.map(SweepCell.label) ?? "-") \(clash.schedule ?? "-")); remove the duplicate value")
                        }
                        cells.append(cell)
                    }
                }
            }
        }
        self.cells = cells
        self.seeds = seeds
        self.directory = directory
        runs = cells.enumerated().flatMap { index, cell in
            seeds.map { seed in
                let runDirectory = ((directory as NSString).appendingPathComponent(cell.name) as NSString)
                    .appendingPathComponent("seed-\(seed)")
                return SweepRun(cellIndex: index, seed: seed, directory: runDirectory,
                                arguments: Self.trainArguments(cell: cell, seed: seed, steps: steps, configPath: configPath,
                                                               out: runDirectory))
            }
        }
    }

    /// The preset's config with the base file laid over it, as `train` will resolve it.
    static func resolve(preset: String?, configPath: String?) throws -> GANConfig {
        do {
            return try ConfigLoader.load(path: configPath, preset: preset)
        } catch let error as GANConfigError {
            throw SweepError(error.description)
        } catch let error as ConfigLoader.Failure {
            throw SweepError(error.description)
        }
    }

    /// `train` flags for one run; only the swept dimensions are passed, so each run's
    /// config.json differs from the preset exactly where the sweep asked.
    static func trainArguments(cell: SweepCell, seed: UInt64, steps: Int?, configPath: String?, out: String) -> [String] {
        var arguments = ["train", "--preset", cell.preset]
        if let configPath { arguments += ["--config", configPath] }
        if let objective = cell.objective { arguments += ["--objective", objective] }
        if let penalties = cell.penalties {
            for penalty in penalties.isEmpty ? ["none"] : penalties { arguments += ["--penalty", penalty] }
        }
        if let schedule = cell.schedule { arguments += ["--schedule", schedule] }
        if let steps { arguments += ["--steps", String(steps)] }
        arguments += ["--seed", String(seed), "--out", out]
        return arguments
    }
}

/// A sweep that cannot start or finish, with the reason in words.
struct SweepError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
