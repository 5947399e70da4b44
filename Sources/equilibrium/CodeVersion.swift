import Foundation

/// The code version every protocol line records (benchmarks.md §10): the release number, plus
/// the git commit (and "-dirty" for uncommitted changes to tracked files) when the executable
/// was built inside a git checkout, as `swift build` leaves it in `.build/`.
enum CodeVersion {
    static let release = "0.1.0"

    static let current: String = {
        guard let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() else { return release }
        let directory = executable.deletingLastPathComponent().path
        guard let commit = git(["rev-parse", "--short=12", "HEAD"], in: directory), !commit.isEmpty else { return release }
        let dirty = git(["status", "--porcelain", "--untracked-files=no"], in: directory).map { !$0.isEmpty } ?? false
        return "\(release)+\(commit)\(dirty ? "-dirty" : "")"
    }()

    /// The trimmed output of `git args` run in `directory`, or nil if git is missing or fails.
    private static func git(_ arguments: [String], in directory: String) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["git", "-C", directory] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
