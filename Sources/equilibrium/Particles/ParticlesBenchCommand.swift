import ArgumentParser
import Equilibrium
import Foundation

/// `equilibrium particles bench`: how the coupling and a full particle step scale with N and d.
struct ParticlesBenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Time the kernel coupling (sum trick vs dense K·G) and full particle steps for given N and d.",
        discussion: """
        For each (N, d): the sum-trick coupling (1 − φ)g_i + φΣ_j g_j, the dense O(N²·d) product K·G (only up to \
        --dense-max particles), and full alternating steps (discriminator step + particle step) with the default \
        d → 256 → 256 → 1 ReLU discriminator on M = 100 random target points. Each figure is the median of --trials timings.
        """)

    @Option(help: "Particle counts, comma-separated.")
    var particles = "100,1000,10000"

    @Option(help: "Dimensions, comma-separated.")
    var dimensions = "2,784"

    @Option(name: .customLong("dense-max"), parsing: .unconditional, help: "Largest N for the dense K·G comparison.")
    var denseMax = 2_000

    @Option(name: .customLong("full-steps"), parsing: .unconditional, help: "Full particle steps per timing (0: skip).")
    var fullSteps = 3

    @Option(parsing: .unconditional, help: "Timings per figure (the median is reported).")
    var trials = 5

    mutating func run() throws {
        let ns = try positiveIntegers(particles, option: "--particles")
        let ds = try positiveIntegers(dimensions, option: "--dimensions")
        guard trials >= 1 else { throw ValidationError("--trials must be at least 1") }
        print("| N | d | sum-trick coupling | dense K·G | full step (D 256-256 ReLU, M = 100) |")
        print("|---|---|---|---|---|")
        for d in ds {
            for n in ns {
                let g = Tensor.normal([n, d], key: RandomKey(seed: 1), dtype: .float64).doubles
                let uniform = ParticleKernel.uniform(phi: 0.5)
                let coupling = median(trials) { _ = uniform.apply(g, rows: n, columns: d) }
                var dense = "n/a (N > --dense-max)"
                if n <= denseMax {
                    let kernel = ParticleKernel.dense(try DenseKernelForBench.make(n))
                    dense = seconds(median(trials) { _ = kernel.apply(g, rows: n, columns: d) })
                }
                var full = "skipped"
                if fullSteps > 0 {
                    var config = ParticleModelConfig()
                    config.target = "random:100:\(d)"
                    config.particles = n
                    config.phi = 0.5
                    config.initStd = 1
                    config.discriminator.widths = [256, 256]
                    let system = try config.makeSystem()
                    let steps = fullSteps
                    full = seconds(median(trials) { for _ in 0..<steps { _ = try? system.advance() } } / Double(steps)) + " per step"
                }
                print("| \(n) | \(d) | \(seconds(coupling)) | \(dense) | \(full) |")
            }
        }
    }

    private func median(_ trials: Int, _ body: () throws -> Void) rethrows -> Double {
        var times: [Double] = []
        for _ in 0..<trials {
            let start = ContinuousClock.now
            try body()
            times.append((ContinuousClock.now - start).seconds)
        }
        return times.sorted()[times.count / 2]
    }

    private func seconds(_ s: Double) -> String {
        s >= 1 ? String(format: "%.2f s", s) : s >= 1e-3 ? String(format: "%.2f ms", s * 1e3) : String(format: "%.1f µs", s * 1e6)
    }
}

/// The uniform kernel as a dense matrix, for timing the O(N²·d) product it replaces.
enum DenseKernelForBench {
    static func make(_ n: Int) throws -> DenseKernel {
        // Built outside the timed region: its PSD check is O(N³).
        try DenseKernel(name: "uniform-dense", size: n, values: ParticleKernel.uniform(phi: 0.5).matrix(particles: n))
    }
}
