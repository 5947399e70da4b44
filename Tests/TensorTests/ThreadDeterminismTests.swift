import Dispatch
import Foundation
import Synchronization
import Testing
@testable import Tensor

/// `evaluate()` on one kernel thread, then on two; the count is back at one afterwards.
/// For the tests that compare the two results bit for bit.
func onOneThreadAndTwo<T>(_ evaluate: () -> T) -> (one: T, two: T) {
    defer { KernelThreads.set(1) }
    KernelThreads.set(1)
    let one = evaluate()
    KernelThreads.set(2)
    return (one, evaluate())
}

/// Reproducibility: Equilibrium pins OpenBLAS to one thread (threaded OpenBLAS changes the
/// last bits of a GEMM with the thread count), so the same inputs give bit-identical results
/// on every call and every machine; random tensors depend only on (key, element index).
@Suite(.serialized)
struct ThreadDeterminismTests {
    @Test func blasIsPinnedToOneThreadByDefault() {
        _ = Tensor.ones([2, 2]).matmul(Tensor.ones([2, 2]))
        #expect(BLASThreads.current == 1)
    }

    @Test func repeatedProductsAndConvolutionsAreBitIdentical() {
        var key = RandomKey(seed: 11)
        let a = Tensor.normal([300, 257], key: key.split()), b = Tensor.normal([257, 190], key: key.split())
        let x = Tensor.normal([4, 3, 17, 17], key: key.split()), w = Tensor.normal([8, 3, 3, 3], key: key.split())
        #expect(a.matmul(b).floats == a.matmul(b).floats)
        #expect(Tensor.conv2d(x, weight: w, stride: 2, padding: 1).floats
                == Tensor.conv2d(x, weight: w, stride: 2, padding: 1).floats)
    }

    @Test func randomTensorsDependOnlyOnKeyAndIndex() {
        let key = RandomKey(seed: 5)
        let long = Tensor.normal([1001], key: key).floats
        let short = Tensor.normal([37], key: key).floats
        #expect(Array(long.prefix(37)) == short)
        let longUniform = Tensor.uniform([999], key: key, dtype: .float64).doubles
        #expect(Array(longUniform.prefix(5)) == Tensor.uniform([5], key: key, dtype: .float64).doubles)
    }
}

/// The batch-norm and element-wise kernels split their work over `KernelThreads`; large
/// enough inputs to engage the threads give the same bits on one thread and two, forward
/// and backward.
@Suite(.serialized)
struct KernelThreadsTests {
    static func evaluate(_ x: Tensor, _ r: Tensor) -> [[Float]] {
        let xl = x.requiringGrad()
        let (normalised, _) = xl.batchNormalized(epsilon: 1e-5)
        let y = ((normalised * 1.5 + 0.25).leakyRelu(0.2) * r).tanh() + Tensor.ones([1, x.shape[1], 1, 1])
        let g = gradients(of: y.sum(), wrt: [xl])[0]
        return [y.floats, g.floats]
    }

    /// `forEachRange` covers every item exactly once with ranges of at most ⌈count / ranges⌉
    /// items, on any thread count, and runs inline below the minimum.
    @Test func rangesCoverEveryItemOnce() {
        defer { KernelThreads.set(1) }
        for threads in [1, 2, 3] {
            KernelThreads.set(threads)
            for (count, minimum) in [(0, 1), (1, 1), (10, 3), (64, 1), (1000, 7), (1 << 16, 1 << 15), (100_003, 1 << 10)] {
                let seen = UnsafeMutablePointer<Int>.allocate(capacity: Swift.max(count, 1))
                seen.initialize(repeating: 0, count: Swift.max(count, 1))
                defer { seen.deallocate() }
                let shared = SharedPointer(base: seen)
                let calls = Mutex(0)
                forEachRange(count, minimum: minimum) { range in
                    calls.withLock { $0 += 1 }
                    for i in range { shared.base[i] += 1 }
                }
                let label = "\(count) items, minimum \(minimum), \(threads) threads"
                #expect(UnsafeBufferPointer(start: seen, count: count).allSatisfy { $0 == 1 }, "\(label)")
                let inline = count / minimum < 2 || threads == 1
                #expect(calls.withLock { $0 } <= (inline ? 1 : threads * rangesPerThread), "\(label)")
            }
        }
    }

    @Test func batchNormAndElementwiseSameBitsOnOneThreadAndTwo() {
        var key = RandomKey(seed: 21)
        let x = Tensor.normal([64, 36, 14, 14], key: key.split())
        let r = Tensor.normal([64, 36, 14, 14], key: key.split())
        let (one, two) = onOneThreadAndTwo { Self.evaluate(x, r) }
        #expect(one == two)
    }

