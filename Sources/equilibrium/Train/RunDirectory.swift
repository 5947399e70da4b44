import Equilibrium
import Foundation

/// A run's output folder: config, metrics.jsonl (one JSON object per evaluation, appended
/// and flushed as it is produced, so a killed run keeps every line it wrote), checkpoints,
/// plots and summary.json (written atomically).
struct RunDirectory {
    let path: String
    private let metricsHandle: FileHandle

    enum Failure: Error, CustomStringConvertible {
        case cannotCreate(String, String)
        var description: String {
            switch self {
            case .cannotCreate(let path, let why): return "cannot create run directory '\(path)': \(why)"
            }
        }
    }

    /// Opens (creating if needed) the directory; `append` keeps an existing metrics file
    /// (resume), otherwise it starts a fresh one.
    init(path: String, append: Bool) throws {
        self.path = path
        let fm = FileManager.default
        do {
            try fm.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw Failure.cannotCreate(path, error.localizedDescription)
        }
        let metricsPath = (path as NSString).appendingPathComponent("metrics.jsonl")
        if !append || !fm.fileExists(atPath: metricsPath) {
            guard fm.createFile(atPath: metricsPath, contents: nil) else {
                throw Failure.cannotCreate(path, "cannot write \(metricsPath)")
            }
        }
        guard let handle = FileHandle(forWritingAtPath: metricsPath) else {
            throw Failure.cannotCreate(path, "cannot open \(metricsPath)")
        }
        handle.seekToEndOfFile()
        metricsHandle = handle
    }

    func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    /// Creates `name` inside the run directory if it is not there yet.
    func makeSubdirectory(_ name: String) throws {
        try FileManager.default.createDirectory(atPath: file(name), withIntermediateDirectories: true)
    }

    /// Appends one JSON line to metrics.jsonl.
    func appendMetrics(_ object: [String: Any]) throws {
        let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])
        metricsHandle.write(data + Data("\n".utf8))
        try metricsHandle.synchronize()
    }

    /// Writes a file atomically (temp file, fsync, rename).
    func write(_ name: String, data: Data) throws {
        try AtomicFile.write([UInt8](data), to: file(name))
    }

    func writeJSON(_ name: String, _ object: Any) throws {
        try write(name, data: try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]))
    }

    /// The rows of metrics.jsonl written before `step` (for truncating on resume).
    func keepMetrics(before step: Int) throws {
        let metricsPath = file("metrics.jsonl")
        let text = (try? String(contentsOfFile: metricsPath, encoding: .utf8)) ?? ""
        let kept = text.split(separator: "\n").filter { line in
            guard let data = line.data(using: .utf8),
                  let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
                  let s = object["step"] as? Int else { return false }
            return s <= step
        }
        let body = kept.isEmpty ? "" : kept.joined(separator: "\n") + "\n"
        metricsHandle.truncateFile(atOffset: 0)
        metricsHandle.write(Data(body.utf8))
        try metricsHandle.synchronize()
    }
}
