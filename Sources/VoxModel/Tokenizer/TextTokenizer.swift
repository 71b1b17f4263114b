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
        guard FileManager.default.fileExists(atPath: path) else {
            throw ModelError(.missing, "no tokenizer.json in \(directory)")
        }
        let root = try readJSON(path)
        let base: any TextTokenizer =
            (root["model"] as? [String: Any])?["type"] as? String == "Unigram"
            ? try UnigramTokenizer(tokenizerJSON: root, path: path, maxLength: maxLength)
            : try WordPieceTokenizer(tokenizerJSON: root, path: path, maxLength: maxLength)
        let prefix = try EncoderDescription.load(directory: directory)?.textPrefix ?? ""
        return prefix.isEmpty ? base : PrefixedTokenizer(base: base, prefix: prefix)
    }

    /// A `tokenizer.json`, parsed once.
    static func readJSON(_ path: String) throws(ModelError) -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path),
            let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw ModelError(.format, "cannot read the tokenizer file \(path)") }
        return root
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
