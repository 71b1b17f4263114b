/// Cuts a post into the terms whose rise ``TermTracker`` looks for: words, hashtags, mentions, and two-word phrases.
///
/// Text is lower-cased. A word is a run of letters, digits, apostrophes and inner hyphens or underscores
/// (trailing ones dropped); `#tag` and `@user` keep their sign. Links, numbers, one-letter words and the leading
/// `RT` of retweets are no terms. Stop-words (English and the post's language: ar, de, en, es, fr, hi, it, pt) are
/// not terms by themselves, and a phrase is two adjacent words, neither a stop-word, with no punctuation, hashtag or
/// mention between them (and not one word twice). Each term counts once per post; at most ``maximumTerms`` per post, none longer than
/// ``maximumLength`` characters, so a hostile text cannot grow the counts.
public struct TermExtractor: Sendable {
    /// Terms taken from one post at most.
    public static let maximumTerms = 128
    /// Characters a term may have at most (longer runs are skipped).
    public static let maximumLength = 48

    private let stopWords: [String: Set<String>]
    private let english: Set<String>

    /// An extractor with the bundled stop-word lists.
    public init() {
        stopWords = StopWords.lists
        english = StopWords.lists["en"] ?? []
    }

    /// The distinct terms of `text`, in first-seen order; `language` picks the stop-words besides English.
    public func terms(_ text: String, language: String?) -> [String] {
        let local = language.flatMap { $0 == "en" ? nil : stopWords[$0] } ?? []
        func isStop(_ word: String) -> Bool { english.contains(word) || local.contains(word) }
        var seen = Set<String>()
        var out: [String] = []
        func add(_ term: String) {
            if out.count < TermExtractor.maximumTerms, seen.insert(term).inserted { out.append(term) }
        }
        var previous: String? = nil
        for token in TermExtractor.tokens(text.lowercased()) {
            switch token {
            case .tagged(let term):
                add(term)
                previous = nil
            case .word(let word):
                guard !isStop(word) else {
                    previous = nil
                    continue
                }
                add(word)
                if let previous, previous != word { add(previous + " " + word) }
                previous = word
            case .gap:
                previous = nil
            }
        }
        return out
    }

    private enum Token {
        case word(String)
        case tagged(String)
        case gap
    }

    /// Splits lower-cased text into words, hashtags or mentions, and gaps (punctuation, links, numbers).
    private static func tokens(_ text: String) -> [Token] {
        var tokens: [Token] = []
        var first = true
        for piece in text.split(whereSeparator: { $0.isWhitespace }) {
            defer { first = false }
            if piece.hasPrefix("http://") || piece.hasPrefix("https://") || piece.hasPrefix("www.") {
                tokens.append(.gap)
                continue
            }
            if first && piece == "rt" { continue }
            var current = ""
            var sign: Character? = nil
            func flush(_ endsPhrase: Bool) {
                var word = current
                while let last = word.last, last == "'" || last == "’" || last == "-" || last == "_" {
                    word.removeLast()
                }
                if let sign {
                    if !word.isEmpty, word.count <= maximumLength { tokens.append(.tagged(String(sign) + word)) }
                    tokens.append(.gap)
                } else if !word.isEmpty {
                    let numeric = word.allSatisfy { $0.isNumber || $0 == "'" || $0 == "-" || $0 == "_" }
                    if numeric || word.count > maximumLength || word.count < 2 {
                        tokens.append(.gap)
                    } else {
                        tokens.append(.word(word))
                    }
                }
                if endsPhrase { tokens.append(.gap) }
                current = ""
                sign = nil
            }
            for character in piece {
                if character.isLetter || character.isNumber {
                    current.append(character)
                } else if (character == "'" || character == "’" || character == "-" || character == "_")
                    && !current.isEmpty
                {
                    current.append(character == "’" ? "'" : character)
                } else if (character == "#" || character == "@") && current.isEmpty && sign == nil {
                    sign = character
                } else {
                    flush(true)
                }
            }
            flush(false)
        }
        return tokens
    }
}
