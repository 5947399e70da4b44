import Equilibrium
import Foundation
import TOMLKit

/// Turns a preset plus a TOML or JSON config file into a `GANConfig`. The file may set any
/// field of the resolved config (snake_case keys, tables for `data`, `generator`,
/// `discriminator` and their `optimizer`); an unknown key is an error that lists the valid
/// ones, so a typo never silently falls back to a default.
enum ConfigLoader {
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    static func encoder() -> JSONEncoder { GANConfig.jsonEncoder() }

    /// The file's table as JSON-like values (TOML through TOMLKit, or JSON).
    static func readTable(_ path: String) throws -> [String: Any] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw Failure(description: "cannot read config file '\(path)'")
        }
        if path.hasSuffix(".json") {
            guard let object = try? JSONSerialization.jsonObject(with: Foundation.Data(text.utf8)) as? [String: Any] else {
                throw Failure(description: "\(path): not a JSON object")
            }
            return object
        }
        do {
            let table = try TOMLTable(string: text)
            let json = table.convert(to: .json)
            guard let object = try JSONSerialization.jsonObject(with: Foundation.Data(json.utf8)) as? [String: Any] else {
                throw Failure(description: "\(path): TOML did not convert to a table")
            }
            return object
        } catch let error as TOMLParseError {
            throw Failure(description: "\(path):\(error.source.begin.line):\(error.source.begin.column): TOML syntax error: \(error.description)")
        }
    }

    /// The config named by `preset` (or by the file's `preset` key), with the file's values
    /// laid over it.
    static func load(path: String?, preset: String?) throws -> GANConfig {
        let table = try path.map(readTable) ?? [:]
        let name = preset ?? (table["preset"] as? String) ?? TrainingPresets.defaultName
        var base = try TrainingPresets.named(name)
        base.preset = name
        return try base.overlaying(table, source: path ?? "config")
    }
}
