import Foundation
import Testing

@testable import VoxModel

/// multilingual-e5-small's SentencePiece Unigram tokeniser against Hugging Face `tokenizers` (golden ids from
/// Benchmarks/reference/make_e5_reference.py). Needs `vox model pull multilingual-e5-small` (scripts/test.sh does).
@Suite struct UnigramTokenizerTests {
    static let folder = ModelStore().directory(of: ModelStore.e5Name)

    static let tokenizer: UnigramTokenizer? = try? UnigramTokenizer(tokenizerJSON: folder + "/tokenizer.json")

    static func requireTokenizer() throws -> UnigramTokenizer {
        try #require(
            tokenizer,
            "multilingual-e5-small is not installed: run `vox model pull multilingual-e5-small` (scripts/test.sh does)")
    }

    static func golden() throws -> [(text: String, normalized: String, ids: [Int32])] {
        try String(contentsOfFile: TokenizerTests.fixture("e5-tokenizer-golden.jsonl"), encoding: .utf8).split(
            separator: "\n"
        ).map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return (
                try #require(object["text"] as? String), try #require(object["normalized"] as? String),
                try #require(object["ids"] as? [Int]).map(Int32.init)
            )
        }
    }

    /// 2,592 UMSAB tweets in 8 languages, 500 English tweets and 47 hard cases give exactly Hugging Face's ids.
    @Test func matchesHuggingFaceOnEveryGoldenText() throws {
        let tokenizer = try UnigramTokenizerTests.requireTokenizer()
        let golden = try UnigramTokenizerTests.golden()
        #expect(golden.count > 3_000)
        var mismatches = 0
        for (text, _, expected) in golden {
            let actual = tokenizer.encode(text)
            if actual != expected {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(text.debugDescription): \(actual) ≠ \(expected)") }
            }
        }
        #expect(mismatches == 0)
    }

    /// The Precompiled charsmap and the space collapsing give Hugging Face's normalised text.
    @Test func normalisesLikeHuggingFace() throws {
        let tokenizer = try UnigramTokenizerTests.requireTokenizer()
        var mismatches = 0
        for (text, normalized, _) in try UnigramTokenizerTests.golden() {
            let words = tokenizer.words(text[...])
            // Metaspace's ▁ back to spaces, and its prepended one dropped: the normaliser's own output.
            var bytes: [UInt8] = []
            var index = 0
            while index < words.bytes.count {
                if Array(words.bytes[index..<min(index + 3, words.bytes.count)]) == [0xE2, 0x96, 0x81] {
                    bytes.append(0x20)
                    index += 3
                } else {
                    bytes.append(words.bytes[index])
                    index += 1
                }
            }
            if bytes.first == 0x20 && normalized.utf8.first != 0x20 { bytes.removeFirst() }
            let actual = String(decoding: bytes, as: UTF8.self)
            let expected = normalized
            if Array(actual.utf8) != Array(expected.utf8) {
                mismatches += 1
                if mismatches <= 10 {
                    Issue.record("\(text.debugDescription): \(actual.debugDescription) ≠ \(expected.debugDescription)")
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func truncatesAtMaxLengthAndWrapsInSentenceMarks() throws {
        var tokenizer = try UnigramTokenizerTests.requireTokenizer()
        tokenizer.maxLength = 8
        let ids = tokenizer.encode("one two three four five six seven eight nine ten")
        #expect(ids.count == 8)
        #expect(ids.first == tokenizer.bosID && ids.last == tokenizer.eosID)
        #expect(tokenizer.encode("") == [tokenizer.bosID, tokenizer.eosID])
    }

    @Test func theLoaderPicksUnigramAndAddsE5sQueryPrefix() throws {
        let tokenizer = try UnigramTokenizerTests.requireTokenizer()
        let loaded = try TokenizerLoader.load(directory: UnigramTokenizerTests.folder)
        #expect(loaded.encode("Este produto é horrível") == tokenizer.encode("query: Este produto é horrível"))
        #expect(loaded.vocabularySize == 250_002)
    }
}
