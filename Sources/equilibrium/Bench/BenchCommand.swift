import ArgumentParser
import Foundation

struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure performance on this machine (prints a Markdown table).",
        subcommands: [Core.self])

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
}
