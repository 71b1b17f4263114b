/// A post's text tokenized for watch matching: lower-cased words, each remembered as plain, `#hashtag`
/// or `@mention`.
public struct WatchText: Sendable {
    /// Words in order, with their prefix (`#`, `@`, or none).
    public private(set) var words: [(prefix: Character?, word: String)] = []
    private var plain: Set<String> = []
    private var tagged: Set<String> = []

    /// Tokenizes `text`: words are runs of letters, digits, `_` and `'`, optionally led by `#` or `@`.
    public init(_ text: String) {
        var current = ""
        var prefix: Character? = nil
        func close() {
            if !current.isEmpty {
                words.append((prefix, current))
                plain.insert(current)
                if let prefix { tagged.insert(String(prefix) + current) }
            }
            current = ""
            prefix = nil
        }
        for character in text.lowercased() {
            if character.isLetter || character.isNumber || character == "_" || character == "'" || character == "’" {
                current.append(character == "’" ? "'" : character)
            } else {
                close()
                if character == "#" || character == "@" { prefix = character }
            }
        }
        close()
    }

    /// Whether the word occurs: `#x` / `@x` need that prefix; a plain `x` matches with or without one.
    public func contains(_ term: String) -> Bool {
        if term.first == "#" || term.first == "@" { return tagged.contains(term) }
        return plain.contains(term)
    }

    /// Whether the words occur consecutively (prefixes ignored unless the phrase word has one).
    public func containsPhrase(_ phrase: [String]) -> Bool {
        guard !phrase.isEmpty, phrase.count <= words.count else { return false }
        outer: for start in 0...(words.count - phrase.count) {
            for (offset, term) in phrase.enumerated() {
                let word = words[start + offset]
                if term.first == "#" || term.first == "@" {
                    guard let prefix = word.prefix, String(prefix) + word.word == term else { continue outer }
                } else if word.word != term {
                    continue outer
                }
            }
            return true
        }
        return false
    }
}
