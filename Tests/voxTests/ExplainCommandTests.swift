import Foundation
import Testing
import VoxTestSupport

/// `vox classify --explain` and `vox replay --explain-examples` with the bundled default model: explanations cover
/// each post's words in order, the words that carry the sentiment weigh most, and examples are explained the same
/// whatever the batching.
@Suite struct ExplainCommandTests {
    private func fixture(_ name: String) throws -> String {
        try #require(Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")).path
    }

    private func run(_ arguments: [String], input: String? = nil) async throws -> ProcessRunner.Outcome {
        try await ProcessRunner.run(VoxBinaryTests.binary, arguments, input: input.map { Data($0.utf8) })
    }

    /// The explanation's words, checked to cover `text` in order (whitespace aside).
    private func words(_ explanation: Any?, of text: String) throws -> [(text: String, weight: Double)] {
        let entries = try #require(explanation as? [[String: Any]], "no explanation for \(text)")
        let words = try entries.map { (try #require($0["text"] as? String), try #require($0["weight"] as? Double)) }
        #expect(words.map(\.0).joined() == text.filter { !$0.isWhitespace }, "\(text) not covered in order")
        return words
    }

    @Test func classifyExplainsWithTheWordsThatCarryTheSentiment() async throws {
        let input = """
            {"text": "This product is terrible, never buying again"}
            {"text": "I absolutely love this new phone, best purchase ever!"}
            {"text": "Este produto é horrível, nunca mais compro nada desta loja"}
            """
        let result = try await run(["classify", "--explain"], input: input + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 3)
        #expect(objects.map { $0["sentiment"] as? String } == ["negative", "positive", nil])
        let negative = try words(objects[0]["explanation"], of: "This product is terrible, never buying again")
        #expect(negative.map(\.text) == ["This", "product", "is", "terrible", ",", "never", "buying", "again"])
        #expect(negative.max { $0.weight < $1.weight }?.text == "terrible")
        let positive = try words(objects[1]["explanation"], of: "I absolutely love this new phone, best purchase ever!")
        let top = try #require(positive.max { $0.weight < $1.weight }?.text)
        #expect(["love", "best"].contains(top), "top word \(top)")
        // An abstained post is not explained.
        #expect(objects[2]["abstained"] as? String == "unsupported_language")
        #expect(objects[2]["explanation"] == nil)
        // Gradient × input is the other method; a bad one is refused.
        let other = try await run(["classify", "--explain", "--explain-method", "gradient-input"], input: input + "\n")
        #expect(other.status == 0 && other.stdout.contains("\"explanation\""))
        let refused = try await run(["classify", "--explain", "--explain-method", "lime"], input: input + "\n")
        #expect(refused.status != 0 && refused.stderr.contains("--explain-method"))
    }

    @Test func replayExplainsEveryExampleTheSameWhateverTheBatch() async throws {
        let root = NSTemporaryDirectory() + "vox-explain-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        var outputs: [String] = []
        for batch in ["3", "64"] {
            let out = root + "/batch-" + batch
            let result = try await run([
                "replay", try fixture("brand-feed-160.jsonl"), "--out", out, "--batch", batch, "--explain-examples",
                "--explain-steps", "2",
            ])
            #expect(result.status == 0, "\(result.stderr)")
            outputs.append(try String(contentsOfFile: out + "/examples.jsonl", encoding: .utf8))
        }
        #expect(outputs[0] == outputs[1], "examples differ with the batch size")
        var explained = 0
        for line in outputs[0].split(separator: "\n") {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            for key in ["most_negative", "most_positive"] {
                for example in try #require(object[key] as? [[String: Any]]) {
                    _ = try words(example["explanation"], of: try #require(example["text"] as? String))
                    explained += 1
                }
            }
        }
        #expect(explained > 100)
        // Without the flag, examples carry no explanation.
        let plain = root + "/plain"
        let result = try await run(["replay", try fixture("brand-feed-160.jsonl"), "--out", plain])
        #expect(result.status == 0)
        let text = try String(contentsOfFile: plain + "/examples.jsonl", encoding: .utf8)
        #expect(
            !text.contains("\"explanation\"")
                && text.split(separator: "\n").count == outputs[0].split(separator: "\n").count)
    }
}
