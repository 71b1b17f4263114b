import Foundation

/// BERT's WordPiece tokenizer, reading a Hugging Face `tokenizer.json` (or a `vocab.txt`), giving the
/// same ids as `tokenizers` does for the same file: special tokens matched in the raw text, BERT
/// normalisation and pre-tokenisation, greedy longest-match-first subwords with `##`, `[UNK]` for
/// words over 100 scalars, `[CLS]` … `[SEP]`, truncation at `maxLength`. No padding: ids are unpadded.
public struct WordPieceTokenizer: TextTokenizer {
    private let vocabulary: Vocabulary
    private let preTokenizer: BertPreTokenizer
    private let specialTokens: [(text: String, id: Int32)]
    /// The id of `[CLS]`.
    public let clsID: Int32
    /// The id of `[SEP]`.
    public let sepID: Int32
    /// The id of `[UNK]`.
    public let unknownID: Int32
    /// The id of `[PAD]`.
    public let padID: Int32
    /// Longest word (in Unicode scalars) split into pieces; longer words become `[UNK]`.
    public let maxInputCharsPerWord: Int
    /// The most ids per text, `[CLS]` and `[SEP]` included.
    public var maxLength: Int

    /// Number of tokens in the vocabulary.
    public var vocabularySize: Int { vocabulary.count }

    /// Loads a tokenizer from a Hugging Face `tokenizer.json`.
    /// - Parameters:
    ///   - path: The file.
    ///   - maxLength: The most ids per text (default 128).
    /// - Throws: `ModelError` when the file cannot be read or is not a BERT WordPiece tokenizer.
    public init(tokenizerJSON path: String, maxLength: Int = 128) throws(ModelError) {
        try self.init(tokenizerJSON: try TokenizerLoader.readJSON(path), path: path, maxLength: maxLength)
    }

    /// Creates a tokenizer from a parsed `tokenizer.json` (`path` names it in errors).
    init(tokenizerJSON root: [String: Any], path: String, maxLength: Int) throws(ModelError) {
        guard let model = root["model"] as? [String: Any], model["type"] as? String == "WordPiece",
            let vocab = model["vocab"] as? [String: Int]
        else { throw ModelError(.format, "\(path) is not a WordPiece tokenizer") }
        let normalizer = root["normalizer"] as? [String: Any]
        let lowercase = normalizer?["lowercase"] as? Bool ?? true
        let stripAccents = normalizer?["strip_accents"] as? Bool ?? lowercase
        var specials: [(String, Int32)] = []
        for token in root["added_tokens"] as? [[String: Any]] ?? [] {
            if let content = token["content"] as? String, let id = token["id"] as? Int {
                specials.append((content, Int32(id)))
            }
        }
        try self.init(
            vocabulary: vocab, continuationPrefix: model["continuing_subword_prefix"] as? String ?? "##",
            unknownToken: model["unk_token"] as? String ?? "[UNK]",
            maxInputCharsPerWord: model["max_input_chars_per_word"] as? Int ?? 100,
            lowercase: lowercase, stripAccents: stripAccents, specialTokens: specials, maxLength: maxLength)
    }

