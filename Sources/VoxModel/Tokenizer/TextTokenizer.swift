import Foundation

/// Turns a post's text into the token ids an encoder reads (special tokens included, truncated, unpadded).
public protocol TextTokenizer: Sendable {
    /// The ids of `text`.
    func encode(_ text: String) -> [Int32]
    /// The most ids per text.
    var maxLength: Int { get }
    /// Number of tokens in the vocabulary.
    var vocabularySize: Int { get }
}

/// Loads the tokenizer of a base model folder: WordPiece or Unigram by what its `tokenizer.json` says, with
/// the text prefix the model was trained with (e5's `query: `) when its `vox-encoder.json` names one.
public enum TokenizerLoader {
    /// The tokenizer of the model in `directory`.
    /// - Throws: `ModelError` when `tokenizer.json` or `vox-encoder.json` cannot be used.
    public static func load(directory: String, maxLength: Int = 128) throws(ModelError) -> any TextTokenizer {
        let path = directory + "/tokenizer.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ModelError(.missing, "no tokenizer.json in \(directory)")
        }
        // The model type is near the file's end; a light scan avoids parsing a large vocabulary twice.
        let isUnigram =
            data.range(of: Data("\"type\":\"Unigram\"".utf8)) != nil
            || data.range(of: Data("\"type\": \"Unigram\"".utf8)) != nil
        let base: any TextTokenizer =
            isUnigram
            ? try UnigramTokenizer(tokenizerJSON: path, maxLength: maxLength)
            : try WordPieceTokenizer(tokenizerJSON: path, maxLength: maxLength)
        let prefix = try EncoderDescription.load(directory: directory)?.textPrefix ?? ""
        return prefix.isEmpty ? base : PrefixedTokenizer(base: base, prefix: prefix)
    }
}

/// A tokenizer that puts a fixed prefix before every text (e5 reads `query: …`).
public struct PrefixedTokenizer: TextTokenizer {
    /// The tokenizer of the prefixed text.
    public let base: any TextTokenizer
    /// The prefix.
    public let prefix: String

    public func encode(_ text: String) -> [Int32] { base.encode(prefix + text) }
    public var maxLength: Int { base.maxLength }
    public var vocabularySize: Int { base.vocabularySize }
}
