/// A boolean keyword query of a watch topic, such as `(@Delta OR delta) AND NOT "delta variant"`.
///
/// Terms, quoted phrases, `AND` / `OR` / `NOT` with precedence NOT > AND > OR, parentheses, and adjacent
/// terms meaning AND. Matching is case-insensitive and by whole words; a plain term also matches `#term`
/// and `@term`, while `#term` matches only the hashtag and `@term` only the mention.
public indirect enum WatchQuery: Sendable, Equatable {
    /// A word: `term`, `#term` or `@term` (lower-cased).
    case term(String)
    /// A quoted phrase: consecutive words (lower-cased, tokenized like post text).
    case phrase([String])
    case and(WatchQuery, WatchQuery)
    case or(WatchQuery, WatchQuery)
    case not(WatchQuery)

    /// Whether a tokenized post matches.
    public func matches(_ text: WatchText) -> Bool {
        switch self {
        case .term(let word): text.contains(word)
        case .phrase(let words): text.containsPhrase(words)
        case .and(let left, let right): left.matches(text) && right.matches(text)
        case .or(let left, let right): left.matches(text) || right.matches(text)
        case .not(let inner): !inner.matches(text)
        }
    }

    /// Parses a query.
    /// - Throws: `WatchError` with the character offset of the problem.
    public static func parse(_ source: String, topic: String) throws(WatchError) -> WatchQuery {
        var parser = WatchQueryParser(source: source, topic: topic)
        return try parser.parse()
    }
}

/// A watch file or query that cannot be used.
public struct WatchError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A sentence naming the topic and, for a query, the character offset.
    public let message: String

    /// Creates an error.
    public init(_ message: String) { self.message = message }

    public var description: String { message }
}

extension WatchQuery: CustomStringConvertible {
    /// The query fully parenthesised, as Vox understood it.
    public var description: String {
        switch self {
        case .term(let word): word
        case .phrase(let words): "\"" + words.joined(separator: " ") + "\""
        case .and(let left, let right): "(\(left) AND \(right))"
        case .or(let left, let right): "(\(left) OR \(right))"
        case .not(let inner): "NOT \(inner)"
        }
    }
}
