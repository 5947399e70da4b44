import Foundation

/// Config files and flags change a resolved `GANConfig` by laying a table of values over it:
/// snake_case keys, nested tables for `data`, `generator`, `discriminator` and their
/// `optimizer`. Every key must name an existing field, so a typo is an error that lists the
/// valid keys instead of a silently ignored setting.
extension GANConfig {
    public static func jsonEncoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        return encoder
    }

    public static func jsonDecoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }

    /// This config with `table` laid over it (values as JSONSerialization produces them).
    public func overlaying(_ table: [String: Any], source: String = "config") throws(GANConfigError) -> GANConfig {
        guard !table.isEmpty else { return self }
        let base: [String: Any]
        do {
            base = try JSONSerialization.jsonObject(with: try Self.jsonEncoder().encode(self)) as? [String: Any] ?? [:]
        } catch {
            throw .invalid(source, "cannot encode the base config: \(error)")
        }
        var merged = try Self.overlay(table, onto: base, path: "")
        if let data = table["data"] as? [String: Any], data["means"] != nil || data["images"] != nil, data["preset"] == nil {
            // A user mixture or image set replaces the preset's data (and each the other).
            var spec = merged["data"] as? [String: Any] ?? [:]
            spec["preset"] = nil
            if data["images"] == nil { spec["images"] = nil; spec["image_size"] = nil; spec["image_channels"] = nil }
            if data["means"] == nil { spec["means"] = nil; spec["std"] = nil }
            merged["data"] = spec
        }
        do {
            let json = try JSONSerialization.data(withJSONObject: merged)
            return try Self.jsonDecoder().decode(GANConfig.self, from: json)
        } catch let error as DecodingError {
            throw .invalid(source, Self.describe(error))
        } catch {
            throw .invalid(source, "\(error)")
        }
    }

    static func overlay(_ values: [String: Any], onto base: [String: Any], path: String) throws(GANConfigError) -> [String: Any] {
        var result = base
        // Optional fields are absent from the encoded base when unset; they are still keys.
        let extra: Set<String> = switch path {
        case "data": ["preset", "means", "std", "images", "image_size", "image_channels"]
        case "generator", "discriminator": ["output_bias"]
        case "": ["classifier"]
        default: []
        }
        for (key, value) in values {
            let dotted = path.isEmpty ? key : "\(path).\(key)"
            guard base[key] != nil || extra.contains(key) else {
                let valid = Set(base.keys).union(extra).sorted()
                throw .invalid(dotted, "unknown key; valid keys\(path.isEmpty ? "" : " in [\(path)]"): \(valid.joined(separator: ", "))")
            }
            if let table = value as? [String: Any], let inner = base[key] as? [String: Any] {
                result[key] = try overlay(table, onto: inner, path: dotted)
            } else if value is [String: Any] {
                throw .invalid(dotted, "must be a value, not a table")
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
