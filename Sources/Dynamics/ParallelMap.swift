import Foundation

/// Computes `body(i)` for i in 0..<count on `threads` workers and returns the results in
/// index order. Workers pull indices from a shared counter, so uneven items balance out; each
/// result lands in its own slot, so the output never depends on scheduling.
func parallelMap<T: Sendable>(count: Int, threads: Int,
                                     progress: (@Sendable (_ done: Int, _ total: Int) -> Void)? = nil,
                                     _ body: @Sendable (Int) -> T) -> [T] {
    let slots = ResultSlots<T>(count: count)
    let counter = WorkCounter(total: count)
    let workers = max(1, min(threads, count))
    DispatchQueue.concurrentPerform(iterations: workers) { _ in
        while let index = counter.claim() {
            slots.store(body(index), at: index)
            let done = counter.finish()
            progress?(done, count)
        }
    }
    return slots.collect()
}

/// The number of hardware threads, the default worker count.
var availableThreads: Int { ProcessInfo.processInfo.activeProcessorCount }

/// One write-once slot per index; distinct indices never race.
private final class ResultSlots<T>: @unchecked Sendable {
    private let buffer: UnsafeMutablePointer<T?>
    private let count: Int

    init(count: Int) {
        self.count = count
        buffer = .allocate(capacity: max(count, 1))
        buffer.initialize(repeating: nil, count: count)
    }

    deinit {
        buffer.deinitialize(count: count)
        buffer.deallocate()
    }

    func store(_ value: T, at index: Int) { buffer[index] = value }

    func collect() -> [T] { (0..<count).map { buffer[$0]! } }
}

private final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var finished = 0
    private let total: Int

    init(total: Int) { self.total = total }

    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < total else { return nil }
        next += 1
        return next - 1
    }

    func finish() -> Int {
        lock.lock(); defer { lock.unlock() }
        finished += 1
        return finished
    }
}
