import Foundation

/// How a child run ended.
enum ChildOutcome: Equatable {
    case exited(Int32)
    /// Killed by a signal (e.g. the sweep was interrupted).
    case signalled(Int32)
    /// Terminated by the pool because the sweep was interrupted.
    case stoppedBySweep
    /// The process could not be started at all.
    case launchFailed(String)

    var succeeded: Bool { self == .exited(0) }

    var description: String {
        switch self {
        case .exited(let code): return "exit \(code)"
        case .signalled(let signal): return "killed by signal \(signal)"
        case .stoppedBySweep: return "stopped (sweep interrupted)"
        case .launchFailed(let why): return "could not start: \(why)"
        }
    }
}

/// Runs this executable as child processes, at most `jobs` at a time, each with its stdout and
/// stderr in its own log file and the parent's environment (so `OPENBLAS_CORETYPE`, set by the
/// BLAS kernel re-exec, reaches every child). A child that fails is reported, never fatal.
/// SIGINT or SIGTERM stops launching, terminates the running children (reported as
/// `.stoppedBySweep`) and returns, so the caller can still write what finished.
final class ChildRunPool {
    struct Job {
        let arguments: [String]
        let logPath: String
    }

    let executable: URL
    let jobs: Int

    init(jobs: Int) {
        self.jobs = jobs
        executable = URL(fileURLWithPath: Self.ownExecutablePath())
    }

    /// The running binary: /proc/self/exe resolved here, in the parent, so the path is stable
    /// even if the child's view of /proc/self differs.
    static func ownExecutablePath() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Runs every job; `finished(index, outcome)` is called on this thread as each one ends.
    /// Returns false when interrupted (jobs not started are skipped, running ones killed).
    func run(_ work: [Job], finished: (Int, ChildOutcome) -> Void) -> Bool {
        let interruption = InterruptionFlag.install()
        defer { interruption.uninstall() }
        let completions = CompletionQueue()
        var running: [Int: Process] = [:]
        var stopped: Set<Int> = []
        var next = 0
        while next < work.count || !running.isEmpty {
            while !interruption.isRaised && running.count < jobs && next < work.count {
                let index = next
                next += 1
                switch launch(work[index], index: index, completions: completions) {
                case .success(let process): running[index] = process
                case .failure(let error): finished(index, .launchFailed(error.description))
                }
            }
            if interruption.isRaised {
                next = work.count
                for (index, process) in running where !stopped.contains(index) && process.isRunning {
                    stopped.insert(index)
                    process.terminate()
                }
            }
            // Poll so a signal is noticed within a moment even while every child is busy.
            for (index, outcome) in completions.wait(timeout: .milliseconds(250)) {
                running[index] = nil
                // After a signal, a child that did not succeed was stopped: by the pool, or by the
                // same Ctrl-C reaching its process group. One that had succeeded keeps its outcome.
                let stoppedBySweep = (stopped.contains(index) || interruption.isRaised) && !outcome.succeeded
                finished(index, stoppedBySweep ? .stoppedBySweep : outcome)
            }
        }
        return !interruption.isRaised
    }

    private func launch(_ job: Job, index: Int, completions: CompletionQueue) -> Result<Process, SweepError> {
        let directory = (job.logPath as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            return .failure(SweepError("cannot create \(directory): \(error.localizedDescription)"))
        }
        guard FileManager.default.createFile(atPath: job.logPath, contents: nil),
              let log = FileHandle(forWritingAtPath: job.logPath) else {
            return .failure(SweepError("cannot write \(job.logPath)"))
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = job.arguments
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { process in
            let outcome: ChildOutcome = process.terminationReason == .uncaughtSignal
                ? .signalled(process.terminationStatus) : .exited(process.terminationStatus)
            completions.push(index, outcome)
        }
        do {
            try process.run()
        } catch {
            try? log.close()
            return .failure(SweepError(error.localizedDescription))
        }
        // The child holds its own descriptor now.
        try? log.close()
        return .success(process)
    }
}

/// Child completions, pushed from Foundation's termination threads and drained by the pool.
private final class CompletionQueue: @unchecked Sendable {
    // @unchecked: `items` is guarded by `lock`.
    private let lock = NSLock()
    private let signal = DispatchSemaphore(value: 0)
    private var items: [(Int, ChildOutcome)] = []

    func push(_ index: Int, _ outcome: ChildOutcome) {
        lock.lock()
        items.append((index, outcome))
        lock.unlock()
        signal.signal()
    }

    /// Whatever has completed, after waiting up to `timeout` for at least one. (A drained
    /// item's leftover semaphore count only causes one early, empty wake-up.)
    func wait(timeout: DispatchTimeInterval) -> [(Int, ChildOutcome)] {
        _ = signal.wait(timeout: .now() + timeout)
        lock.lock()
        defer { lock.unlock() }
        let drained = items
        items.removeAll()
        return drained
    }
}
