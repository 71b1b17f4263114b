/// A post's text tokenized for watch matching: lower-cased words, each remembered as plain, `#hashtag`
/// or `@mention`.
public struct WatchText: Sendable {
    /// Words in order, with their prefix (`#`, `@`, or none).
    public private(set) var words: [(prefix: Character?, word: String)] = []
    private var plain: Set<String> = []
    private var tagged: Set<String> = []

    /// Tokenizes `text`: words are runs of letters, digits, `_` and `'`, optionally led by `#` or `@`.
    public init(_ text: String) {
        if text.utf8.allSatisfy({ $0 < 0x80 }) {
            self.init(ascii: text)
        } else {
            self.init(unicode: text)
        }
    }

    /// The common case, byte by byte: the same words as the Unicode path gives an ASCII text.
    private init(ascii text: String) {
        var current: [UInt8] = []
        var prefix: Character? = nil
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"): current.append(byte + 32)
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"),
                UInt8(ascii: "'"):
                current.append(byte)
            default:
                close(&current, prefix)
                current.removeAll(keepingCapacity: true)
                prefix = byte == UInt8(ascii: "#") ? "#" : byte == UInt8(ascii: "@") ? "@" : nil
            }
        }
        close(&current, prefix)
    }

    private mutating func close(_ bytes: inout [UInt8], _ prefix: Character?) {
        guard !bytes.isEmpty else { return }
        add(String(decoding: bytes, as: UTF8.self), prefix)
    }

    /// Scalar by scalar, not by grapheme: a combining mark that follows a separator would otherwise merge with it
    /// when a query is printed (`"a ◌ؐ"`), and the printed query would not read back as the same words.
    private init(unicode text: String) {
        var current = String.UnicodeScalarView()
        var prefix: Character? = nil
        for scalar in text.lowercased().unicodeScalars {
            if WatchText.isWordScalar(scalar) {
                current.append(scalar == "’" ? "'" : scalar)
            } else {
                add(String(current), prefix)
                current = String.UnicodeScalarView()
                prefix = scalar == "#" ? "#" : scalar == "@" ? "@" : nil
            }
        }
        add(String(current), prefix)
    }

    /// Letters, marks (accents, vowel signs), numbers, `_` and apostrophes.
    static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        if scalar == "_" || scalar == "'" || scalar == "’" { return true }
        let properties = scalar.properties
        if properties.isAlphabetic || properties.numericType != nil { return true }
        switch properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return false
        }
    }

    private mutating func add(_ word: String, _ prefix: Character?) {
        guard !word.isEmpty else { return }
        words.append((prefix, word))
        plain.insert(word)
        if let prefix { tagged.insert(String(prefix) + word) }
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
