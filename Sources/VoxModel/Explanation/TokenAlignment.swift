import Foundation

/// Which tokens of a post's encoding came from which of its words, so that token attributions can be shown on
/// the words a person reads.
///
/// The words are the post's own text split at whitespace, with each punctuation mark, symbol (emoji included) and
/// CJK ideograph as an entry of its own: BERT's pre-tokenisation, applied to the original text (no lower-casing or
/// accent stripping). The alignment asks the tokenizer itself: the encoding of the text up to the end of each word
/// must be a prefix of the whole text's encoding, and the tokens it adds are that word's. Where it is not (a
/// SentencePiece piece spanning two entries, an emoji folded into a word's unknown token), the entries merge until
/// it is, so every token lands in exactly one entry and the entries cover the whole text in order. Special tokens
/// and a model's text prefix belong to no entry; words past the tokenizer's truncation get no tokens.
struct TokenAlignment: Sendable, Equatable {
    /// One entry: its text and the range of token positions (in the whole encoding) it produced.
    struct Span: Sendable, Equatable {
        var text: String
        var tokens: Range<Int>
    }

    /// The entries, in text order.
    let spans: [Span]
    /// The whole text's token ids (special tokens included).
    let ids: [Int32]

    /// Aligns `text`'s encoding by `tokenizer` with its words.
    init(text: String, tokenizer: any TextTokenizer) {
        let ids = tokenizer.encode(text)
        self.ids = ids
        let words = TokenAlignment.words(text)
        // Tokens before the text (the start token, a model's prefix) are the longest common prefix with the empty
        // text's encoding without its end token.
        let empty = tokenizer.encode("").dropLast()
        var consumed = zip(empty, ids).prefix { $0 == $1 }.count
        let last = max(consumed, ids.count - 1)  // the end token belongs to no word
        var spans: [Span] = []
        var pendingStart: String.Index? = nil
        for (index, word) in words.enumerated() {
            let start = pendingStart ?? word.lowerBound
            let end = word.upperBound
            let isLast = index == words.count - 1
            var boundary: Int? = nil
            if consumed >= last {
                boundary = consumed  // truncated away: no tokens remain for this word
            } else if isLast {
                boundary = last
            } else {
                let prefix = tokenizer.encode(String(text[..<end])).dropLast()
                if prefix.count >= consumed, prefix.count <= last, prefix.elementsEqual(ids.prefix(prefix.count)) {
                    boundary = prefix.count
                }
            }
            guard let boundary else {
                pendingStart = start
                continue
            }
            spans.append(Span(text: String(text[start..<end]), tokens: consumed..<boundary))
            consumed = boundary
            pendingStart = nil
        }
        self.spans = spans
    }

    /// The entries of `text`: runs of letters, digits and marks between whitespace, and each punctuation mark,
    /// symbol and CJK ideograph alone.
    static func words(_ text: String) -> [Range<String.Index>] {
        var words: [Range<String.Index>] = []
        var start: String.Index? = nil
        var index = text.startIndex
        while index < text.endIndex {
            let character = text[index]
            let next = text.index(after: index)
            if character.isWhitespace {
                if let open = start { words.append(open..<index) }
                start = nil
            } else if TokenAlignment.standsAlone(character) {
                if let open = start { words.append(open..<index) }
                start = nil
                words.append(index..<next)
            } else if start == nil {
                start = index
            }
            index = next
        }
        if let open = start { words.append(open..<text.endIndex) }
        return words
    }

    /// Whether a character is an entry of its own: punctuation, a symbol, or a CJK ideograph (as BERT splits them).
    static func standsAlone(_ character: Character) -> Bool {
        if character.isPunctuation || character.isSymbol { return true }
        guard let scalar = character.unicodeScalars.first else { return false }
        return BertPreTokenizer.isCJK(scalar.value)
    }
}
