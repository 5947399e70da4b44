import CBLAS
import Equilibrium
import Foundation

/// `equilibrium bench core`: GEMM throughput through the Tensor API against raw cblas_sgemm,
/// per-op overhead on small tensors, and MLP training steps with and without a
/// double-backward gradient penalty. Every figure is the median of several timed trials.
struct CoreBenchmark {
    var threads: Int
    var quick: Bool

    func run() -> String {
        BLASThreads.set(threads)  // explicit opt-in; 1 is the reproducible default
        var out = "# bench core — \(threads) BLAS thread(s), OpenBLAS core \(BLASInfo.coreName), C kernels \(KernelInstructionSet.current), median of 5 trials\n\n"
        if BLASInfo.coreName == "Prescott" {
            out += "> OpenBLAS fell back to its Prescott (SSE3) kernels. On an AVX-512 CPU, "
                + "OPENBLAS_CORETYPE=SkylakeX in the environment selects kernels 4–5× faster.\n\n"
        }
        out += gemmTable()
        out += "\n" + opTable()
        out += "\n" + samplingTable()
        out += "\n" + mlpTable()
        return out
    }

    // MARK: GEMM

    func gemmTable() -> String {
        var rows = ["| shape (M×K · K×N) | raw cblas_sgemm GFLOP/s | Tensor.matmul GFLOP/s | ratio |",
                    "|---|---:|---:|---:|"]
        var shapes: [(Int, Int, Int)] = [64, 128, 256, 512, 1024].map { ($0, $0, $0) }
        if quick { shapes = [(64, 64, 64), (256, 256, 256), (512, 512, 512)] }
        shapes.append((512, 256, 128))
        var key = RandomKey(seed: 1)
        for (m, k, n) in shapes {
            let a = Tensor.normal([m, k], key: key.split()), b = Tensor.normal([k, n], key: key.split())
            let flops = 2.0 * Double(m * n * k)
            var c = [Float](repeating: 0, count: m * n)
            let pa = a.floats, pb = b.floats
            let iterations = max(3, Int(2e8 / flops))
            let raw = Stopwatch.secondsPerCall(iterations: iterations) {
                cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(m), Int32(n), Int32(k), 1, pa, Int32(k),
                            pb, Int32(n), 0, &c, Int32(n))
            }
            let api = Stopwatch.secondsPerCall(iterations: iterations) { _ = a.matmul(b) }
            let rawG = flops / raw / 1e9, apiG = flops / api / 1e9
            let label = m == k && k == n ? "\(m)³" : "\(m)×\(k) · \(k)×\(n)"
            rows.append(String(format: "| %@ | %.1f | %.1f | %.0f%% |", label, rawG, apiG, 100 * apiG / rawG))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    // MARK: per-op overhead

    func opTable() -> String {
        var rows = ["| op (Float32) | 10 elements µs | 1,000 elements µs | 1,000 elements, recording grad µs |",
                    "|---|---:|---:|---:|"]
        var key = RandomKey(seed: 2)
        let small = Tensor.normal([10], key: key.split()), small2 = Tensor.normal([10], key: key.split())
        let big = Tensor.normal([1000], key: key.split()), big2 = Tensor.normal([1000], key: key.split())
        let bigGrad = big.requiringGrad()
        let ops: [(String, (Tensor, Tensor) -> Tensor)] = [
            ("add", { $0 + $1 }), ("mul", { $0 * $1 }), ("mul scalar", { a, _ in a * 3 }),
            ("relu", { a, _ in a.relu() }), ("leakyRelu", { a, _ in a.leakyRelu(0.2) }),
            ("exp", { a, _ in a.exp() }), ("tanh", { a, _ in a.tanh() }), ("sigmoid", { a, _ in a.sigmoid() }),
            ("softplus", { a, _ in a.softplus() }), ("sum", { a, _ in a.sum() }),
        ]
        for (name, op) in ops {
            let t10 = Stopwatch.secondsPerCall(iterations: 20_000) { _ = op(small, small2) }
            let t1k = Stopwatch.secondsPerCall(iterations: 20_000) { _ = op(big, big2) }
            let tg = Stopwatch.secondsPerCall(iterations: 20_000) { _ = op(bigGrad, big2) }
            rows.append(String(format: "| %@ | %.2f | %.2f | %.2f |", name, t10 * 1e6, t1k * 1e6, tg * 1e6))
        }
        return rows.joined(separator: "\n") + "\n"
    }

    // MARK: random sampling

    /// A GAN step draws two 512×256 latent batches; this is their cost alone, at each
    /// instruction set of the C kernels this CPU has (the same bits at each), side by side.
    func samplingTable() -> String {
        var rows = ["| draw (Float32, 512×256 = 131,072 values) | C kernels | µs per tensor | ns per value |", "|---|---|---:|---:|"]
        let key = RandomKey(seed: 4)
        let draws: [(String, () -> Tensor)] = [
            ("Tensor.normal", { Tensor.normal([512, 256], key: key) }),
            ("Tensor.uniform", { Tensor.uniform([512, 256], key: key) }),
        ]
        defer { KernelInstructionSet.limit(to: nil) }
        for (name, draw) in draws {
            for level in KernelInstructionSet.available {
                KernelInstructionSet.limit(to: level)
                let t = Stopwatch.secondsPerCall(iterations: quick ? 50 : 300) { _ = draw() }
                rows.append(String(format: "| %@ | %@ | %.1f | %.2f |", name, level.description, t * 1e6, t * 1e9 / 131_072))
            }
        }
        return rows.joined(separator: "\n") + "\n"
    }

    // MARK: MLP step

    /// An MLP 256→128→128→2 with LeakyReLU(0.2), batch 512, written with Tensor ops only so
    /// the figure measures the core (layers add no work beyond these calls).
    func mlpTable() -> String {
        var key = RandomKey(seed: 3)
        let widths = [256, 128, 128, 2]
        var params: [Tensor] = []
        for (i, o) in zip(widths, widths.dropFirst()) {
            params.append((Tensor.normal([o, i], key: key.split()) * (1 / Double(i).squareRoot())).requiringGrad())
            params.append(Tensor.zeros([o]).requiringGrad())
        }
        let x = Tensor.normal([512, 256], key: key.split())
        func forward(_ input: Tensor) -> Tensor {
            var h = input
            for layer in 0..<3 {
                h = Tensor.linear(h, weight: params[2 * layer], bias: params[2 * layer + 1])
                if layer < 2 { h = h.leakyRelu(0.2) }
            }
            return h
        }
        let plain = Stopwatch.secondsPerCall(iterations: quick ? 20 : 100) {
            let loss = forward(x).squared().mean()
            _ = gradients(of: loss, wrt: params)
        }
        // DRAGAN-style penalty: per-sample ‖∇ₓ f(x)‖ pushed to 1, differentiated w.r.t. params.
        let penalised = Stopwatch.secondsPerCall(iterations: quick ? 10 : 50) {
            let xi = x.requiringGrad()
            let f = forward(xi).sum(axis: 1)
            let loss = f.mean()
            let gx = gradients(of: f.sum(), wrt: [xi], createGraph: true)[0]
            let penalty = (gx.norm(axes: [1]) - 1).squared().mean() * 10
            _ = gradients(of: loss + penalty, wrt: params)
        }
        let flops = 2.0 * 512 * Double(256 * 128 + 128 * 128 + 128 * 2) * 3  // forward + two backward GEMMs
        var rows = ["| MLP 256→128→128→2, batch 512 | ms/step | steps/s | GFLOP/s (GEMM work) |", "|---|---:|---:|---:|"]
        rows.append(String(format: "| forward + backward | %.3f | %.0f | %.1f |", plain * 1e3, 1 / plain, flops / plain / 1e9))
        rows.append(String(format: "| with double-backward gradient penalty | %.3f | %.0f | — |", penalised * 1e3, 1 / penalised))
        return rows.joined(separator: "\n") + "\n"
    }
}