    /// Products cut into blocks for the kernel threads (`BlockedGEMM`), forward and through
    /// a linear layer's backward (weight gradient: row blocks; input gradient: column blocks).
    @Test func blockedProductsSameBitsOnOneThreadAndTwo() {
        var key = RandomKey(seed: 23)
        let x = Tensor.normal([64, 100], key: key.split())
        let w = Tensor.normal([6272, 100], key: key.split()), b = Tensor.normal([6272], key: key.split())
        let cotangent = Tensor.normal([64, 6272], key: key.split())
        func evaluate() -> [[Float]] {
            let (xl, wl, bl) = (x.requiringGrad(), w.requiringGrad(), b.requiringGrad())
            let y = Tensor.linear(xl, weight: wl, bias: bl)
            return [y.floats] + gradients(of: (y * cotangent).sum(), wrt: [xl, wl, bl]).map(\.floats)
        }
        let (one, two) = onOneThreadAndTwo(evaluate)
        #expect(one == two)
    }

    /// `linear` splits only its output features, never its rows (samples): a 2,500-sample
    /// evaluation batch through a 256 → 128 layer rounds exactly as one unblocked GEMM.
    @Test func linearKeepsLargeBatchesWhole() {
        defer { KernelThreads.set(1) }
        KernelThreads.set(2)
        var key = RandomKey(seed: 29)
        let x = Tensor.normal([2500, 256], key: key.split()), w = Tensor.normal([128, 256], key: key.split())
        let y = Tensor.linear(x, weight: w, bias: nil)
        var reference = [Float](repeating: 0, count: 2500 * 128)
        reference.withUnsafeMutableBufferPointer { out in
            gemm(transA: false, transB: true, m: 2500, n: 128, k: 256, alpha: Float(1), x.storage.typed(Float.self), lda: 256,
                 w.storage.typed(Float.self), ldb: 256, beta: 0, out.baseAddress!, ldc: 128)
        }
        #expect(y.floats == reference)
    }
}

/// The pool behind the kernel threads (`eq_pool_run` through `runOnKernelThreads`): every part
/// runs exactly once, part 0 on the calling thread; a part whose helper has not started it
/// when part 0 is done runs on the caller, otherwise each part runs on a thread of its own;
/// helpers that went to sleep wake for the next job; nested and concurrent calls run inline
/// and still run every part once. Its dynamic form (`eq_pool_run_parts` through `runParts`,
/// what the kernels use) runs every part once, on at most the workers, each part on the next
/// free thread.
@Suite(.serialized)
struct KernelPoolTests {
    /// Spins for `microseconds` (a part long enough for spinning helpers to claim theirs).
    static func busyWait(microseconds: Double) {
        let start = DispatchTime.now().uptimeNanoseconds
        while Double(DispatchTime.now().uptimeNanoseconds - start) < microseconds * 1_000 {}
    }

    /// Runs `parts` parts through `pool` (a job submitter: `runOnKernelThreads` or `runParts`),
    /// each `work(part)`; returns how often each part ran and the thread of each.
    static func record(_ parts: Int, _ pool: ((Int) -> Void) -> Void,
                       _ work: (Int) -> Void) -> (runs: [Int], threads: [UInt]) {
        let capacity = Swift.max(parts, 1)
        let runs = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let threads = UnsafeMutablePointer<pthread_t>.allocate(capacity: capacity)
        runs.initialize(repeating: 0, count: capacity)
        defer { runs.deallocate(); threads.deallocate() }
        withoutActuallyEscaping(work) { work in
            pool { part in
                work(part)
                runs[part] += 1
                threads[part] = pthread_self()
            }
        }
        return (Array(UnsafeBufferPointer(start: runs, count: parts)),
                UnsafeBufferPointer(start: threads, count: parts).map { UInt($0) })
    }

    /// One job of `workers` parts through `runOnKernelThreads`.
    static func job(_ workers: Int, _ work: (Int) -> Void = { _ in }) -> (runs: [Int], threads: [UInt]) {
        record(workers, { runOnKernelThreads(workers, $0) }, work)
    }

