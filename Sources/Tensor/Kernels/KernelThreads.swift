import CKernels

/// Threads the convolution, matrix-product, batch-norm, element-wise and optimiser kernels
/// may use (1 by default).
///
/// Every parallel kernel splits work whose pieces are computed independently, each written to
/// its own place: convolutions by chunks of images whose size depends only on the shapes
/// (weight gradients as per-chunk partial sums added in chunk order), large matrix products
/// by fixed blocks of output rows or columns (`BlockedGEMM`), batch norm and per-channel sums
/// by channels (each channel's sums keep their order), element-wise maps and Adam's update by
/// ranges of elements. So a run gives bit-identical numbers on any number of threads. Set it
/// once at start-up (the CLI's `--threads`), before any kernel runs.
public enum KernelThreads {
    nonisolated(unsafe) private static var value = 1

    public static var count: Int { value }

    public static func set(_ n: Int) {
        precondition(n >= 1, "KernelThreads: need at least one thread, got \(n)")
        value = n
    }

    /// Runs `body` over 0..<count cut into one contiguous range per kernel thread, or inline
    /// (one thread, or fewer than `minimum` items per thread). For element-wise work outside
    /// this module (an optimiser's update): items must be independent and write disjoint
    /// memory, so the ranges never change a result.
    public static func forEachSlice(of count: Int, minimum: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        forEachRange(count, minimum: minimum, body)
    }
}

/// A raw pointer handed to worker threads that touch disjoint parts of its memory.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Runs `body` over 0..<count cut into one contiguous range per thread, or inline when one
/// thread is set or the work is too small to repay the hand-off (below `minimum` items per
/// thread). Only for work whose items are independent: the ranges do not change any result.
/// On several threads `body` runs as a closure of its own, not inlined: a closure it captures
/// (an element function passed in) is then called through a pointer for every element, so
/// per-element work belongs in a function the body calls (`unaryKernel`) or in a value of a
/// concrete type (`channelSums`), not in a captured closure.
@inline(__always)
func forEachRange(_ count: Int, minimum: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let workers = Swift.min(KernelThreads.count, count / Swift.max(minimum, 1))
    guard workers > 1 else {
        body(0..<count)
        return
    }
    let size = (count + workers - 1) / workers
    // The workers write disjoint ranges and all finish before the pool returns.
    runOnKernelThreads(workers) { worker in
        let low = worker * size
        let high = Swift.min(count, low + size)
        if low < high { body(low..<high) }
    }
}

/// Runs `body(chunk)` for every chunk in 0..<count on up to `KernelThreads.count` workers;
/// chunk k always goes to worker k mod workers, so scheduling never changes what is computed.
/// Only for chunks that write disjoint memory.
func forEachChunk(_ count: Int, _ body: @Sendable (Int) -> Void) {
    let workers = Swift.min(KernelThreads.count, count)
    if workers <= 1 {
        for chunk in 0..<count { body(chunk) }
        return
    }
    runOnKernelThreads(workers) { worker in
        var chunk = worker
        while chunk < count {
            body(chunk)
            chunk += workers
        }
    }
}

/// Runs `part(w)` for w in 0..<workers: part 0 on this thread, the others on the pool's helper
/// threads (`eq_pool_run`, which spin between jobs instead of sleeping: waking a sleeping
/// thread cost about 100 µs on the development VMs, longer than many of a training step's
/// parallel regions). Returns when every part has finished.
func runOnKernelThreads(_ workers: Int, _ part: (Int) -> Void) {
    withoutActuallyEscaping(part) { part in
        var task = part
        withUnsafeMutablePointer(to: &task) { pointer in
            eq_pool_run(Int64(workers), { context, worker in
                context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(worker))
            }, pointer)
        }
    }
}
