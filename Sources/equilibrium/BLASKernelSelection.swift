import Equilibrium
import Foundation

/// OpenBLAS 0.3.21 (Debian 12) does not recognise recent Intel server CPUs and falls back to
/// its Prescott (SSE3) kernels, 4–5× slower than the AVX-512 ones on the same CPU (measured
/// by `equilibrium bench core`: 33 vs 150 GFLOP/s on 512³ sgemm). OpenBLAS reads its choice
/// from `OPENBLAS_CORETYPE` when the library loads, before any Swift code runs, so the CLI
/// re-executes itself once with the variable set when that fallback is detected. Setting
/// `OPENBLAS_CORETYPE` yourself, or `EQUILIBRIUM_KEEP_BLAS_CORE=1`, leaves the choice alone.
enum BLASKernelSelection {
    static func reexecIfFallbackKernels() {
        let env = ProcessInfo.processInfo.environment
        guard env["OPENBLAS_CORETYPE"] == nil, env["EQUILIBRIUM_KEEP_BLAS_CORE"] == nil,
              BLASInfo.coreName == "Prescott", let better = bestCoreType() else { return }
        setenv("OPENBLAS_CORETYPE", better, 1)
        let args = CommandLine.arguments
        var cArgs: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) }
        cArgs.append(nil)
        execv("/proc/self/exe", &cArgs)
        // execv only returns on failure: carry on with the slower kernels.
        unsetenv("OPENBLAS_CORETYPE")
    }

    /// The OpenBLAS kernel family this CPU supports, from /proc/cpuinfo's flags.
    static func bestCoreType() -> String? {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
              let flagsLine = info.split(separator: "\n").first(where: { $0.hasPrefix("flags") }) else { return nil }
        let flags = Set(flagsLine.split(separator: " ").map(String.init))
        if flags.contains("avx512f") && flags.contains("avx512bw") && flags.contains("avx512vl") { return "SkylakeX" }
        if flags.contains("avx2") && flags.contains("fma") { return "Haswell" }
        return nil
    }
}