    /// Loads a tokenizer from a BERT `vocab.txt` (one token per line; uncased BERT settings).
    public init(vocabTXT path: String, maxLength: Int = 128) throws(ModelError) {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw ModelError(.format, "cannot read the vocabulary file \(path)")
        }
        var vocab: [String: Int] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated()
        where !line.isEmpty {
            vocab[String(line)] = index
        }
        let specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"].compactMap { name in
            vocab[name].map { (name, Int32($0)) }
        }
        try self.init(
            vocabulary: vocab, continuationPrefix: "##", unknownToken: "[UNK]", maxInputCharsPerWord: 100,
            lowercase: true, stripAccents: true, specialTokens: specials, maxLength: maxLength)
    }

    /// Creates a tokenizer from its parts.
    public init(
        vocabulary tokens: [String: Int], continuationPrefix: String = "##", unknownToken: String = "[UNK]",
        maxInputCharsPerWord: Int = 100, lowercase: Bool = true, stripAccents: Bool = true,
        specialTokens specials: [(String, Int32)] = [], maxLength: Int = 128
    ) throws(ModelError) {
        vocabulary = Vocabulary(tokens: tokens, continuationPrefix: continuationPrefix)
        guard let unknown = tokens[unknownToken], let cls = tokens["[CLS]"], let sep = tokens["[SEP]"] else {
            throw ModelError(.format, "the vocabulary lacks \(unknownToken), [CLS] or [SEP]")
        }
        unknownID = Int32(unknown)
        clsID = Int32(cls)
        sepID = Int32(sep)
        padID = Int32(tokens["[PAD]"] ?? 0)
        preTokenizer = BertPreTokenizer(lowercase: lowercase, stripAccents: stripAccents)
        specialTokens = specials.filter { !$0.0.isEmpty }.sorted { $0.0.count > $1.0.count }
        self.maxInputCharsPerWord = maxInputCharsPerWord
        self.maxLength = max(2, maxLength)
    }

    /// The ids of `text`: `[CLS]`, its pieces (truncated to fit), `[SEP]`.
    public func encode(_ text: String) -> [Int32] {
        var ids: [Int32] = [clsID]
        let budget = maxLength - 2
        for segment in segments(text) {
            switch segment {
            case .special(let id): ids.append(id)
            case .text(let part): appendPieces(of: part, to: &ids, limit: budget + 1)
            }
            if ids.count > budget { break }
        }
        if ids.count > budget + 1 { ids.removeLast(ids.count - budget - 1) }
        ids.append(sepID)
        return ids
    }

    private enum Segment {
        case special(Int32)
        case text(Substring)
    }

    /// Splits the raw text around special tokens written in it (`[CLS]`, `[MASK]`, …).
    private func segments(_ text: String) -> [Segment] {
        guard !specialTokens.isEmpty,
            text.utf8.contains(UInt8(ascii: "[")) || specialTokens.contains(where: { !$0.text.hasPrefix("[") })
        else {
            return [.text(text[...])]
        }
        var result: [Segment] = []
        var rest = text[...]
        while !rest.isEmpty {
            var earliest: (range: Range<Substring.Index>, id: Int32)? = nil
            for (special, id) in specialTokens {
                if let range = rest.range(of: special), earliest.map({ range.lowerBound < $0.range.lowerBound }) ?? true
                {
                    earliest = (range, id)
                }
            }
            guard let found = earliest else {
                result.append(.text(rest))
                break
            }
            if found.range.lowerBound > rest.startIndex { result.append(.text(rest[..<found.range.lowerBound])) }
            result.append(.special(found.id))
            rest = rest[found.range.upperBound...]
        }
        return result
    }

    private func appendPieces(of text: Substring, to ids: inout [Int32], limit: Int) {
        for word in preTokenizer.words(text) {
            if ids.count >= limit { return }
            if word.scalarCount > maxInputCharsPerWord {
                ids.append(unknownID)
                continue
            }
            let mark = ids.count
            var start = 0
            var failed = false
            while start < word.scalarCount {
                var end = word.scalarCount
                var found: Int32? = nil
                while end > start {
                    let byteEnd = end == word.scalarCount ? word.bytes.count : word.scalarStarts[end]
                    let range = word.scalarStarts[start]..<byteEnd
                    if let id = vocabulary.id(word.bytes, range, continuing: start > 0) {
                        found = id
                        break
                    }
                    end -= 1
                }
                guard let id = found else {
                    failed = true
                    break
                }
                ids.append(id)
                start = end
            }
            if failed {
                ids.removeLast(ids.count - mark)
                ids.append(unknownID)
            }
        }
    }

    /// The id of a token string, if the vocabulary has it.
    public func id(of token: String) -> Int32? { vocabulary.id(of: token) }
}
