/// A boolean keyword query of a watch topic, such as `(@Delta OR delta) AND NOT "delta variant"`.
///
/// Terms, quoted phrases, `AND` / `OR` / `NOT` with precedence NOT > AND > OR, parentheses, and adjacent
/// terms meaning AND. Matching is case-insensitive and by whole words; a plain term also matches `#term`
/// and `@term`, while `#term` matches only the hashtag and `@term` only the mention.
///
/// A chain of ANDs or ORs is one node with all its operands, so the tree is only as deep as the query's
/// parentheses and NOTs, which ``maxDepth`` bounds (as ``maxLength`` bounds the text): matching, printing and
/// freeing a query never recurse deeper than that, whatever its length.
public indirect enum WatchQuery: Sendable, Equatable {
    /// A word: `term`, `#term` or `@term` (lower-cased).
    case term(String)
    /// A quoted phrase: consecutive words (lower-cased, tokenized like post text).
    case phrase([String])
    /// Every operand matches (two or more).
    case and([WatchQuery])
    /// At least one operand matches (two or more).
    case or([WatchQuery])
    case not(WatchQuery)

    /// The deepest nesting of parentheses and NOTs a query may have.
    public static let maxDepth = 256
    /// The longest query, in characters.
    public static let maxLength = 1_000_000

    /// Whether a tokenized post matches.
    public func matches(_ text: WatchText) -> Bool {
        switch self {
        case .term(let word): text.contains(word)
        case .phrase(let words): text.containsPhrase(words)
        case .and(let operands): operands.allSatisfy { $0.matches(text) }
        case .or(let operands): operands.contains { $0.matches(text) }
        case .not(let inner): !inner.matches(text)
        }
    }

    /// Parses a query.
    /// - Throws: `WatchError` with the character offset of the problem, or for a query longer than ``maxLength``
    ///   or nested deeper than ``maxDepth``.
    public static func parse(_ source: String, topic: String) throws(WatchError) -> WatchQuery {
        guard source.utf8.count <= maxLength || source.count <= maxLength else {
            throw WatchError(
                "watch topic '\(topic)': the query has \(source.count) characters; the longest allowed is \(maxLength)")
        }
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
        case .and(let operands): "(" + operands.map(\.description).joined(separator: " AND ") + ")"
        case .or(let operands): "(" + operands.map(\.description).joined(separator: " OR ") + ")"
        case .not(let inner): "NOT \(inner)"
        }
    }
}
