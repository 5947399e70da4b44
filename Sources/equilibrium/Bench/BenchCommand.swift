import ArgumentParser
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance on this machine (prints a Markdown table).",
        subcommands: [Core.self, Gan.self])

    struct Core: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "GEMM through the Tensor API vs raw cblas_sgemm, per-op overhead, MLP training steps.")

        @Option(help: "OpenBLAS threads (1 = single-threaded figures).")
        var threads: Int = 1

        @Flag(help: "Fewer sizes and iterations (a smoke run).")
        var quick = false

        @Option(help: "Also write the table to this file.")
        var output: String?

        func validate() throws {
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
        }

        func run() throws {
            let table = CoreBenchmark(threads: threads, quick: quick).run()
            print(table)
            if let output {
                try table.write(toFile: output, atomically: true, encoding: .utf8)
            }
        }
    }

    struct Gan: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Training steps/s of a GAN step: the ring MLP or the 28×28 DCGAN (the models of benchmarks/pytorch_gan_step.py).")

        @Option(help: "mlp (the ring MLP GAN, batch 512) or dcgan (the 28×28 DCGAN, batch 64).")
        var model: String = "mlp"

        @Option(help: "OpenBLAS threads.")
        var threads: Int = 1

        @Option(help: "Steps per timed trial.")
        var steps: Int = 200

        @Option(help: "Timed trials (the median is reported).")
        var trials: Int = 5

        @Option(help: "Untimed warm-up steps before the trials.")
        var warmup: Int = 50

        @Option(help: "plain, dragan or both.")
        var variant: String = "both"

        @Option(help: "Seed of the players' initialisation and the run's key.")
        var seed: UInt64 = 0

        @Option(help: "Also write the results as JSON to this file ('-' for stdout).")
        var json: String?

        func validate() throws {
            guard steps >= 1 else { throw ValidationError("--steps must be at least 1, got \(steps)") }
            guard trials >= 1 else { throw ValidationError("--trials must be at least 1, got \(trials)") }
            guard warmup >= 0 else { throw ValidationError("--warmup must be non-negative, got \(warmup)") }
            guard GANBenchmark.Model(rawValue: model) != nil else {
                throw ValidationError("--model must be mlp or dcgan, got '\(model)'")
            }
            guard threads >= 1 else { throw ValidationError("--threads must be at least 1, got \(threads)") }
            guard variant == "both" || GANBenchmark.Variant(rawValue: variant) != nil else {
                throw ValidationError("--variant must be plain, dragan or both, got '\(variant)'")
            }
        }

        func run() throws {
            let variants = variant == "both" ? GANBenchmark.Variant.allCases : [GANBenchmark.Variant(rawValue: variant)!]
            let report = GANBenchmark(model: GANBenchmark.Model(rawValue: model)!, threads: threads, variants: variants, warmup: warmup, trials: trials, steps: steps, seed: seed).run()
            print(GANBenchmark.markdown(report))
            if let json {
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                let data = try encoder.encode(report)
                if json == "-" {
                    print(String(decoding: data, as: UTF8.self))
                } else {
                    try data.write(to: URL(fileURLWithPath: json))
                }
            }
        }
    }
}
