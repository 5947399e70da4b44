import Foundation

/// Progress of a long command. On a terminal: one line redrawn in place at most 5 times a
/// second (done/total, rate, elapsed, ETA, latest detail). In a log (stderr not a TTY): only
/// the updates marked `force` (e.g. evaluations), one plain line each, so logs stay short.
/// Thread-safe: parallel workers may report.
final class ProgressLine: @unchecked Sendable {
    // @unchecked: mutable state is guarded by `lock`.
    private let label: String
    private let unit: String
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    private let started = ContinuousClock.now
    private var lastPrint = ContinuousClock.now - .seconds(1)

    init(label: String, unit: String = "cells") {
        self.label = label
        self.unit = unit
    }

    var elapsedSeconds: Double { (ContinuousClock.now - started).seconds }

    func update(done: Int, total: Int, detail: String = "", force: Bool = false) {
        guard isTerminal || force else { return }
        lock.lock(); defer { lock.unlock() }
        let now = ContinuousClock.now
        guard force || done == total || now - lastPrint > .milliseconds(200) else { return }
        lastPrint = now
        let elapsed = (now - started).seconds
        let rate = Double(done) / max(elapsed, 1e-9)
        let eta = done > 0 ? elapsed * Double(total - done) / Double(done) : .infinity
        let line = String(format: "[%@] %d/%d %@  %.0f/s  %@ elapsed  ETA %@  %@", label, done, total, unit, rate,
                          Self.duration(elapsed), Self.duration(eta), detail)
        FileHandle.standardError.write(Data((isTerminal ? "\r\u{1B}[K" + line : line + "\n").utf8))
    }

    func finish() {
        guard isTerminal else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "--" }
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return String(format: "%.1fs", seconds)
    }
}
