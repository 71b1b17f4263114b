import Foundation
import Testing

@testable import VoxModel

@Suite struct TokenizerTests {
    static func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    static let tokenizer: WordPieceTokenizer? = try? WordPieceTokenizer(tokenizerJSON: fixture("tokenizer.json"))

    /// Every one of the 2,000 TweetEval validation tweets and the hard cases gives exactly Hugging Face's ids.
    @Test func matchesHuggingFaceOnEveryGoldenText() throws {
        let tokenizer = try #require(TokenizerTests.tokenizer)
        let lines = try String(contentsOfFile: TokenizerTests.fixture("tokenizer-golden.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(lines.count == 2029)
        var mismatches = 0
        for line in lines {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let text = try #require(object["text"] as? String)
            let expected = try #require(object["ids"] as? [Int]).map(Int32.init)
            let actual = tokenizer.encode(text)
            if actual != expected {
                mismatches += 1
                if mismatches <= 10 { Issue.record("\(text.debugDescription): \(actual) ≠ \(expected)") }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func truncatesAtMaxLengthWithSpecialTokens() throws {
        var tokenizer = try #require(TokenizerTests.tokenizer)
        tokenizer.maxLength = 8
        let ids = tokenizer.encode("one two three four five six seven eight nine")
        #expect(ids.count == 8)
        #expect(ids.first == tokenizer.clsID && ids.last == tokenizer.sepID)
        #expect(tokenizer.encode("") == [tokenizer.clsID, tokenizer.sepID])
    }

    @Test func readsVocabTXTToo() throws {
        let json = try #require(TokenizerTests.tokenizer)
        let folder = NSTemporaryDirectory() + "vox-vocab-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let root = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: TokenizerTests.fixture("tokenizer.json"))))
                as? [String: Any])
        let vocab = try #require((root["model"] as? [String: Any])?["vocab"] as? [String: Int])
        let lines = vocab.sorted { $0.value < $1.value }.map(\.key).joined(separator: "\n") + "\n"
        try lines.write(toFile: folder + "/vocab.txt", atomically: true, encoding: .utf8)
        let txt = try WordPieceTokenizer(vocabTXT: folder + "/vocab.txt")
        for text in ["Café naïve #blessed @user http://t.co/x", "東京 😍 unbelievably"] {
            #expect(txt.encode(text) == json.encode(text))
        }
    }
}
