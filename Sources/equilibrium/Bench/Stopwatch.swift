import Foundation

/// Timing helpers for benchmarks: warm up, then report the median of several trials, which
/// is robust to the noise of a shared machine.
enum Stopwatch {
    static func now() -> UInt64 { DispatchTime.now().uptimeNanoseconds }

    /// Median seconds per call of `body`, over `trials` trials of `iterations` calls each.
    static func secondsPerCall(iterations: Int, trials: Int = 5, warmup: Int = 1, _ body: () -> Void) -> Double {
        for _ in 0..<max(warmup, 0) { for _ in 0..<iterations { body() } }
        var samples: [Double] = []
        for _ in 0..<trials {
            let start = now()
            for _ in 0..<iterations { body() }
            samples.append(Double(now() - start) / 1e9 / Double(iterations))
        }
        samples.sort()
        return samples[samples.count / 2]
    }

    /// Picks an iteration count so one trial lasts roughly `target` seconds.
    static func calibrate(target: Double = 0.2, _ body: () -> Void) -> Int {
        let start = now()
        body()
        let once = max(Double(now() - start) / 1e9, 1e-7)
        return max(1, min(1_000_000, Int(target / once)))
    }
}
