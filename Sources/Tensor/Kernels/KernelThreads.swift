import CKernels

/// Threads the convolution, matrix-product, batch-norm, element-wise and optimiser kernels
/// may use (1 by default).
///
/// Every parallel kernel splits work whose pieces are computed independently, each written to
/// its own place: convolutions by chunks of images whose size depends only on the shapes
/// (weight gradients as per-chunk partial sums added in chunk order), large matrix products
/// by fixed blocks of output rows or columns (`BlockedGEMM`), batch norm and per-channel sums
/// by channels (each channel's sums keep their order), element-wise maps and Adam's update by
/// ranges of elements. Which thread runs which piece varies (pieces go to threads as they come
/// free), and no result depends on it. So a run gives bit-identical numbers on any number of
/// threads. Set it once at start-up (the CLI's `--threads`), before any kernel runs.
public enum KernelThreads {
    nonisolated(unsafe) private static var value = 1

    public static var count: Int { value }

    public static func set(_ n: Int) {
        precondition(n >= 1, "KernelThreads: need at least one thread, got \(n)")
        value = n
    }

    /// Runs `body` over 0..<count cut into contiguous ranges on the kernel threads (see
    /// `forEachRange`), or inline (one thread, or fewer than `minimum` items per thread). For
    /// element-wise work outside this module (an optimiser's update): items must be independent
    /// and write disjoint memory, so the ranges never change a result.
    public static func forEachSlice(of count: Int, minimum: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
        forEachRange(count, minimum: minimum, body)
    }
}

/// A raw pointer handed to worker threads that touch disjoint parts of its memory.
struct SharedPointer<T>: @unchecked Sendable {
    let base: UnsafeMutablePointer<T>
}

/// Runs `body` over 0..<count cut into contiguous ranges, on the kernel threads, or inline when
/// one thread is set or the work is too small to repay the hand-off (below `minimum` items per
/// thread). Only for work whose items are independent: the ranges do not change any result.
/// There are up to `rangesPerThread` ranges per thread (all but the last at least `minimum`
/// items long), handed to the threads as they come free (`eq_pool_run_parts`), so a thread
/// the machine deschedules for a while leaves its share to the others instead of holding up
/// the region.
/// On several threads `body` runs as a closure of its own, not inlined: a closure it captures
/// (an element function passed in) is then called through a pointer for every element, so
/// per-element work belongs in a function the body calls (`unaryKernel`) or in a value of a
/// concrete type (`channelSums`), not in a captured closure.
@inline(__always)
func forEachRange(_ count: Int, minimum: Int = 1 << 15, _ body: (Range<Int>) -> Void) {
    let minimum = Swift.max(minimum, 1)
    let workers = Swift.min(KernelThreads.count, count / minimum)
    guard workers > 1 else {
        body(0..<count)
        return
    }
    let ranges = Swift.min(workers * rangesPerThread, count / minimum)
    let size = (count + ranges - 1) / ranges
    // The ranges are disjoint and all finish before the pool returns.
    runParts(ranges, workers: workers) { range in
        let low = range * size
        let high = Swift.min(count, low + size)
        if low < high { body(low..<high) }
    }
}

/// Ranges per kernel thread in `forEachRange`: enough that a thread which loses its CPU for part
/// of a region leaves most of its share to the others, few enough that each range stays long.
let rangesPerThread = 4

/// Runs `body(chunk)` for every chunk in 0..<count on up to `KernelThreads.count` threads, each
/// chunk handed to the next thread that is free. Only for chunks that are computed
/// independently and write disjoint memory, so which thread runs a chunk never changes what
/// is computed.
func forEachChunk(_ count: Int, _ body: @Sendable (Int) -> Void) {
    let workers = Swift.min(KernelThreads.count, count)
    if workers <= 1 {
        for chunk in 0..<count { body(chunk) }
        return
    }
    runParts(count, workers: workers, body)
}

/// Runs `part(w)` for w in 0..<workers (the pool's static form; the kernels use `runParts`):
/// part 0 on this thread, part w on the pool's helper thread w, or on this thread when that
/// helper has not started it by the time part 0 is done (`eq_pool_run`, whose helpers spin
/// between jobs instead of sleeping: waking a sleeping thread cost about 100 µs on the
/// development VMs, longer than many of a training step's parallel regions). Returns when
/// every part has finished.
func runOnKernelThreads(_ workers: Int, _ part: (Int) -> Void) {
    withPoolTask(part) { eq_pool_run(Int64(workers), callPart, $0) }
}

/// Runs `part(p)` for p in 0..<parts on up to `workers` threads (this one included), each part
/// on whichever thread is free next (`eq_pool_run_parts`). Returns when every part has finished.
func runParts(_ parts: Int, workers: Int, _ part: (Int) -> Void) {
    withPoolTask(part) { eq_pool_run_parts(Int64(parts), Int64(workers), callPart, $0) }
}

/// The pool's C callback: calls the Swift closure its context points to with the part index.
private let callPart: eq_pool_task = { context, index in
    context!.assumingMemoryBound(to: ((Int) -> Void).self).pointee(Int(index))
}

/// Hands `submit` a context pointer to `part` for `callPart`, valid until `submit` returns
/// (every pool call returns only when all its parts have finished).
private func withPoolTask(_ part: (Int) -> Void, _ submit: (UnsafeMutableRawPointer) -> Void) {
    withoutActuallyEscaping(part) { part in
        var task = part
        withUnsafeMutablePointer(to: &task) { submit(UnsafeMutableRawPointer($0)) }
    }
}
