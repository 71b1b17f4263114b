import Foundation

/// Errors from Foundation and the JSON decoder as one line a person can read: a decoding error names the field
/// and what was wrong with it instead of dumping its context; anything else is its description, line breaks folded.
public enum ErrorText {
    /// `error` in one line.
    public static func line(_ error: any Error) -> String {
        if let decoding = error as? DecodingError { return describe(decoding) }
        let text = "\(error)"
        return text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    private static func path(_ context: DecodingError.Context) -> String {
        let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
        return keys.isEmpty ? "the top level" : keys.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case .keyNotFound(let key, let context):
            let place = context.codingPath.isEmpty ? "" : " in \(path(context))"
            return "the field \(key.stringValue) is missing\(place)"
        case .typeMismatch(let type, let context):
            return "\(path(context)) is not \(article(type)): \(context.debugDescription)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) is null, expected \(article(type))"
        case .dataCorrupted(let context):
            let reason = (context.underlyingError.map { "\($0)" } ?? context.debugDescription)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            return context.codingPath.isEmpty ? "not valid JSON (\(reason))" : "\(path(context)): \(reason)"
        @unknown default:
            return "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
        }
    }

    private static func article(_ type: Any.Type) -> String {
        let name = "\(type)"
        return ("AEIOU".contains(name.first ?? "x") ? "an " : "a ") + name
    }
}
