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

    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

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
        guard !table.isEmpty else { return base }
        let baseObject = try JSONSerialization.jsonObject(with: try encoder().encode(base)) as! [String: Any]
        var merged = try overlay(table, onto: baseObject, path: "")
        if let data = table["data"] as? [String: Any], data["means"] != nil, data["preset"] == nil {
            // A user mixture replaces the preset's data.
            var spec = merged["data"] as? [String: Any] ?? [:]
            spec["preset"] = nil
            merged["data"] = spec
        }
        do {
            let json = try JSONSerialization.data(withJSONObject: merged)
            return try decoder().decode(GANConfig.self, from: json)
        } catch let error as DecodingError {
            throw Failure(description: "\(path ?? "config"): \(describe(error))")
        }
    }

    /// Lays `values` over `base`, recursively for tables; keys must exist in `base`
    /// (for `data`, also `means` and `std`).
    static func overlay(_ values: [String: Any], onto base: [String: Any], path: String) throws -> [String: Any] {
        var result = base
        let extra: Set<String> = path == "data" ? ["preset", "means", "std"] : []
        for (key, value) in values {
            let dotted = path.isEmpty ? key : "\(path).\(key)"
            guard base[key] != nil || extra.contains(key) else {
                let valid = Set(base.keys).union(extra).sorted()
                throw Failure(description: "unknown config key '\(dotted)'; valid keys\(path.isEmpty ? "" : " in [\(path)]"): \(valid.joined(separator: ", "))")
            }
            if let table = value as? [String: Any], let inner = base[key] as? [String: Any] {
                result[key] = try overlay(table, onto: inner, path: dotted)
            } else if value is [String: Any] && !extra.contains(key) {
                throw Failure(description: "config key '\(dotted)' must be a value, not a table")
            } else {
                result[key] = value
            }
        }
        return result
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(let type, let c): return "'\(path(c))' has the wrong type (expected \(type))"
        case .valueNotFound(let type, let c): return "'\(path(c))' is missing (expected \(type))"
        case .keyNotFound(let key, let c): return "'\(path(c).isEmpty ? key.stringValue : path(c) + "." + key.stringValue)' is missing"
        case .dataCorrupted(let c): return "'\(path(c))': \(c.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