    /// Parts of 300 µs: spinning helpers claim theirs long before part 0 is done, so on an idle
    /// machine nearly every job runs each part on its own thread. On a loaded one (other suites,
    /// other processes) a descheduled helper's part runs on the caller instead, so the bounds
    /// only ask that helpers take part in a tenth of the jobs and every part in one of them.
    @Test func helpersRunTheirPartsOnThreadsOfTheirOwn() {
        for workers in [2, 3, 4] {
            var (pooled, helped) = (0, 0)
            for repetition in 0..<100 {
                let (runs, threads) = Self.job(workers) { _ in Self.busyWait(microseconds: 300) }
                #expect(runs == [Int](repeating: 1, count: workers), "\(workers) workers, repetition \(repetition)")
                #expect(threads[0] == UInt(pthread_self()))
                let distinct = Set(threads).count
                if distinct == workers { pooled += 1 }
                if distinct > 1 { helped += 1 }
            }
            #expect(pooled >= 1 && helped >= 10,
                    "\(workers) workers: helpers took part in \(helped) of 100 jobs, every part in \(pooled)")
        }
    }

    /// Empty parts: the caller is usually done with part 0 before a helper has seen the job, and
    /// takes the helpers' parts; the race for each part between its helper and the caller must
    /// still run every part exactly once.
    @Test func shortJobsRunEveryPartOnce() {
        for workers in [1, 2, 3, 4] {
            for repetition in 0..<2_000 {
                let (runs, threads) = Self.job(workers)
                #expect(runs == [Int](repeating: 1, count: workers), "\(workers) workers, repetition \(repetition)")
                #expect(threads[0] == UInt(pthread_self()))
            }
        }
    }

    /// Helpers spin about 2 ms after a job, then sleep; the next job must wake them (its parts
    /// are long enough, 5 ms, for a woken helper to claim its own before part 0 is done).
    @Test func sleepingHelpersWakeForTheNextJob() {
        var woken = 0
        for _ in 0..<5 {
            usleep(10_000)
            let (runs, threads) = Self.job(3) { _ in Self.busyWait(microseconds: 5_000) }
            #expect(runs == [1, 1, 1])
            if Set(threads).count > 1 { woken += 1 }
        }
        // A loaded machine may keep a woken helper off the CPU past part 0; not in most jobs.
        #expect(woken >= 2, "a helper woke and ran its part in only \(woken) of 5 jobs")
    }

    @Test func nestedAndConcurrentCallsRunEveryPart() {
        // Nested: each part of the outer job runs an inner job (inline, on its own thread).
        let inner = UnsafeMutablePointer<Int>.allocate(capacity: 4 * 3)
        inner.initialize(repeating: 0, count: 12)
        defer { inner.deallocate() }
        runOnKernelThreads(4) { outer in
            runOnKernelThreads(3) { part in inner[3 * outer + part] += 1 }
        }
        #expect(Array(UnsafeBufferPointer(start: inner, count: 12)) == [Int](repeating: 1, count: 12))
        // Concurrent: two threads submit jobs at once; whichever finds the pool busy runs inline.
        let totals = UnsafeMutablePointer<Int>.allocate(capacity: 2)
        totals.initialize(repeating: 0, count: 2)
        defer { totals.deallocate() }
        let shared = SharedPointer(base: totals)
        DispatchQueue.concurrentPerform(iterations: 2) { caller in
            for _ in 0..<500 {
                let parts = UnsafeMutablePointer<Int>.allocate(capacity: 2)
                parts.initialize(repeating: 0, count: 2)
                runOnKernelThreads(2) { part in parts[part] += 1 }
                shared.base[caller] += parts[0] + parts[1]
                parts.deallocate()
            }
        }
        #expect(Array(UnsafeBufferPointer(start: totals, count: 2)) == [1_000, 1_000])
    }

    /// One job of `parts` parts on up to `workers` threads through `runParts`.
    static func partsJob(_ parts: Int, workers: Int, _ work: (Int) -> Void = { _ in }) -> (runs: [Int], threads: [UInt]) {
        record(parts, { runParts(parts, workers: workers, $0) }, work)
    }

    @Test func partsJobsRunEveryPartOnceOnAtMostTheWorkers() {
        for (parts, workers) in [(0, 2), (1, 3), (2, 2), (5, 2), (25, 2), (7, 1), (100, 4), (3, 8)] {
            for repetition in 0..<50 {
                let (runs, threads) = Self.partsJob(parts, workers: workers)
                #expect(runs == [Int](repeating: 1, count: parts), "\(parts) parts, \(workers) workers, repetition \(repetition)")
                #expect(Set(threads).count <= Swift.min(parts, workers))
            }
        }
    }

    /// Parts go to whichever thread is free: while one thread sleeps in part 0, the other takes
    /// the quick parts. Handed out statically (part k to worker k mod 2), the thread that runs
    /// part 0 would run 11 of the 21. A job that found the pool busy runs inline on one thread;
    /// the bound is loose (≤ 10, usually 1) because a loaded machine may deschedule the free
    /// thread for part of the sleep.
    @Test func partsGoToTheThreadThatIsFree() {
        var pooled = 0
        for _ in 0..<10 {
            let (runs, threads) = Self.partsJob(21, workers: 2) { part in
                if part == 0 { usleep(30_000) }
            }
            #expect(runs == [Int](repeating: 1, count: 21))
            guard Set(threads).count == 2 else { continue }
            let onSleeper = threads.filter { $0 == threads[0] }.count
            #expect(onSleeper <= 10, "the thread that slept in part 0 ran \(onSleeper) of 21 parts")
            pooled += 1
        }
        #expect(pooled >= 1, "no job of 10 ran on two threads")
    }
}
